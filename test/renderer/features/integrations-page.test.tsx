// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { IntegrationsPage } from '../../../renderer/features/integrations/integrations-page.js';
import { FakeBridge, tunnel } from '../fake-bridge.js';
import { renderWithStores } from '../render-with-stores.js';

function bridge() {
  let added = false;
  return new FakeBridge()
    .handle('status.get', () => ({ version: '0.1.0', rev: 1, tunnels: [tunnel()] }))
    .handle('requests.list', () => ({ records: [] }))
    .handle('logs.tail', () => ({ entries: [], lastSeq: 0 }))
    .handle('logs.getLevel', () => ({ level: 'info' }))
    .handle('integrations.codex.preview', ({ name, tokenMode }) => ({
      configPath: '/home/me/.codex/config.toml',
      name: name ?? 'mcp-tunnel-demo',
      entryToml: `[mcp_servers.${name}]\nurl = "http://127.0.0.1:9/v1/mcp"\n${tokenMode === 'header' ? 'http_headers = { Authorization = "Bearer ct_…" }' : 'bearer_token_env_var = "MCP_TUNNEL_TOKEN"'}\n`,
      notes: ['Restart Codex to load the entry.'],
      replaces: added,
    }))
    .handle('integrations.codex.add', () => {
      added = true;
      return { configPath: '/home/me/.codex/config.toml', changed: true };
    })
    .handle('integrations.codex.remove', () => ({ removed: true }))
    .handle('integrations.codex.verify', () => ({
      ok: true,
      code: 'ok',
      message: "Codex sees 'mcp-tunnel-demo' as written.",
    }));
}

describe('IntegrationsPage', () => {
  it('shows the exact entry before Add, then adds, verifies and removes', async () => {
    const user = userEvent.setup();
    const b = bridge();
    renderWithStores(<IntegrationsPage />, b);
    const add = await screen.findByRole('button', { name: 'Add to Codex' });
    expect((add as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByRole('radio', { name: /Authorization header/ }));
    await user.click(screen.getByRole('button', { name: 'Show entry' }));
    const entry = await screen.findByLabelText('Codex entry');
    expect(entry.textContent).toContain('[mcp_servers.mcp-tunnel-demo]');
    expect(entry.textContent).toContain('Bearer ct_…');
    await user.click(screen.getByRole('button', { name: 'Add to Codex' }));
    await waitFor(() => expect(screen.getByText(/Added to \/home\/me\/.codex\/config.toml/)).toBeTruthy());
    expect(b.callsOf('integrations.codex.add')).toEqual([
      { tunnelId: 'demo', tokenMode: 'header', name: 'mcp-tunnel-demo' },
    ]);
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(screen.getByText(/as written/)).toBeTruthy());
    await user.click(screen.getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(screen.getByText("Removed 'mcp-tunnel-demo' from Codex.")).toBeTruthy());
  });

  it('explains when no tunnel can be added', async () => {
    const b = bridge().handle('status.get', () => ({
      version: '0.1.0',
      rev: 1,
      tunnels: [tunnel({ mcpUrl: undefined })],
    }));
    renderWithStores(<IntegrationsPage />, b);
    expect(await screen.findByText(/No tunnel with an MCP URL here yet/)).toBeTruthy();
  });
});
