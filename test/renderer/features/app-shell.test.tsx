// @vitest-environment jsdom
import '../browser-stubs.js';
import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/app/app.js';
import { BridgeError } from '../../../renderer/bridge/bridge.js';
import { FakeBridge, flush, tunnel } from '../fake-bridge.js';
import { renderWithStores } from '../render-with-stores.js';

afterEach(() => history.replaceState(null, '', '/'));

function bridge() {
  return new FakeBridge()
    .handle('status.get', () => ({ version: '0.1.0', rev: 1, tunnels: [tunnel()] }))
    .handle('requests.list', () => ({ records: [] }))
    .handle('logs.tail', () => ({ entries: [], lastSeq: 0 }))
    .handle('logs.getLevel', () => ({ level: 'info' }))
    .handle('doctor.run', () => {
      throw new BridgeError(
        'unavailable',
        'Doctor is not available in this process; run `mcp-tunnel doctor`.',
      );
    });
}

describe('App shell', () => {
  it('navigates by hash links, marks the current page, and moves focus to the content', async () => {
    const fake = bridge();
    renderWithStores(<App />, fake);
    await act(flush);
    const nav = screen.getByRole('navigation', { name: 'Pages' });
    expect(within(nav).getByRole('link', { name: 'Overview' }).getAttribute('aria-current')).toBe('page');
    await act(async () => {
      location.hash = '#/doctor';
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
    expect(screen.getByRole('heading', { level: 1, name: 'Doctor' })).toBeTruthy();
    expect(within(nav).getByRole('link', { name: 'Doctor' }).getAttribute('aria-current')).toBe('page');
    expect(document.activeElement?.id).toBe('main');
  });

  it('shows doctor as unavailable, calmly, with the terminal alternative', async () => {
    history.replaceState(null, '', '/#/doctor');
    renderWithStores(<App />, bridge());
    await act(flush);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Run checks' }));
    await act(flush);
    expect(screen.getByRole('heading', { name: 'Doctor is not available in this daemon' })).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('tells the user when the event stream drops and when the token is no longer accepted', async () => {
    const fake = bridge();
    renderWithStores(<App />, fake);
    await act(flush);
    act(() => fake.setLive('live'));
    expect(screen.getByText('Live')).toBeTruthy();
    act(() => fake.setLive('reconnecting'));
    expect(screen.getByText(/Lost the live connection/)).toBeTruthy();
    act(() => fake.setLive('unauthorized'));
    expect(screen.getByRole('alert').textContent).toMatch(/admin token/);
  });
});
