// The watched node's weights and gradients as the run last sent them (protocol WeightsMessage), outside React: the
// Inspector's heatmaps select the entry of the node they show, so an update re-renders only them. No DOM here.
import type { WeightsMessage } from '../../protocol/messages';

type Listener = () => void;

export class WeightsStore {
  private latest: WeightsMessage | null = null;
  private readonly listeners = new Set<Listener>();

  update(m: WeightsMessage): void {
    this.latest = m;
    this.emit();
  }

  clear(): void {
    if (!this.latest) return;
    this.latest = null;
    this.emit();
  }

  /** The node's latest weights, or null (none sent, or sent for another node). */
  get(nodeId: string): WeightsMessage | null {
    return this.latest?.nodeId === nodeId ? this.latest : null;
  }

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }
}
