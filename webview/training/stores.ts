// The page's two training stores (one document per webview) and the hooks components read them with.
// Messages from the host go in through handleTrainingMessage; React reads with selectors, so a component
// re-renders only when what it selects changes (an edge's colour step, the status, the chart series).
import { useCallback, useSyncExternalStore } from 'react';
import type { HostMessage } from '../../protocol/messages';
import { CostStore } from './costStore';
import { NodeStatsStore } from './nodeStatsStore';
import { OverlayStore } from './overlayStore';
import { SessionStore, type SessionView } from './sessionStore';
import { uiPrefs } from '../ui/uiPrefs';
import { showTrace, walk } from '../walkthrough/walk';
import { weights } from '../weights/weights';

export const overlay = new OverlayStore();
export const session = new SessionStore();
export const nodeStats = new NodeStatsStore();
export const costs = new CostStore();

// The overlay draws the mode chosen in its legend: a workspace preference, so every editor follows a change.
uiPrefs.subscribe(() => overlay.setMode(uiPrefs.current.overlayMode ?? 'gradient'));

const TRAINING_TYPES = [
  'trainingState',
  'trainingMetrics',
  'gradients',
  'boundary',
  'nodeStats',
  'stepCosts',
  'datasetPoints',
  'walkthrough',
  'weights',
] as const;
export type TrainingMessage = Extract<HostMessage, { type: (typeof TRAINING_TYPES)[number] }>;

export function isTrainingMessage(m: HostMessage): m is TrainingMessage {
  return (TRAINING_TYPES as readonly string[]).includes(m.type);
}

export function handleTrainingMessage(m: TrainingMessage): void {
  switch (m.type) {
    case 'trainingState': {
      // A new run or Reset weights: the overlay starts afresh.
      if (session.applyState(m)) {
        overlay.clear();
        nodeStats.clear();
        costs.clear();
        walk.clear();
        weights.clear();
      }
      break;
    }
    case 'trainingMetrics':
      session.applyMetrics(m.history, m.train);
      break;
    case 'gradients':
      overlay.update(m.update);
      break;
    case 'boundary':
      session.applyBoundary(m);
      break;
    case 'nodeStats':
      nodeStats.update(m);
      break;
    case 'stepCosts':
      costs.update(m);
      break;
    case 'datasetPoints':
      session.applyPoints(m);
      break;
    case 'walkthrough':
      showTrace(m.trace);
      break;
    case 'weights':
      weights.update(m);
      break;
  }
}

/** A value selected from the overlay; `select` must return a primitive or a cached object. */
export function useOverlay<T>(select: (o: OverlayStore) => T): T {
  const get = useCallback(() => select(overlay), [select]);
  return useSyncExternalStore(overlay.subscribe, get);
}

/** A value selected from the node statistics; `select` must return a primitive or a stored object. */
export function useNodeStats<T>(select: (s: NodeStatsStore) => T): T {
  const get = useCallback(() => select(nodeStats), [select]);
  return useSyncExternalStore(nodeStats.subscribe, get);
}

/** A value selected from the cost meter's store; `select` must return a primitive or the stored message. */
export function useCosts<T>(select: (c: CostStore) => T): T {
  const get = useCallback(() => select(costs), [select]);
  return useSyncExternalStore(costs.subscribe, get);
}

/** A value selected from the session view (immutable: each change is a new object). */
export function useSession<T>(select: (s: SessionView) => T): T {
  const get = useCallback(() => select(session.state), [select]);
  return useSyncExternalStore(session.subscribe, get);
}
