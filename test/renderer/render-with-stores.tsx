/** Renders UI with real stores around a FakeBridge, and Testing Library's cleanup after each test. */
import { cleanup, render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { afterEach } from 'vitest';
import { createStores, type StoresOptions } from '../../renderer/store/stores.js';
import { StoresProvider } from '../../renderer/store/stores-context.js';
import type { FakeBridge } from './fake-bridge.js';

afterEach(() => cleanup());

export function renderWithStores(ui: ReactElement, bridge: FakeBridge, options: StoresOptions = {}) {
  const stores = createStores(bridge, options);
  const stop = stores.start();
  const view = render(<StoresProvider stores={stores}>{ui}</StoresProvider>);
  return { ...view, stores, stop };
}
