// Every node's output and gradient statistics at the run's latest reported step (protocol NodeStatsMessage),
// for the node hover card and, later, the backprop walk-through's previews. Outside React, like the overlay: a
// component selects one node's entry, so an update re-renders only the card that shows it. No DOM here.
import type { NodeStats, NodeStatsMessage } from '../../protocol/messages';

type Listener = () => void;

export class NodeStatsStore {
  step = -1;
  private nodes: Record<string, NodeStats> = Object.create(null);
  private readonly listeners = new Set<Listener>();

  update(m: NodeStatsMessage): void {
    this.step = m.step;
    this.nodes = m.nodes;
    this.emit();
  }

  clear(): void {
    if (this.step < 0) return;
    this.step = -1;
    this.nodes = Object.create(null);
    this.emit();
  }

  /** The node's statistics at `step`, or undefined (no run yet, or a node the run did not have). */
  get(nodeId: string): NodeStats | undefined {
    return Object.prototype.hasOwnProperty.call(this.nodes, nodeId) ? this.nodes[nodeId] : undefined;
  }

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }
}
