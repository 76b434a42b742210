// @vitest-environment jsdom
import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SaveableFile } from '../../../renderer/bridge/bridge.js';
import { BundlePage } from '../../../renderer/features/bundle/bundle-page.js';
import { browserDownload } from '../../../renderer/store/browser-download.js';
import { FakeBridge, flush } from '../fake-bridge.js';
import { renderWithStores } from '../render-with-stores.js';

afterEach(() => vi.restoreAllMocks());

/** jsdom's Blob has no text()/arrayBuffer(); FileReader reads it. */
function bytesOf(blob: Blob): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(new Error(reader.error?.message ?? 'read failed'));
    reader.readAsArrayBuffer(blob);
  });
}

function bridge() {
  return new FakeBridge()
    .handle('status.get', () => ({ version: '0.1.0', rev: 1, tunnels: [] }))
    .handle('requests.list', () => ({ records: [] }))
    .handle('logs.tail', () => ({ entries: [], lastSeq: 0 }))
    .handle('logs.getLevel', () => ({ level: 'info' }))
    .handle('bundle.create', ({ windowMinutes }) => ({
      fileName: 'mcp-tunnel-support-20260101T000000Z.tar.gz',
      base64: btoa('archive bytes'),
      files: [
        { name: 'manifest.json', bytes: 900, description: `window ${windowMinutes} min` },
        { name: 'logs.ndjson', bytes: 2048, description: 'logs' },
      ],
    }));
}

describe('Support bundle page', () => {
  it('lists what will be included, then creates the bundle for the chosen window and saves it', async () => {
    const fake = bridge();
    const saved: SaveableFile[] = [];
    renderWithStores(<BundlePage />, fake, { save: (f) => void saved.push(f) });
    const list = screen.getByTestId('bundle-files');
    expect(within(list).getByText('config.redacted.json')).toBeTruthy();
    const user = userEvent.setup();
    await user.click(screen.getByRole('radio', { name: 'Last 6 hours' }));
    await user.click(screen.getByRole('button', { name: 'Create and download' }));
    await act(flush);
    expect(fake.callsOf('bundle.create')).toEqual([{ windowMinutes: 360 }]);
    expect(saved).toEqual([
      { fileName: 'mcp-tunnel-support-20260101T000000Z.tar.gz', base64: btoa('archive bytes') },
    ]);
    expect(within(screen.getByTestId('bundle-files')).getByText('window 360 min')).toBeTruthy();
    expect(screen.getByRole('status').textContent).toMatch(
      /Saved mcp-tunnel-support-20260101T000000Z\.tar\.gz/,
    );
  });

  it('downloads through the browser by default: a Blob URL on an <a download> that is clicked', async () => {
    const createObjectURL = vi.fn((_b: Blob) => 'blob:bundle');
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const clicks: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push(this);
    });
    renderWithStores(<BundlePage />, bridge());
    await userEvent.setup().click(screen.getByRole('button', { name: 'Create and download' }));
    await act(flush);
    expect(clicks).toHaveLength(1);
    expect(clicks[0]!.download).toBe('mcp-tunnel-support-20260101T000000Z.tar.gz');
    expect(clicks[0]!.href).toBe('blob:bundle');
    const blob = createObjectURL.mock.calls[0]![0];
    expect(new TextDecoder().decode(await bytesOf(blob))).toBe('archive bytes');
    expect(document.querySelector('a[download]')).toBeNull();
  });

  it('decodes base64 exactly (binary bytes survive)', async () => {
    let blob: Blob | undefined;
    Object.assign(URL, {
      createObjectURL: (b: Blob) => ((blob = b), 'blob:x'),
      revokeObjectURL: () => undefined,
    });
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    browserDownload({ fileName: 'b.tar.gz', base64: btoa(String.fromCharCode(0x1f, 0x8b, 0x00, 0xff)) });
    expect([...(await bytesOf(blob!))]).toEqual([0x1f, 0x8b, 0x00, 0xff]);
  });
});
