// The cost meter's figures: the latest step's measured phase and per-node times with their analytic FLOPs (protocol
// StepCostsMessage). Outside React, like the node statistics: the meter selects the stored message, so an update
// re-renders only the meter. No DOM here.
import type { StepCostsMessage } from '../../protocol/messages';

type Listener = () => void;

export class CostStore {
  current: StepCostsMessage | null = null;
  private readonly listeners = new Set<Listener>();

  update(m: StepCostsMessage): void {
    this.current = m;
    this.emit();
  }

  clear(): void {
    if (!this.current) return;
    this.current = null;
    this.emit();
  }

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }
}
