// Which edge the pointer is over (for the gradient tooltip), outside React state so hovering re-renders
// only the tooltip.
import { useSyncExternalStore } from 'react';

export interface EdgeHover {
  edgeId: string;
  /** The edge's index in the model's `edges` (the overlay's key). */
  index: number;
  from: string;
  to: string;
  /** Pointer position in the canvas element, and the canvas's size. */
  x: number;
  y: number;
  width: number;
  height: number;
}

let current: EdgeHover | null = null;
const listeners = new Set<() => void>();

export function setHover(h: EdgeHover | null): void {
  if (h === current || (h === null && current === null)) return;
  current = h;
  for (const l of [...listeners]) l();
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export function useHover(): EdgeHover | null {
  return useSyncExternalStore(subscribe, () => current);
}
