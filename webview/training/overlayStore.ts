// The live training overlay's data in the webview, outside React: the latest RMS gradient and flag of every
// edge (by the edge's index in the model's `edges`, as the host sends them) and its last HISTORY values for the
// hover sparkline; each parameterised node's statistics (gradient RMS, weight RMS, update ratio) and
// parameter-gradient norm; the adaptive ranges they are drawn on (adaptiveRange.ts); the colour step each edge
// and node shows in the chosen mode (gradient, update or weight); and the flag counts for the legend.
// Components read it through useSyncExternalStore with small selectors (canvas/ShapeEdge.tsx's GradientPath,
// the node badge, the legend, the depth profile, the tooltip), so an update re-renders only what changed and
// never a node's body. No DOM here, so Node tests use it.
import type { EdgeFlag, GradientUpdate, OverlayMode, ParamStats } from '../../protocol/messages';
import { OVERLAY_MODES } from '../../protocol/messages';
import { AdaptiveRange } from './adaptiveRange';
import { formatShort, nextStep, scaleStep, STEPS, styleKey, UPDATE_RANGE, type LogRange } from './scale';
import { stableTopologicalOrder } from '../../engine/graph/algorithms';

/** Values kept per edge for the sparkline. */
export const HISTORY = 100;

export interface EdgeCell {
  value: number;
  flag: EdgeFlag | null;
}

/** One bar of the depth profile: a parameterised node, in forward order. */
export interface DepthBar {
  id: string;
  gradRms: number;
  /** ‖∇θ‖ (the host's paramNorms), when sent. */
  norm?: number;
}

interface NodeSteps {
  update: number;
  weight: number;
}

type Listener = () => void;

export class OverlayStore {
  private values: number[] = [];
  private flags: (EdgeFlag | null)[] = [];
  /** Per edge: the gradient colour step shown (-1 none), which follows the value with hysteresis (scale.ts). */
  private gradSteps = new Int16Array(0);
  /** Per edge: a ring of the last HISTORY values, oldest first once unrolled. */
  private rings: Float64Array[] = [];
  private ringStart = 0;
  private ringCount = 0;
  private norms: Record<string, number> = {};
  /** The parameterised nodes' statistics of the latest update, in the order the host sent them. */
  private params = new Map<string, ParamStats>();
  private nodeSteps = new Map<string, NodeSteps>();
  private readonly gradientRange = new AdaptiveRange();
  private readonly weightRange = new AdaptiveRange();
  private readonly depthRange = new AdaptiveRange();
  private listeners = new Set<Listener>();
  /** Bumped on every change: snapshots built from the store are cached against it. */
  version = 0;
  step = -1;
  vanishing = 0;
  exploding = 0;
  /** What the edges and node badges show (the workspace's `overlayMode` preference). */
  mode: OverlayMode = 'gradient';
  /** The document's edges, as `from>to:port|…`, and how many there are: updates must match. */
  private shape: string | null = null;
  private edgeCount: number | null = null;
  /** Source and target node of each edge (from the shape), for the modes drawn on the edges leaving a node. */
  private edgeEnds: { from: string; to: string }[] = [];
  private orderCache: { key: string; order: string[] } | null = null;
  private profileCache: { version: number; bars: DepthBar[] } | null = null;

  get hasData(): boolean {
    return this.step >= 0;
  }

  get edgeTotal(): number {
    return this.values.length;
  }

  /** How many parameterised nodes the latest update described (0 when the run sends no parameter statistics). */
  get paramCount(): number {
    return this.params.size;
  }

  /** The document's edges changed shape (added, removed, reordered): the indices no longer match, so clear. */
  setShape(signature: string, edgeCount: number): void {
    const changed = this.shape !== null && this.shape !== signature;
    this.shape = signature;
    this.edgeCount = edgeCount;
    this.edgeEnds = edgeCount === 0 ? [] : signature.split('|').map(parseEdge);
    this.orderCache = null;
    if (changed || (this.hasData && this.values.length !== edgeCount)) this.clear();
  }

  /** The mode chosen in the legend; unknown values are ignored. */
  setMode(mode: OverlayMode): void {
    if (mode === this.mode || !OVERLAY_MODES.includes(mode)) return;
    this.mode = mode;
    this.emit();
  }

  /** One update from the host. Returns false (and changes nothing) when it does not fit the document. */
  update(u: GradientUpdate): boolean {
    if (this.edgeCount !== null && u.edges.length !== this.edgeCount) return false;
    if (u.step === this.step && u.edges.length === this.values.length) return true; // sent again (a view re-attached)
    // An earlier step than the last one is a new run: its history and scales start afresh.
    if (u.step < this.step || u.edges.length !== this.values.length) this.reset(u.edges.length);
    const slot = (this.ringStart + this.ringCount) % HISTORY;
    const rescaled = this.gradientRange.observe(u.edges);
    const range = this.gradientRange.range;
    let vanishing = 0,
      exploding = 0;
    for (let i = 0; i < u.edges.length; i++) {
      const v = u.edges[i];
      const f = u.flags[i] ?? null;
      this.values[i] = v;
      this.flags[i] = f;
      // A new range restyles every edge from scratch; otherwise an edge keeps its step until it really moves.
      this.gradSteps[i] = stepOn(range, rescaled ? -1 : this.gradSteps[i], v);
      this.rings[i][slot] = v;
      if (f === 'vanishing') vanishing++;
      else if (f === 'exploding') exploding++;
    }
    if (this.ringCount < HISTORY) this.ringCount++;
    else this.ringStart = (this.ringStart + 1) % HISTORY;
    this.norms = u.paramNorms;
    this.updateParams(u.params);
    this.step = u.step;
    this.vanishing = vanishing;
    this.exploding = exploding;
    this.emit();
    return true;
  }

