// The model's last gradient check (protocol GradCheckMessage) as the host last sent it: running, done or failed.
// Read with useGradCheck; the Inspector's result panel re-renders only when a new message arrives. No DOM here.
import { useSyncExternalStore } from 'react';
import type { GradCheckMessage } from '../../protocol/messages';

type Listener = () => void;

export class GradCheckStore {
  private msg: GradCheckMessage | null = null;
  private readonly listeners = new Set<Listener>();

  get current(): GradCheckMessage | null {
    return this.msg;
  }

  apply(msg: GradCheckMessage): void {
    this.msg = msg;
    for (const l of [...this.listeners]) l();
  }

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
}

export const gradCheck = new GradCheckStore();

export function useGradCheck(): GradCheckMessage | null {
  return useSyncExternalStore(gradCheck.subscribe, () => gradCheck.current);
}
