// @vitest-environment jsdom
import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { OverviewPage } from '../../../renderer/features/overview/overview-page.js';
import { FakeBridge, flush, tunnel } from '../fake-bridge.js';
import { renderWithStores } from '../render-with-stores.js';

function bridgeWithDemo() {
  return new FakeBridge()
    .handle('status.get', () => ({
      version: '0.1.0',
      rev: 1,
      tunnels: [tunnel({ errorsByKind: { poll_timeout: 2 } })],
    }))
    .handle('requests.list', () => ({ records: [] }))
    .handle('logs.tail', () => ({ entries: [], lastSeq: 0 }))
    .handle('logs.getLevel', () => ({ level: 'info' }));
}

describe('Overview page', () => {
  it('shows each tunnel with state, reason, next step, counters and channels', async () => {
    renderWithStores(<OverviewPage />, bridgeWithDemo());
    await act(flush);
    const card = screen.getByRole('region', { name: 'Demo' });
    expect(within(card).getByText('Ready')).toBeTruthy();
    expect(within(card).getByText('polling the control plane')).toBeTruthy();
    expect(within(card).getByText('Nothing to do.')).toBeTruthy();
    expect(within(card).getByText('poll_timeout 2')).toBeTruthy();
    const table = within(card).getByRole('table', { name: 'Channels of Demo' });
    expect(within(table).getByText('PID 4242')).toBeTruthy();
    expect(within(table).getByText('1 restart')).toBeTruthy();
    expect(within(table).getByText('passing')).toBeTruthy();
  });

  it('applies a status.tunnel delta: the state and its next step change in place', async () => {
    const bridge = bridgeWithDemo();
    renderWithStores(<OverviewPage />, bridge);
    await act(flush);
    act(() =>
      bridge.emit('status.tunnel', {
        rev: 2,
        tunnel: tunnel({
          state: {
            kind: 'auth_failed',
            reason: 'key rejected',
            nextStep: 'Check the key in the keychain.',
            since: 5,
          },
        }),
      }),
    );
    expect(screen.getByText('Key rejected')).toBeTruthy();
    expect(screen.getByText('Check the key in the keychain.')).toBeTruthy();
  });

  it('turns the tunnel off with the switch (keyboard), calling tunnels.stop', async () => {
    const bridge = bridgeWithDemo().handle('tunnels.stop', ({ id }) =>
      tunnel({
        id,
        enabled: false,
        state: { kind: 'stopped', reason: 'turned off', nextStep: 'Turn it on.', since: 9 },
      }),
    );
    renderWithStores(<OverviewPage />, bridge);
    await act(flush);
    const user = userEvent.setup();
    const toggle = screen.getByRole('switch', { name: 'Tunnel Demo on' });
    expect(toggle.getAttribute('aria-checked')).toBe('true');
    toggle.focus();
    await user.keyboard(' ');
    await act(flush);
    expect(bridge.callsOf('tunnels.stop')).toEqual([{ id: 'demo' }]);
    expect(screen.getByRole('switch', { name: 'Tunnel Demo off' }).getAttribute('aria-checked')).toBe(
      'false',
    );
    expect(screen.getByText('Stopped')).toBeTruthy();
  });

  it('keeps the connector token hidden until revealed, then offers copy and hide', async () => {
    const bridge = bridgeWithDemo().handle('tunnels.revealToken', () => ({
      connectorToken: 'ct_live_secret',
    }));
    renderWithStores(<OverviewPage />, bridge);
    await act(flush);
    expect(document.body.textContent).not.toContain('ct_live_secret');
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Reveal connector token' }));
    expect(screen.getByText('ct_live_secret')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy connector token' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Hide' }));
    expect(document.body.textContent).not.toContain('ct_live_secret');
  });
});
