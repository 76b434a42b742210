// @vitest-environment jsdom
import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { LogEntryDto } from '../../../preload/contract/index.js';
import { LogsPage } from '../../../renderer/features/logs/logs-page.js';
import { FakeBridge, flush } from '../fake-bridge.js';
import { renderWithStores } from '../render-with-stores.js';

const entry = (seq: number, level: LogEntryDto['level'], msg: string): LogEntryDto => ({
  seq,
  time: 1_000 * seq,
  level,
  msg,
  scope: 'engine',
});

function setup() {
  const bridge = new FakeBridge()
    .handle('status.get', () => ({ version: '0.1.0', rev: 1, tunnels: [] }))
    .handle('requests.list', () => ({ records: [] }))
    .handle('logs.tail', () => ({
      entries: [
        entry(1, 'debug', 'poll opened'),
        entry(2, 'info', 'tunnel ready'),
        entry(3, 'error', 'key rejected'),
      ],
      lastSeq: 3,
    }))
    .handle('logs.getLevel', () => ({ level: 'info' }))
    .handle('logs.setLevel', ({ level }) => ({ level }));
  renderWithStores(<LogsPage />, bridge);
  return bridge;
}

const shown = () =>
  within(screen.getByRole('log', { name: 'Log entries' }))
    .queryAllByText(/poll opened|tunnel ready|key rejected|late entry/)
    .map((e) => e.textContent);

describe('Logs page', () => {
  it('filters by level and by text', async () => {
    setup();
    await act(flush);
    expect(shown()).toEqual(['poll opened', 'tunnel ready', 'key rejected']);
    const user = userEvent.setup();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Show' }), 'warn');
    expect(shown()).toEqual(['key rejected']);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Show' }), 'debug');
    await user.type(screen.getByRole('searchbox', { name: 'Filter' }), 'ready');
    expect(shown()).toEqual(['tunnel ready']);
  });

  it('pauses the tail and resumes with what arrived meanwhile', async () => {
    const bridge = setup();
    await act(flush);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Pause' }));
    act(() => bridge.emit('logs.entry', entry(4, 'info', 'late entry')));
    expect(shown()).not.toContain('late entry');
    await user.click(screen.getByRole('button', { name: 'Resume (1 new)' }));
    expect(shown()).toContain('late entry');
  });

  it('switches the daemon log level at runtime', async () => {
    const bridge = setup();
    await act(flush);
    const select = screen.getByRole<HTMLSelectElement>('combobox', { name: 'Daemon log level' });
    expect(select.value).toBe('info');
    await userEvent.setup().selectOptions(select, 'debug');
    await act(flush);
    expect(bridge.callsOf('logs.setLevel')).toEqual([{ level: 'debug' }]);
    expect(select.value).toBe('debug');
  });
});
