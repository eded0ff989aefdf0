// The step walk-through's state, outside React: the trace of the walked step (protocol WalkthroughMessage), the
// frames it is replayed in (each computed node's forward in the compiled order, each node's backward in the order it
// ran, then each parameterised node's update) and the frame shown. Nodes and edges select their own mark
// (nodeMark, edgeMark: strings), so moving one frame re-renders only the nodes and edges whose mark changes.
// No DOM here, so Node tests use it.
import type { EdgeTrace, StepTrace } from '../../protocol/messages';

export type Phase = 'forward' | 'backward' | 'update';

export interface Frame {
  phase: Phase;
  /** Position within its phase, 0-based, and the phase's length. */
  index: number;
  count: number;
  node: string;
}

/**
 * A node's state at the frame shown: 'active' (the frame's node), 'computed' (its output is known: fed, or its forward
 * done), 'differentiated' (its backward done), 'updated' (its parameters stepped).
 */
export type NodeMark = 'active' | 'computed' | 'differentiated' | 'updated';

/**
 * An edge's state: 'flow' (a value flowing into the forward's active node), 'grad-in' (a gradient arriving at the
 * backward's active node), 'grad-out' (a gradient it sends to an input), 'grad' (a gradient carried earlier).
 */
export type EdgeMark = 'flow' | 'grad-in' | 'grad-out' | 'grad';

type Listener = () => void;

export class WalkStore {
  trace: StepTrace | null = null;
  frames: Frame[] = [];
  /** The frame shown; -1 when the walk-through is closed. */
  at = -1;
  private forwardAt = new Map<string, number>();
  private backwardAt = new Map<string, number>();
  private updateAt = new Map<string, number>();
  private fed = new Set<string>();
  private readonly listeners = new Set<Listener>();

  get isOpen(): boolean {
    return this.at >= 0 && this.trace !== null;
  }

  get frame(): Frame | null {
    return this.isOpen ? this.frames[this.at] : null;
  }

  /** A new trace: the walk-through opens at `at` (its first frame unless given). */
  load(trace: StepTrace, at = 0): void {
    this.trace = trace;
    const phase = (p: Phase, nodes: string[]): Frame[] => nodes.map((node, index) => ({ phase: p, index, count: nodes.length, node }));
    this.frames = [
      ...phase(
        'forward',
        trace.forward.map((f) => f.node),
      ),
      ...phase(
        'backward',
        trace.backward.map((b) => b.node),
      ),
      ...phase(
        'update',
        trace.update.map((u) => u.node),
      ),
    ];
    this.forwardAt = new Map(trace.forward.map((f, i) => [f.node, i]));
    this.backwardAt = new Map(trace.backward.map((b, i) => [b.node, i]));
    this.updateAt = new Map(trace.update.map((u, i) => [u.node, i]));
    this.fed = new Set(trace.feeds.map((f) => f.node));
    this.at = this.frames.length ? Math.max(0, Math.min(at, this.frames.length - 1)) : -1;
    this.emit();
  }

  goTo(i: number): void {
    if (!this.trace || !this.frames.length) return;
    const to = Math.max(0, Math.min(i, this.frames.length - 1));
    if (to === this.at) return;
    this.at = to;
    this.emit();
  }

  next(): void {
    this.goTo(this.at + 1);
  }

  previous(): void {
    this.goTo(this.at - 1);
  }

  end(): void {
    this.goTo(this.frames.length - 1);
  }

  get atEnd(): boolean {
    return this.at === this.frames.length - 1;
  }

  close(): void {
    if (this.at < 0) return;
    this.at = -1;
    this.emit();
  }

  /** Forget the trace (Reset weights, a new run). */
  clear(): void {
    if (!this.trace) return;
    this.trace = null;
    this.frames = [];
    this.at = -1;
    this.emit();
  }

  nodeMark(id: string): NodeMark | null {
    const f = this.frame;
    if (!f) return null;
    if (f.node === id) return 'active';
    const before = (map: Map<string, number>, phase: Phase) => {
      const i = map.get(id);
      return i !== undefined && (f.phase !== phase ? PHASES.indexOf(f.phase) > PHASES.indexOf(phase) : i < f.index);
    };
    if (before(this.updateAt, 'update')) return 'updated';
    if (before(this.backwardAt, 'backward')) return 'differentiated';
    if (this.fed.has(id) || before(this.forwardAt, 'forward')) return 'computed';
    return null;
  }

  /**
   * The edge's mark. With `from` and `to`, only if the trace's edge at `index` joins those nodes: the document's edges
   * may have changed since the step was walked (the trace indexes them by position, as the host does).
   */
  edgeMark(index: number, from?: string, to?: string): EdgeMark | null {
    const f = this.frame;
    const e = this.trace?.edges[index];
    if (!f || !e || (from !== undefined && (e.from !== from || e.to !== to))) return null;
    if (f.phase === 'forward') return e.to === f.node ? 'flow' : null;
    if (!e.grad) return null;
    if (f.phase === 'update') return 'grad';
    if (e.to === f.node) return 'grad-out';
    if (e.from === f.node) return 'grad-in';
    const consumer = this.backwardAt.get(e.to);
    return consumer !== undefined && consumer < f.index ? 'grad' : null;
  }

  /** The edge's record in the trace (its gradient), once the backward has sent one along it. */
  edgeGrad(index: number, from?: string, to?: string): EdgeTrace | null {
    const mark = this.edgeMark(index, from, to);
    return mark && mark !== 'flow' ? this.trace!.edges[index] : null;
  }

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }
}

const PHASES: readonly Phase[] = ['forward', 'backward', 'update'];

/** "forward 3/6 · fc1": where the walk-through is. */
export function frameLabel(f: Frame): string {
  return `${f.phase} ${f.index + 1}/${f.count} · ${f.node}`;
}
