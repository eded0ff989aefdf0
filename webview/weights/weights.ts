// The page's store of the watched node's weights (the run's `weights` messages) and the hook to read it.
import { useCallback, useSyncExternalStore } from 'react';
import { WeightsStore } from './weightsStore';

export const weights = new WeightsStore();

export function useWeights<T>(select: (s: WeightsStore) => T): T {
  const get = useCallback(() => select(weights), [select]);
  return useSyncExternalStore(weights.subscribe, get);
}
