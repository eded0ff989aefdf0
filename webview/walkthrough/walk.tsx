// The page's walk-through store and the hook components read it with; the trace comes in through showTrace. Where the
// person is in a trace is kept in the webview's saved state, so a page that reloads (a hidden tab shown again) opens
// it where they left it, or not at all if they closed it.
import { useCallback, useSyncExternalStore, type ReactNode } from 'react';
import type { StepTrace } from '../../protocol/messages';
import { savedState, saveState } from '../host';
import { WalkStore } from './walkStore';

export const walk = new WalkStore();

/** A value selected from the walk-through; `select` must return a primitive or an object the store keeps. */
export function useWalk<T>(select: (s: WalkStore) => T): T {
  const get = useCallback(() => select(walk), [select]);
  return useSyncExternalStore(walk.subscribe, get);
}

/** Its children only while the walk-through is closed (the hover card would cover its card). */
export function HiddenWhileWalking({ children }: { children: ReactNode }) {
  const open = useWalk(selectOpen);
  return open ? null : children;
}
const selectOpen = (s: WalkStore) => s.isOpen;

/** A trace from the host: opened at its first frame, unless this page already showed it. */
export function showTrace(trace: StepTrace): void {
  const seen = savedState().walkthrough;
  const same = seen?.step === trace.step;
  walk.load(trace, same ? seen.at : 0);
  if (same && seen.closed) walk.close();
}

walk.subscribe(() => {
  if (!walk.trace) return;
  const prev = savedState().walkthrough;
  const at = walk.isOpen ? walk.at : prev?.step === walk.trace.step ? prev.at : 0;
  saveState({ walkthrough: { step: walk.trace.step, at, closed: !walk.isOpen } });
});
