/** React access to the stores: one provider at the root, one hook per slice with a selector. */
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { Stores } from './stores.js';

const StoresContext = createContext<Stores | undefined>(undefined);

export function StoresProvider({ stores, children }: { stores: Stores; children: ReactNode }) {
  return <StoresContext.Provider value={stores}>{children}</StoresContext.Provider>;
}

export function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('useStores outside <StoresProvider>');
  return stores;
}

type StateOf<S> = S extends StoreApi<infer T> ? T : never;

/** `useSlice('logs', (s) => s.entries)`: re-renders only when the selected value changes. */
export function useSlice<K extends Exclude<keyof Stores, 'start'>, U>(
  key: K,
  selector: (state: StateOf<Stores[K]>) => U,
): U {
  const store = useStores()[key] as unknown as StoreApi<unknown>;
  return useStore(store, selector as (state: unknown) => U);
}
