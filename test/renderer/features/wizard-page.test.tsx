// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ProfileDraft } from '../../../preload/contract/index.js';
import { WizardPage } from '../../../renderer/features/wizard/wizard-page.js';
import { FakeBridge } from '../fake-bridge.js';
import { renderWithStores } from '../render-with-stores.js';

const KEY = 'sk-proj-typedkey0123456789';

function bridge() {
  return new FakeBridge()
    .handle('status.get', () => ({ version: '0.1.0', rev: 1, tunnels: [] }))
    .handle('requests.list', () => ({ records: [] }))
    .handle('logs.tail', () => ({ entries: [], lastSeq: 0 }))
    .handle('logs.getLevel', () => ({ level: 'info' }))
    .handle('profiles.validate', ({ draft }) => ({
      issues: [
        ...(draft.connection !== 'demo' && !draft.tunnelId
          ? [{ path: 'control_plane.tunnel_id', message: 'Enter the tunnel id (tunnel_…).' }]
          : []),
        ...(draft.name ? [] : [{ path: 'name', message: 'Name the profile.' }]),
      ],
    }))
    .handle('probe.command', ({ command }) =>
      command.startsWith('node')
        ? { ok: true, message: 'Found /usr/bin/node.', resolvedPath: '/usr/bin/node' }
        : { ok: false, message: `'${command.split(' ')[0]}' is not on the server's PATH: install it.` },
    )
    .handle('probe.url', () => ({
      ok: true,
      message: 'everything answered initialize (protocol 2025-06-18).',
    }))
    .handle('profiles.save', ({ draft }) => ({
      name: draft.name,
      connection: draft.connection,
      channels: [],
      autostart: draft.autostart,
    }))
    .handle('doctor.run', ({ profile }) => ({
      profile: profile ?? '',
      ok: true,
      checks: [{ id: 'channel:main:initialize', status: 'pass', summary: 'demo answered initialize' }],
    }));
}

describe('WizardPage', () => {
  it('validates as you type, checks the command, and saves with the key only in secrets', async () => {
    const user = userEvent.setup();
    const b = bridge();
    renderWithStores(<WizardPage />, b);

    const name = screen.getByLabelText('Profile name');
    await waitFor(() => expect(screen.getByText('Name the profile.')).toBeTruthy());
    expect(name.getAttribute('aria-invalid')).toBe('true');
    await user.type(name, 'files');
    await waitFor(() => expect(screen.queryByText('Name the profile.')).toBeNull());
    expect(screen.getByText('Enter the tunnel id (tunnel_…).')).toBeTruthy();
    await user.type(screen.getByLabelText('Tunnel id'), `tunnel_${'a'.repeat(32)}`);
    await waitFor(() => expect(screen.queryByText('Enter the tunnel id (tunnel_…).')).toBeNull());

    await user.click(screen.getByRole('button', { name: 'Next' }));
    const key = screen.getByLabelText('Runtime API key');
    expect(key.getAttribute('type')).toBe('password');
    await user.type(key, KEY);

    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.type(screen.getByLabelText('Command'), 'nope-server');
    await waitFor(() => expect(screen.getByText(/not on the server's PATH/)).toBeTruthy());
    await user.clear(screen.getByLabelText('Command'));
    await user.type(screen.getByLabelText('Command'), 'node server.js');
    await waitFor(() => expect(screen.getByText('Found /usr/bin/node.')).toBeTruthy());

    await user.click(screen.getByRole('button', { name: /Review/ }));
    await waitFor(() => expect(screen.getByText(/Everything checks out/)).toBeTruthy());
    await user.click(screen.getByRole('button', { name: 'Save and start' }));
    await waitFor(() => expect(screen.getByText(/demo answered initialize/)).toBeTruthy());

    const [save] = b.callsOf('profiles.save') as Array<{
      draft: ProfileDraft;
      secrets?: { apiKey?: string };
      start?: boolean;
    }>;
    expect(save?.start).toBe(true);
    expect(save?.secrets).toEqual({ apiKey: KEY });
    expect(JSON.stringify(save?.draft)).not.toContain(KEY);
    expect(save?.draft.channels).toEqual([{ name: 'main', kind: 'stdio', command: 'node server.js' }]);
    expect(b.callsOf('doctor.run')).toEqual([{ profile: 'files' }]);
    expect(b.callsOf('profiles.validate').every((p) => !JSON.stringify(p).includes(KEY))).toBe(true);
  });

  it('probes a URL on request and offers the demo without a key', async () => {
    const user = userEvent.setup();
    const b = bridge();
    renderWithStores(<WizardPage />, b);
    await user.click(screen.getByRole('radio', { name: /Local demo/ }));
    expect(screen.queryByLabelText('Tunnel id')).toBeNull();
    await user.click(screen.getByRole('button', { name: /Key/ }));
    expect(screen.getByText(/needs no key/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: /MCP server/ }));
    await user.click(screen.getByRole('radio', { name: /URL/ }));
    await user.type(screen.getByLabelText('Server URL'), 'http://127.0.0.1:3000/mcp');
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    await waitFor(() => expect(screen.getByText(/answered initialize/)).toBeTruthy());
    expect(b.callsOf('probe.url')).toEqual([{ url: 'http://127.0.0.1:3000/mcp' }]);
  });
});
