// The live gradient overlay's data in the webview, outside React: the latest RMS gradient and flag of every
// edge (by the edge's index in the model's `edges`, as the host sends them), the last HISTORY values of each
// for the hover sparkline, the parameter-gradient norms, and the flag counts for the legend. Components read
// it through useSyncExternalStore with small selectors (canvas/GradientPath.tsx, the legend, the tooltip),
// so an update re-renders only what changed and never a node. No DOM here, so Node tests use it.
import type { EdgeFlag, GradientUpdate } from '../../protocol/messages';
import { nextStep } from './scale';

/** Values kept per edge for the sparkline. */
export const HISTORY = 100;

export interface EdgeCell {
  value: number;
  flag: EdgeFlag | null;
}

type Listener = () => void;

export class OverlayStore {
  private values: number[] = [];
  private flags: (EdgeFlag | null)[] = [];
  /** Per edge: the colour step shown (-1 none), which follows the value with hysteresis (scale.ts). */
  private steps = new Int16Array(0);
  /** Per edge: a ring of the last HISTORY values, oldest first once unrolled. */
  private rings: Float64Array[] = [];
  private ringStart = 0;
  private ringCount = 0;
  private norms: Record<string, number> = {};
  private listeners = new Set<Listener>();
  /** Bumped on every change: snapshots built from the store are cached against it. */
  version = 0;
  step = -1;
  vanishing = 0;
  exploding = 0;
  /** The document's edges, as `from>to:port|…`, and how many there are: updates must match. */
  private shape: string | null = null;
  private edgeCount: number | null = null;

  get hasData(): boolean {
    return this.step >= 0;
  }

  get edgeTotal(): number {
    return this.values.length;
  }

  /** The document's edges changed shape (added, removed, reordered): the indices no longer match, so clear. */
  setShape(signature: string, edgeCount: number): void {
    const changed = this.shape !== null && this.shape !== signature;
    this.shape = signature;
    this.edgeCount = edgeCount;
    if (changed || (this.hasData && this.values.length !== edgeCount)) this.clear();
  }

  /** One update from the host. Returns false (and changes nothing) when it does not fit the document. */
  update(u: GradientUpdate): boolean {
    if (this.edgeCount !== null && u.edges.length !== this.edgeCount) return false;
    if (u.step === this.step && u.edges.length === this.values.length) return true; // sent again (a view re-attached)
    // An earlier step than the last one is a new run: its history starts afresh.
    if (u.step < this.step || u.edges.length !== this.values.length) this.reset(u.edges.length);
    const slot = (this.ringStart + this.ringCount) % HISTORY;
    let vanishing = 0, exploding = 0;
    for (let i = 0; i < u.edges.length; i++) {
      const v = u.edges[i];
      const f = u.flags[i] ?? null;
      this.values[i] = v;
      this.flags[i] = f;
      this.steps[i] = nextStep(this.steps[i], v);
      this.rings[i][slot] = v;
      if (f === 'vanishing') vanishing++;
      else if (f === 'exploding') exploding++;
    }
    if (this.ringCount < HISTORY) this.ringCount++;
    else this.ringStart = (this.ringStart + 1) % HISTORY;
    this.norms = u.paramNorms;
    this.step = u.step;
    this.vanishing = vanishing;
    this.exploding = exploding;
    this.emit();
    return true;
  }

  clear(): void {
    if (!this.hasData && this.values.length === 0) return;
    this.reset(0);
    this.step = -1;
    this.emit();
  }

  private reset(edges: number): void {
    this.values = new Array<number>(edges).fill(0);
    this.flags = new Array<EdgeFlag | null>(edges).fill(null);
    this.steps = new Int16Array(edges).fill(-1);
    this.rings = Array.from({ length: edges }, () => new Float64Array(HISTORY));
    this.ringStart = this.ringCount = 0;
    this.norms = {};
    this.vanishing = this.exploding = 0;
  }

  /** The latest value and flag of edge `index`, or null when there is none. */
  cell(index: number): EdgeCell | null {
    if (!this.hasData || index < 0 || index >= this.values.length) return null;
    return { value: this.values[index], flag: this.flags[index] };
  }

  /** What an edge's style depends on: the colour step it shows and its flag, as one string ('' without data). */
  styleKey(index: number): string {
    if (!this.hasData || index < 0 || index >= this.values.length) return '';
    return `${this.steps[index]}|${this.flags[index] ?? ''}`;
  }

  flag(index: number): EdgeFlag | null {
    return this.hasData ? (this.flags[index] ?? null) : null;
  }

  /** The last values of edge `index`, oldest first. */
  history(index: number): number[] {
    const ring = this.rings[index];
    if (!ring) return [];
    const out: number[] = [];
    for (let k = 0; k < this.ringCount; k++) out.push(ring[(this.ringStart + k) % HISTORY]);
    return out;
  }

  paramNorm(nodeId: string): number | undefined {
    return Object.prototype.hasOwnProperty.call(this.norms, nodeId) ? this.norms[nodeId] : undefined;
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private emit(): void {
    this.version++;
    for (const l of [...this.listeners]) l();
  }
}
