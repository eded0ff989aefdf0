// Which node the pointer is over (for the node hover card), outside React state so hovering re-renders only the
// card: the canvas sets it from React Flow's node enter/leave events and clears it when the view starts to move.
import { useSyncExternalStore } from 'react';

let current: string | null = null;
const listeners = new Set<() => void>();

export function setNodeHover(nodeId: string | null): void {
  if (nodeId === current) return;
  current = nodeId;
  for (const l of [...listeners]) l();
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

/** The hovered node's id, or null. */
export function useNodeHover(): string | null {
  return useSyncExternalStore(subscribe, () => current);
}
