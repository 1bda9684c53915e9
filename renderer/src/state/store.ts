// The store: one state value, changed only by producers, read through selectors with React's
// useSyncExternalStore (derived values are computed in the selector, not stored).
import { useSyncExternalStore } from 'react';
import type { Producer } from './producers.ts';
import { initialState, type State } from './types.ts';

let state: State = initialState;
const listeners = new Set<() => void>();

export function update(producer: Producer): void {
  state = producer(state);
  for (const listener of listeners) listener();
}

export function current(): State {
  return state;
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useStore<T>(select: (state: State) => T): T {
  return useSyncExternalStore(subscribe, () => select(state));
}