  private updateParams(params: Record<string, ParamStats> | undefined): void {
    const next = new Map(params ? Object.entries(params) : []);
    const stats = [...next.values()];
    const rescaled = this.weightRange.observe(stats.map((p) => p.weightRms));
    this.depthRange.observe(stats.map((p) => p.gradRms));
    const range = this.weightRange.range;
    const steps = new Map<string, NodeSteps>();
    for (const [id, p] of next) {
      const old = this.nodeSteps.get(id);
      steps.set(id, {
        update: nextStep(old?.update ?? -1, p.updateRatio, UPDATE_RANGE),
        weight: stepOn(range, rescaled || !old ? -1 : old.weight, p.weightRms),
      });
    }
    this.params = next;
    this.nodeSteps = steps;
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
    this.gradSteps = new Int16Array(edges).fill(-1);
    this.rings = Array.from({ length: edges }, () => new Float64Array(HISTORY));
    this.ringStart = this.ringCount = 0;
    this.norms = {};
    this.params = new Map();
    this.nodeSteps = new Map();
    this.gradientRange.reset();
    this.weightRange.reset();
    this.depthRange.reset();
    this.vanishing = this.exploding = 0;
  }

  /** The latest value and flag of edge `index`, or null when there is none. */
  cell(index: number): EdgeCell | null {
    if (!this.hasData || index < 0 || index >= this.values.length) return null;
    return { value: this.values[index], flag: this.flags[index] };
  }

  /**
   * What an edge's look depends on in the current mode (scale.ts styleKey): its gradient step, or the step of
   * the parameterised node it leaves (update, weight; neutral when it leaves none), and its gradient flag.
   */
  styleKey(index: number): string {
    if (!this.hasData || index < 0 || index >= this.values.length) return '';
    const flag = this.flags[index];
    if (this.mode === 'gradient') return styleKey('g', this.gradSteps[index], flag);
    const s = this.nodeSteps.get(this.edgeEnds[index]?.from ?? '');
    if (!s) return styleKey('n', 0, flag);
    return this.mode === 'update' ? styleKey('h', s.update, flag) : styleKey('g', s.weight, flag);
  }

  /** The source node of edge `index` (from the document's shape), if known. */
  edgeSource(index: number): string | undefined {
    return this.edgeEnds[index]?.from;
  }

  flag(index: number): EdgeFlag | null {
    return this.hasData ? (this.flags[index] ?? null) : null;
  }

  /**
   * What a node's badge shows, as one string: '' in gradient mode or for a node without statistics; else the
   * ramp and step (as in styleKey) and the value to two significant digits, `h13|1.2e-3`. It changes when the
   * shown value does, so the badge re-renders then and the node never.
   */
  badgeKey(nodeId: string): string {
    if (!this.hasData || this.mode === 'gradient') return '';
    const p = this.params.get(nodeId);
    const s = this.nodeSteps.get(nodeId);
    if (!p || !s) return '';
    return this.mode === 'update' ? `h${s.update}|${formatShort(p.updateRatio)}` : `g${s.weight}|${formatShort(p.weightRms)}`;
  }

  paramStats(nodeId: string): ParamStats | undefined {
    return this.params.get(nodeId);
  }

  /** The log range the current mode draws on, or null before there is one. */
  range(mode: OverlayMode = this.mode): LogRange | null {
    if (mode === 'update') return UPDATE_RANGE;
    return mode === 'weight' ? this.weightRange.range : this.gradientRange.range;
  }

  /** The depth profile's log range (over the nodes' parameter-gradient RMS). */
  get depthProfileRange(): LogRange | null {
    return this.depthRange.range;
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

  /** The parameterised nodes in forward order with their gradient RMS and norm (cached per update). */
  depthProfile(): DepthBar[] {
    if (this.profileCache?.version === this.version) return this.profileCache.bars;
    const bars = this.forwardOrder().map((id) => {
      const norm = this.paramNorm(id);
      return { id, gradRms: this.params.get(id)!.gradRms, ...(norm !== undefined ? { norm } : {}) };
    });
    this.profileCache = { version: this.version, bars };
    return bars;
  }

  /**
   * The parameterised nodes in forward order. The host sends them in the engine's topological order; the
   * document's edges make sure of it: a node comes after every parameterised node it is reachable from, and
   * otherwise keeps the host's order (so a valid order from the host comes out unchanged).
   */
  forwardOrder(): string[] {
    const ids = [...this.params.keys()];
    const key = ids.join(',');
    if (this.orderCache?.key === key) return this.orderCache.order;
    const order = stableTopologicalOrder(ids, this.edgeEnds);
    this.orderCache = { key, order };
    return order;
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

/** The step of `value` on `range` after `shown` (-1: none yet), or -1 for no value; Infinity tops any scale. */
function stepOn(range: LogRange | null, shown: number, value: number): number {
  if (!range) return value === Infinity ? STEPS : -1;
  return shown < 0 ? scaleStep(value, range) : nextStep(shown, value, range);
}

function parseEdge(text: string): { from: string; to: string } {
  const m = /^(.*)>(.*):[^:]*$/.exec(text);
  return m ? { from: m[1], to: m[2] } : { from: '', to: '' };
}
