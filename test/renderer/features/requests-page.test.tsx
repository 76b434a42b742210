// @vitest-environment jsdom
import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { RequestsPage } from '../../../renderer/features/requests/requests-page.js';
import { FakeBridge, flush, record } from '../fake-bridge.js';
import { renderWithStores } from '../render-with-stores.js';

function setup() {
  const bridge = new FakeBridge()
    .handle('status.get', () => ({ version: '0.1.0', rev: 1, tunnels: [] }))
    .handle('logs.tail', () => ({ entries: [], lastSeq: 0 }))
    .handle('logs.getLevel', () => ({ level: 'info' }))
    .handle('requests.list', () => ({ records: [record(1, { toolName: 'echo' })] }));
  renderWithStores(<RequestsPage />, bridge);
  return bridge;
}

describe('Requests page', () => {
  it('lists requests newest first and adds live ones from requests.record events', async () => {
    const bridge = setup();
    await act(flush);
    const table = screen.getByRole('table', { name: 'Recent requests, newest first' });
    expect(within(table).getAllByRole('row')).toHaveLength(2);
    act(() =>
      bridge.emit(
        'requests.record',
        record(2, { toolName: 'add', outcome: 'failure', failureSource: 'mcp_transport', status: 502 }),
      ),
    );
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(within(rows[1]!).getByText('add')).toBeTruthy();
    expect(within(rows[1]!).getByText('failure')).toBeTruthy();
    // Latency as a timeline: an accessible label with the split.
    expect(within(rows[1]!).getByRole('img').getAttribute('aria-label')).toMatch(
      /queue 0\.20 ms, MCP 3\.0 ms, post 1\.0 ms/,
    );
  });

  it('filters to problems and by text', async () => {
    const bridge = setup();
    await act(flush);
    act(() => bridge.emit('requests.record', record(2, { toolName: 'add', outcome: 'expired' })));
    const user = userEvent.setup();
    await user.click(screen.getByRole('checkbox', { name: 'Only problems' }));
    const table = screen.getByRole('table');
    expect(within(table).queryByText('echo')).toBeNull();
    expect(within(table).getByText('add')).toBeTruthy();
    await user.click(screen.getByRole('checkbox', { name: 'Only problems' }));
    await user.type(screen.getByRole('searchbox', { name: 'Filter' }), 'echo');
    expect(within(table).queryByText('add')).toBeNull();
  });

  it('opens a detail view with sizes and redacted headers, never payloads', async () => {
    setup();
    await act(flush);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: /tools\/call\s*echo/ }));
    const detail = screen.getByRole('region', { name: /tools\/call/ });
    expect(within(detail).getByText('100 B')).toBeTruthy();
    expect(within(detail).getByText('200 B')).toBeTruthy();
    expect(within(detail).getByText('[REDACTED]')).toBeTruthy();
    expect(within(detail).getByText(/Payload bodies are never stored/)).toBeTruthy();
    await user.click(within(detail).getByRole('button', { name: 'Close request details' }));
    expect(screen.queryByRole('region', { name: /tools\/call/ })).toBeNull();
  });
});
