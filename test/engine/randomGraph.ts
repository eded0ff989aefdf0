/**
 * A seeded generator of random, valid *.nn.json models over the whole op set, with matching feeds.
 *
 * randomModel(seed) builds a graph from one or two float32 Inputs (vectors, sequences or NCHW images)
 * and sometimes an int32 Input feeding Embeddings, grows it with random ops (Linear, Conv2d, pooling,
 * Flatten, Reshape with -1, every activation, Dropout, both norms, Add with 2–3 inputs and residual
 * branches, Sub/Mul/Div, Pow, Exp/Log, Neg, Sum/Mean, Concat), then ends it in one to three losses or
 * in a single sink (the loss then being the sum of that sink).
 *
 * The generator does its own shape arithmetic (it never asks the engine), so `types` is an independent
 * statement of every node's static type, with 'N' for the batch, and `paramShapes` of every parameter.
 *
 * Values are kept in a numerically tame range so that the graphs can be gradient-checked:
 *  - every tensor carries a rough magnitude (`scale`) and a range class: 'unit' (|v| ≤ 1), 'prob'
 *    (in (0, 1): Sigmoid, Softmax), 'pos' (in [1/e, e]: Exp of a unit value) or 'any';
 *  - Exp only takes unit values (Exp(Tanh(…)) when needed), Log only 'pos' or 'prob' values, a
 *    divisor is always 'pos' (Exp(Tanh(…)) or Sigmoid(…) + Exp(Tanh(…)), so at least 1/e), fractional
 *    and negative powers only take 'pos' values, integer powers and products only small magnitudes.
 *
 * Feeds: float Inputs and MSE targets are standard normal, BCE targets uniform in [0, 1), int32
 * indices uniform below the Embedding's numEmbeddings, class labels uniform below the number of
 * classes. All float values are float32-exact, so a feed written as JSON reads back to the same tensor.
 */
import { Random, analyzeModel, type Dim, type EdgeJson, type ModelJson, type NodeJson, type TensorType } from '../../engine';

export type FeedDType = 'float32' | 'int32';
export interface Feed {
  shape: number[];
  data: number[];
  dtype: FeedDType;
}
export type Feeds = Record<string, Feed>;

/** Hints for random feeds: exclusive upper bounds of int32 sources, Targets that take probabilities. */
export interface FeedHints {
  intRanges: Record<string, number>;
  probTargets: string[];
}

export interface RandomModel {
  model: ModelJson;
  /** Feeds for `batch` samples. */
  feeds: Feeds;
  batch: number;
  /** Static type of every node by the generator's own arithmetic (batch as 'N'). */
  types: Record<string, TensorType>;
  /** Shape of every parameter and buffer, by state-dict key. */
  paramShapes: Record<string, number[]>;
  /** Keys of buffers (BatchNorm running statistics). */
  buffers: string[];
  hints: FeedHints;
  /** Ops the graph uses. */
  ops: Set<string>;
  /** Feeds for another batch size (and seed). */
  feedsFor(batch: number, seed?: number): Feeds;
}

type Kind = 'any' | 'unit' | 'prob' | 'pos';

interface Val {
  id: string;
  shape: Dim[];
  dtype: FeedDType;
  kind: Kind;
  /** Rough magnitude of the values. */
  scale: number;
  uses: number;
  source: boolean;
}

/** Largest number of values per sample any generated tensor may have. */
const MAX_SAMPLE = 256;

const sizeOfDims = (s: readonly Dim[]) => s.reduce<number>((p, d) => p * (d === 'N' ? 1 : d), 1);
const batched = (v: Val) => v.shape.length >= 1 && v.shape[0] === 'N';

/** NumPy broadcasting of static shapes, N meeting only N or 1 (the format's rule); null when they do not broadcast. */
export function broadcastDims(a: readonly Dim[], b: readonly Dim[]): Dim[] | null {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const da = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
    const db = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else return null;
  }
  return out;
}

/** The batch may only lead: shapes where N shows up elsewhere are legal but avoided here. */
const tidy = (s: readonly Dim[]) => s.every((d, i) => d !== 'N' || i === 0);

class Builder {
  readonly nodes: NodeJson[] = [];
  readonly edges: EdgeJson[] = [];
  readonly pool: Val[] = [];
  readonly types: Record<string, TensorType> = {};
  readonly paramShapes: Record<string, number[]> = {};
  readonly buffers: string[] = [];
  readonly intRanges: Record<string, number> = {};
  readonly probTargets: string[] = [];
  readonly ops = new Set<string>();
  private readonly counters = new Map<string, number>();

  constructor(readonly rng: Random) {}

  chance(p: number): boolean {
    return this.rng.uniform() < p;
  }
  int(lo: number, hi: number): number {
    return lo + this.rng.int(hi - lo + 1);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.rng.int(xs.length)];
  }

  /** Writes an attribute, leaving it out half the time when it equals the default. */
  attr(attrs: Record<string, unknown>, name: string, value: unknown, def?: unknown): void {
    if (def !== undefined && JSON.stringify(value) === JSON.stringify(def) && this.chance(0.5)) return;
    attrs[name] = value;
  }

  node(op: string, inputs: Val[], attrs: Record<string, unknown>, out: { shape: Dim[]; dtype?: FeedDType; kind: Kind; scale: number }, base?: string): Val {
    const prefix = base ?? op.toLowerCase();
    const k = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, k);
    const id = `${prefix}${k}`;
    const n: NodeJson = { id, op };
    if (Object.keys(attrs).length > 0 || this.chance(0.1)) n.attrs = attrs;
    if (this.chance(0.3)) n.ui = { x: this.int(0, 800), y: this.int(0, 600) };
    this.nodes.push(n);
    inputs.forEach((v, port) => {
      const e: EdgeJson = { from: v.id, to: id };
      if (port > 0 || this.chance(0.5)) e.port = port;
      this.edges.push(e);
      v.uses++;
    });
    const val: Val = {
      id,
      shape: out.shape,
      dtype: out.dtype ?? 'float32',
      kind: out.kind,
      scale: out.scale,
      uses: 0,
      source: op === 'Input' || op === 'Target',
    };
    this.types[id] = { shape: [...out.shape], dtype: val.dtype };
    this.ops.add(op);
    if (op !== 'Target' && !op.endsWith('Loss')) this.pool.push(val);
    return val;
  }

  param(nodeId: string, name: string, shape: number[], buffer = false): void {
    this.paramShapes[`${nodeId}.${name}`] = shape;
    if (buffer) this.buffers.push(`${nodeId}.${name}`);
  }

  /** A value from the pool passing `ok`, preferring ones nothing uses yet. */
  choose(ok: (v: Val) => boolean): Val | null {
    const all = this.pool.filter(ok);
    if (all.length === 0) return null;
    const unused = all.filter((v) => v.uses === 0);
    return unused.length && this.chance(0.7) ? this.pick(unused) : this.pick(all);
  }

  // ───────────────────────────── sources ─────────────────────────────

  input(shape: number[], dtype: FeedDType = 'float32'): Val {
    const attrs: Record<string, unknown> = { shape };
    this.attr(attrs, 'dtype', dtype, 'float32');
    return this.node('Input', [], attrs, { shape: ['N', ...shape], dtype, kind: 'any', scale: 1 }, dtype === 'int32' ? 'idx' : 'x');
  }

  // ───────────────────────────── layers ─────────────────────────────

  linear(x: Val, out = this.int(1, 6)): Val | null {
    if (x.dtype !== 'float32' || !batched(x) || x.shape.length < 2) return null;
    const inF = x.shape[x.shape.length - 1];
    if (inF === 'N') return null;
    const shape: Dim[] = [...x.shape.slice(0, -1), out];
    if (sizeOfDims(shape) > MAX_SAMPLE) return null;
    const bias = this.chance(0.8);
    const attrs: Record<string, unknown> = { outFeatures: out };
    this.attr(attrs, 'bias', bias, true);
    const v = this.node('Linear', [x], attrs, { shape, kind: 'any', scale: 0.8 * x.scale + 0.5 }, 'fc');
    this.param(v.id, 'weight', [out, inF]);
    if (bias) this.param(v.id, 'bias', [out]);
    return v;
  }

  private pair(a: number, b: number, def?: number): number | [number, number] {
    if (a === b && (def === undefined || this.chance(0.8))) return a;
    return [a, b];
  }

  conv(x: Val): Val | null {
    if (x.dtype !== 'float32' || !batched(x) || x.shape.length !== 4) return null;
    const [, c, h, w] = x.shape as [Dim, number, number, number];
    for (let tries = 0; tries < 10; tries++) {
      const sq = this.chance(0.7);
      const kh = this.int(1, Math.min(3, h + 1)),
        kw = sq ? kh : this.int(1, Math.min(3, w + 1));
      const sh = this.int(1, 2),
        sw = sq || this.chance(0.5) ? sh : this.int(1, 2);
      const ph = this.int(0, 1),
        pw = sq ? ph : this.int(0, 1);
      const oh = Math.floor((h + 2 * ph - kh) / sh) + 1,
        ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
      const outC = this.int(1, 3);
      if (oh < 1 || ow < 1 || outC * oh * ow > MAX_SAMPLE) continue;
      const bias = this.chance(0.8);
      const attrs: Record<string, unknown> = { outChannels: outC, kernelSize: this.pair(kh, kw) };
      this.attr(attrs, 'stride', this.pair(sh, sw), 1);
      this.attr(attrs, 'padding', this.pair(ph, pw), 0);
      this.attr(attrs, 'bias', bias, true);
      const v = this.node('Conv2d', [x], attrs, { shape: ['N', outC, oh, ow], kind: 'any', scale: 0.8 * x.scale + 0.5 }, 'conv');
      this.param(v.id, 'weight', [outC, c, kh, kw]);
      if (bias) this.param(v.id, 'bias', [outC]);
      return v;
    }
    return null;
  }

  pool2d(x: Val, op = this.chance(0.5) ? 'MaxPool2d' : 'AvgPool2d'): Val | null {
    if (x.dtype !== 'float32' || !batched(x) || x.shape.length !== 4) return null;
    const [, c, h, w] = x.shape as [Dim, number, number, number];
    for (let tries = 0; tries < 10; tries++) {
      const sq = this.chance(0.7);
      const kh = this.int(1, Math.min(3, h)),
        kw = sq ? kh : this.int(1, Math.min(3, w));
      const explicitStride = this.chance(0.5);
      const sh = explicitStride ? this.int(1, 2) : kh,
        sw = explicitStride ? (sq ? sh : this.int(1, 2)) : kw;
      // Padding at most half the kernel, as PyTorch requires.
      const ph = this.int(0, Math.floor(kh / 2)),
        pw = sq && kh === kw ? ph : this.int(0, Math.floor(kw / 2));
      const oh = Math.floor((h + 2 * ph - kh) / sh) + 1,
        ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
      if (oh < 1 || ow < 1) continue;
      const attrs: Record<string, unknown> = { kernelSize: this.pair(kh, kw) };
      if (explicitStride) attrs.stride = this.pair(sh, sw);
      this.attr(attrs, 'padding', this.pair(ph, pw), 0);
      return this.node(
        op,
        [x],
        attrs,
        { shape: ['N', c, oh, ow], kind: x.kind === 'unit' || x.kind === 'prob' ? 'unit' : 'any', scale: x.scale },
        op === 'MaxPool2d' ? 'maxpool' : 'avgpool',
      );
    }
    return null;
  }

  flatten(x: Val): Val | null {
    if (!batched(x) || x.shape.length < 2 || !tidy(x.shape)) return null;
    return this.node('Flatten', [x], {}, { shape: ['N', sizeOfDims(x.shape)], dtype: x.dtype, kind: x.kind, scale: x.scale });
  }

  /** A random factorisation of the per-sample size, with one -1 half the time. */
  reshape(x: Val, target?: number[]): Val | null {
    if (!batched(x) || !tidy(x.shape)) return null;
    const total = sizeOfDims(x.shape);
    let dims = target;
    if (!dims) {
      dims = [];
      let rest = total;
      const parts = this.int(1, 3);
      for (let i = 0; i < parts - 1; i++) {
        const divisors = Array.from({ length: rest }, (_, j) => j + 1).filter((d) => rest % d === 0);
        const d = this.pick(divisors);
        dims.push(d);
        rest /= d;
      }
      dims.push(rest);
      for (let i = dims.length - 1; i > 0; i--) {
        const j = this.rng.int(i + 1);
        [dims[i], dims[j]] = [dims[j], dims[i]];
      }
    }
    const written: number[] = [...dims];
    if (this.chance(0.5)) written[this.rng.int(written.length)] = -1;
    return this.node('Reshape', [x], { shape: written }, { shape: ['N', ...dims], dtype: x.dtype, kind: x.kind, scale: x.scale });
  }

  unary(op: string, x: Val): Val | null {
    if (x.dtype !== 'float32') return null;
    const attrs: Record<string, unknown> = {};
    let kind: Kind = 'any';
    let scale = x.scale;
    const dim = () => {
      const r = x.shape.length;
      // Mostly a dim after the batch; sometimes the batch itself.
      const d = batched(x) && r > 1 && this.chance(0.85) ? this.int(1, r - 1) : this.int(0, r - 1);
      return this.chance(0.5) ? d - r : d;
    };
    switch (op) {
      case 'ReLU':
        kind = 'any';
        break;
      case 'LeakyReLU':
        this.attr(attrs, 'negativeSlope', this.pick([0.01, 0.2, -0.1]), 0.01);
        break;
      case 'Tanh':
        kind = 'unit';
        scale = Math.min(1, scale);
        break;
      case 'Sigmoid':
        kind = 'prob';
        scale = Math.min(1, scale);
        break;
      case 'GELU':
        this.attr(attrs, 'approximate', this.pick(['none', 'tanh']), 'none');
        break;
      case 'Softmax':
      case 'LogSoftmax': {
        if (x.shape.length === 0) return null;
        this.attr(attrs, 'dim', dim(), -1);
        if (op === 'Softmax') {
          kind = 'prob';
          scale = 1;
        } else scale = 2 * scale + 3;
        break;
      }
      case 'Exp':
        if (x.kind !== 'unit' && x.kind !== 'prob') return null;
        kind = 'pos';
        scale = 2.8;
        break;
      case 'Log':
        if (x.kind !== 'pos' && x.kind !== 'prob') return null;
        scale = x.kind === 'pos' ? 1 : 10;
        break;
      case 'Neg':
        kind = x.kind === 'unit' || x.kind === 'prob' ? 'unit' : 'any';
        break;
      case 'Dropout': {
        const p = this.pick([0, 0.2, 0.5, 0.5]);
        this.attr(attrs, 'p', p, 0.5);
        scale = x.scale / (1 - p);
        break;
      }
      default:
        throw new Error(`unary: ${op}`);
    }
    if (scale > 30) return null;
    return this.node(op, [x], attrs, { shape: [...x.shape], kind, scale });
  }

  /** Exp(Tanh(x)): a value in [1/e, e]. */
  positive(x: Val): Val | null {
    const t = this.unary('Tanh', x);
    return t && this.unary('Exp', t);
  }

  norm(x: Val, op = this.chance(0.5) ? 'BatchNorm1d' : 'LayerNorm'): Val | null {
    if (x.dtype !== 'float32' || !batched(x) || x.shape.length < 2) return null;
    if (op === 'BatchNorm1d' && x.shape.length !== 2) return null;
    const last = x.shape[x.shape.length - 1] as number;
    const c = op === 'BatchNorm1d' ? (x.shape[1] as number) : last;
    const attrs: Record<string, unknown> = {};
    const affine = this.chance(0.8);
    this.attr(attrs, 'eps', this.pick([1e-5, 1e-3]), 1e-5);
    if (op === 'BatchNorm1d') this.attr(attrs, 'momentum', this.pick([0.1, 0.3]), 0.1);
    this.attr(attrs, 'affine', affine, true);
    const v = this.node(op, [x], attrs, { shape: [...x.shape], kind: 'any', scale: Math.max(2, x.scale) }, op === 'BatchNorm1d' ? 'bn' : 'ln');
    if (affine) {
      this.param(v.id, 'weight', [c]);
      this.param(v.id, 'bias', [c]);
    }
    if (op === 'BatchNorm1d') {
      this.param(v.id, 'running_mean', [c], true);
      this.param(v.id, 'running_var', [c], true);
    }
    return v;
  }

  embedding(idx: Val): Val | null {
    if (idx.dtype !== 'int32' || !batched(idx)) return null;
    const range = this.intRanges[idx.id] ?? this.intRanges[this.sourceOf(idx)];
    const num = range === undefined ? this.int(2, 6) : this.int(range, range + 2);
    const dim = this.int(1, 4);
    const shape: Dim[] = [...idx.shape, dim];
    if (sizeOfDims(shape) > MAX_SAMPLE) return null;
    const v = this.node('Embedding', [idx], { numEmbeddings: num, embeddingDim: dim }, { shape, kind: 'any', scale: 2.5 }, 'emb');
    this.param(v.id, 'weight', [num, dim]);
    const src = this.sourceOf(idx);
    this.intRanges[src] = Math.min(this.intRanges[src] ?? Infinity, num);
    return v;
  }

  /** The Input an int32 value comes from (through Flatten/Reshape). */
  private sourceOf(v: Val): string {
    let id = v.id;
    for (;;) {
      const e = this.edges.find((x) => x.to === id);
      if (!e) return id;
      id = e.from;
    }
  }

  // ───────────────────────────── merges and math ─────────────────────────────

  /** A partner for x: same shape, or one that broadcasts with it to a tidy, small shape. */
  partner(x: Val, extra: (v: Val) => boolean = () => true): Val | null {
    return this.choose((v) => {
      if (v.dtype !== 'float32' || !extra(v)) return false;
      const r = broadcastDims(x.shape, v.shape);
      return !!r && tidy(r) && r.length <= 5 && sizeOfDims(r) <= MAX_SAMPLE && (batched(x) || !batched(v) || r[0] === 'N');
    });
  }

  binary(op: 'Add' | 'Sub' | 'Mul', x: Val): Val | null {
    if (x.dtype !== 'float32') return null;
    const n = op === 'Add' ? (this.chance(0.25) ? 3 : 2) : 2;
    const ins: Val[] = [x];
    for (let i = 1; i < n; i++) {
      // The very same value twice now and then: one node feeding two ports.
      const y = this.chance(0.12) ? ins[0] : this.partner(ins.reduce((a, b) => ({ ...a, shape: broadcastDims(a.shape, b.shape)! })));
      if (!y) return null;
      ins.push(y);
    }
    let shape: Dim[] = ins[0].shape;
    for (const v of ins.slice(1)) shape = broadcastDims(shape, v.shape)!;
    if (!tidy(shape) || sizeOfDims(shape) > MAX_SAMPLE) return null;
    const scale = op === 'Mul' ? ins[0].scale * ins[1].scale : ins.reduce((s, v) => s + v.scale, 0);
    if (scale > 30) return null;
    const order = this.chance(0.5) ? ins : [...ins].reverse();
    const unitProduct = op === 'Mul' && ins.every((v) => v.kind === 'unit' || v.kind === 'prob');
    return this.node(op, order, {}, { shape, kind: unitProduct ? 'unit' : 'any', scale });
  }

  /** x → Linear(same width) → activation [→ Linear] → Add(x, branch): x feeds two edges. */
  residual(x: Val): Val | null {
    if (x.dtype !== 'float32' || !batched(x) || x.shape.length < 2 || x.scale > 10) return null;
    const width = x.shape[x.shape.length - 1] as number;
    let h = this.linear(x, width);
    if (!h) return null;
    h = this.unary(this.pick(['ReLU', 'Tanh', 'GELU', 'LeakyReLU']), h) ?? h;
    if (this.chance(0.5)) h = this.linear(h, width) ?? h;
    return this.node('Add', this.chance(0.5) ? [x, h] : [h, x], {}, { shape: [...x.shape], kind: 'any', scale: x.scale + h.scale }, 'res');
  }

  div(x: Val): Val | null {
    if (x.dtype !== 'float32') return null;
    let d = this.chance(0.3) ? this.partner(x, (v) => v.kind === 'pos') : null;
    if (!d) {
      const p = this.chance(0.3) ? x : this.partner(x);
      if (!p) return null;
      d = this.positive(p);
      if (d && this.chance(0.4)) {
        // Sigmoid(q) + Exp(Tanh(p)): still at least 1/e.
        const q = this.partner(d) ?? p;
        const s = this.unary('Sigmoid', q);
        if (s) {
          const shape = broadcastDims(d.shape, s.shape);
          if (shape && tidy(shape) && sizeOfDims(shape) <= MAX_SAMPLE) d = this.node('Add', [s, d], {}, { shape, kind: 'pos', scale: 3.8 });
        }
      }
    }
    if (!d) return null;
    const shape = broadcastDims(x.shape, d.shape);
    if (!shape || !tidy(shape) || sizeOfDims(shape) > MAX_SAMPLE) return null;
    return this.node('Div', [x, d], {}, { shape, kind: 'any', scale: x.scale * 2.8 });
  }

  pow(x: Val): Val | null {
    if (x.dtype !== 'float32') return null;
    let exponent: number;
    let kind: Kind = 'any';
    let scale: number;
    if (x.kind === 'pos') {
      exponent = this.pick([0.5, -0.5, -1, 1.5, 2, 3, -2]);
      if (Math.abs(exponent) <= 1) kind = 'pos';
      scale = 22;
    } else if (x.scale <= 3) {
      exponent = this.pick([2, 2, 3, 1, 0]);
      scale = Math.max(1, x.scale ** exponent);
    } else return null;
    return this.node('Pow', [x], { exponent }, { shape: [...x.shape], kind, scale });
  }

  reduce(x: Val, op = this.chance(0.5) ? 'Sum' : 'Mean'): Val | null {
    if (x.dtype !== 'float32' || x.shape.length === 0) return null;
    const r = x.shape.length;
    const attrs: Record<string, unknown> = {};
    let dims: number[];
    const choice = this.rng.uniform();
    if (batched(x) && r >= 2 && choice < 0.35) {
      dims = Array.from({ length: r - 1 }, (_, i) => i + 1);
    } else {
      const canSkipBatch = batched(x) && r >= 2;
      const pool = Array.from({ length: r }, (_, i) => i).filter((d) => !canSkipBatch || d > 0 || this.chance(0.15));
      const k = pool.length >= 2 && this.chance(0.3) ? 2 : 1;
      dims = [];
      while (dims.length < k) {
        const d = this.pick(pool);
        if (!dims.includes(d)) dims.push(d);
      }
      const written = dims.map((d) => (this.chance(0.5) ? d - r : d));
      attrs.dim = written.length === 1 && this.chance(0.6) ? written[0] : written;
    }
    const keepDim = this.chance(0.3);
    this.attr(attrs, 'keepDim', keepDim, false);
    const shape = keepDim ? x.shape.map((d, i) => (dims.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !dims.includes(i));
    // A batch reduced away: the count is at most the largest batch the tests use (5).
    const count = dims.reduce((p, d) => p * (x.shape[d] === 'N' ? 5 : (x.shape[d] as number)), 1);
    if (op === 'Sum' && x.scale * count > 30) op = 'Mean';
    return this.node(op, [x], attrs, {
      shape,
      kind: op === 'Mean' && (x.kind === 'unit' || x.kind === 'prob' || x.kind === 'pos') ? x.kind : 'any',
      scale: op === 'Sum' ? x.scale * count : x.scale,
    });
  }

  concat(x: Val): Val | null {
    if (x.dtype !== 'float32' || x.shape.length === 0) return null;
    const r = x.shape.length;
    const lo = batched(x) ? 1 : 0;
    if (r <= lo) return null;
    const d = this.int(lo, r - 1);
    const n = this.chance(0.3) ? 3 : 2;
    const ins: Val[] = [x];
    for (let i = 1; i < n; i++) {
      let y: Val | null = null;
      const roll = this.rng.uniform();
      if (roll < 0.15) y = x;
      else if (roll < 0.5 && d === r - 1 && batched(x) && r >= 2) y = this.linear(x, this.int(1, 3));
      else y = this.choose((v) => v.dtype === 'float32' && v.shape.length === r && v.shape.every((s, j) => j === d || s === x.shape[j]));
      if (!y) return null;
      ins.push(y);
    }
    const total = ins.reduce((s, v) => s + (v.shape[d] as number), 0);
    const shape = x.shape.map((s, j) => (j === d ? total : s));
    if (sizeOfDims(shape) > MAX_SAMPLE) return null;
    const attrs: Record<string, unknown> = {};
    this.attr(attrs, 'dim', this.chance(0.5) ? d - r : d, -1);
    return this.node('Concat', ins, attrs, { shape, kind: ins.every((v) => v.kind === x.kind) ? x.kind : 'any', scale: Math.max(...ins.map((v) => v.scale)) });
  }

  // ───────────────────────────── endings ─────────────────────────────

  /** Reduce a value to [N] (batched) or a scalar, for merging. */
  toVector(v: Val): Val {
    if (batched(v)) {
      if (v.shape.length === 1) return v;
      const op = v.scale * sizeOfDims(v.shape) > 30 || this.chance(0.5) ? 'Mean' : 'Sum';
      return this.node(op, [v], {}, { shape: ['N'], kind: 'any', scale: op === 'Sum' ? v.scale * sizeOfDims(v.shape) : v.scale });
    }
    if (v.shape.length === 0) return v;
    const dims = v.shape.map((_, i) => i);
    return this.node('Mean', [v], { dim: dims.length === 1 && this.chance(0.5) ? 0 : dims }, { shape: [], kind: 'any', scale: v.scale });
  }

  merge(vals: Val[]): Val | null {
    if (vals.length === 0) return null;
    const vs = vals.map((v) => this.toVector(v));
    if (vs.length === 1) return vs[0];
    const shape: Dim[] = vs.some((v) => v.shape.length === 1) ? ['N'] : [];
    return this.node('Add', vs.slice(0, 60), {}, { shape, kind: 'any', scale: vs.reduce((s, v) => s + v.scale, 0) }, 'merge');
  }

  /** Add a merged [N] or scalar value into a batched prediction (broadcasting). */
  mergeInto(p: Val, m: Val): Val {
    let mm = m;
    if (m.shape.length === 1 && p.shape.length > 1) mm = this.reshape(m, Array(p.shape.length - 1).fill(1))!;
    return this.node('Add', this.chance(0.5) ? [p, mm] : [mm, p], {}, { shape: [...p.shape], kind: 'any', scale: p.scale + m.scale }, 'merge');
  }
}

/** A random valid model and feeds for 3 samples. */
export function randomModel(seed: number): RandomModel {
  const rng = new Random(seed, 'randomGraph');
  const b = new Builder(rng);

  // Sources: one or two float Inputs, and sometimes int32 indices through Embeddings.
  const family = b.pick(['dense', 'dense', 'seq', 'image', 'image', 'embed']);
  if (family === 'image') {
    b.input([b.int(1, 2), b.int(4, 7), b.int(4, 7)]);
    if (b.chance(0.3)) b.input([b.int(2, 5)]);
  } else if (family === 'seq') {
    b.input([b.int(2, 3), b.int(2, 4)]);
  } else if (family === 'embed') {
    const shape = b.pick([[], [2], [3], [2, 2]]);
    const idx = b.input(shape, 'int32');
    const flat = shape.length === 2 && b.chance(0.5) ? b.flatten(idx)! : idx;
    b.embedding(flat);
    if (b.chance(0.4)) b.embedding(idx); // one int source, two Embeddings
    if (b.chance(0.5)) b.input([b.int(2, 4)]);
  } else {
    b.input([b.int(2, 6)]);
    if (b.chance(0.4)) b.input([b.int(1, 5)]);
  }

  const steps = b.int(3, 11);
  const unaryOps = ['ReLU', 'LeakyReLU', 'Tanh', 'Sigmoid', 'GELU', 'Softmax', 'LogSoftmax', 'Exp', 'Log', 'Neg', 'Dropout'];
  const float = (v: { dtype: FeedDType }) => v.dtype === 'float32';
  const moves: [number, () => Val | null][] = [
    [
      4,
      () => {
        const x = b.choose((v) => float(v) && batched(v) && v.shape.length >= 2);
        return x && b.linear(x);
      },
    ],
    [
      3,
      () => {
        const x = b.choose((v) => float(v) && v.shape.length === 4);
        return x && b.conv(x);
      },
    ],
    [
      2,
      () => {
        const x = b.choose((v) => float(v) && v.shape.length === 4);
        return x && b.pool2d(x);
      },
    ],
    [
      1,
      () => {
        const x = b.choose((v) => float(v) && batched(v) && v.shape.length >= 3);
        return x && b.flatten(x);
      },
    ],
    [
      1.5,
      () => {
        const x = b.choose((v) => float(v) && batched(v) && v.shape.length >= 2);
        return x && b.reshape(x);
      },
    ],
    [
      6,
      () => {
        const x = b.choose(float);
        if (!x) return null;
        const op = b.pick(unaryOps);
        return op === 'Exp'
          ? (b.unary('Exp', x) ?? b.positive(x))
          : op === 'Log'
            ? (b.unary('Log', x) ?? b.unary('Log', b.unary('Sigmoid', x) ?? x))
            : b.unary(op, x);
      },
    ],
    [
      1.5,
      () => {
        const x = b.choose((v) => float(v) && batched(v) && v.shape.length >= 2);
        return x && b.norm(x);
      },
    ],
    [
      1,
      () => {
        const x = b.choose((v) => v.dtype === 'int32');
        return x && b.embedding(x);
      },
    ],
    [
      2,
      () => {
        const x = b.choose(float);
        return x && b.binary('Add', x);
      },
    ],
    [
      1.5,
      () => {
        const x = b.choose(float);
        return x && b.binary(b.chance(0.5) ? 'Sub' : 'Mul', x);
      },
    ],
    [
      1.5,
      () => {
        const x = b.choose((v) => float(v) && batched(v) && v.shape.length >= 2);
        return x && b.residual(x);
      },
    ],
    [
      1,
      () => {
        const x = b.choose(float);
        return x && b.div(x);
      },
    ],
    [
      1,
      () => {
        const x = b.choose(float);
        return x && b.pow(x);
      },
    ],
    [
      1.5,
      () => {
        const x = b.choose((v) => float(v) && v.shape.length >= 1);
        return x && b.reduce(x);
      },
    ],
    [
      1,
      () => {
        const x = b.choose((v) => float(v) && v.shape.length >= 1);
        return x && b.concat(x);
      },
    ],
  ];
  const totalWeight = moves.reduce((s, [w]) => s + w, 0);
  let made = 0;
  for (let tries = 0; made < steps && tries < steps * 20; tries++) {
    let r = rng.uniform() * totalWeight;
    const move = moves.find(([w]) => (r -= w) < 0) ?? moves[0];
    if (move[1]()) made++;
  }
  if (!b.pool.some((v) => !v.source))
    b.unary(
      'Tanh',
      b.pool.find((v) => v.dtype === 'float32')!,
    );

  // Endings: no loss (the loss is the sum of the single sink), or one to three losses.
  const unused = () => b.pool.filter((v) => !v.source && v.uses === 0 && v.dtype === 'float32');
  const roll = rng.uniform();
  const nLosses = roll < 0.25 ? 0 : roll < 0.8 ? 1 : roll < 0.95 ? 2 : 3;
  if (nLosses === 0) {
    b.merge(unused());
  } else {
    const preds: { kind: string; pred: Val }[] = [];
    for (let i = 0; i < nLosses; i++) {
      const kind = b.pick(['MSELoss', 'CrossEntropyLoss', 'BCEWithLogitsLoss']);
      const ok = (v: Val) => float(v) && batched(v) && !preds.some((p) => p.pred === v);
      let pred = unused().find(ok) ?? b.choose(ok);
      if (!pred) continue;
      if (kind === 'CrossEntropyLoss' && (pred.shape.length !== 2 || b.chance(0.3))) {
        if (pred.shape.length === 1) pred = b.reshape(pred, [1])!;
        if (pred.shape.length > 2) pred = b.flatten(pred)!;
        pred = b.linear(pred, b.int(2, 5)) ?? pred;
      }
      preds.push({ kind, pred });
    }
    const rest = unused().filter((v) => !preds.some((p) => p.pred === v));
    if (rest.length && preds.length && b.chance(0.85)) {
      preds[0].pred = b.mergeInto(preds[0].pred, b.merge(rest)!);
    }
    preds.forEach(({ kind, pred }) => {
      const ce = kind === 'CrossEntropyLoss';
      const tShape = ce ? [] : (pred.shape.slice(1) as number[]);
      const tAttrs: Record<string, unknown> = { shape: tShape };
      if (ce) tAttrs.dtype = 'int32';
      else b.attr(tAttrs, 'dtype', 'float32', 'float32');
      const t = b.node('Target', [], tAttrs, { shape: ['N', ...tShape], dtype: ce ? 'int32' : 'float32', kind: 'any', scale: 1 }, 'y');
      if (ce) b.intRanges[t.id] = pred.shape[1] as number;
      if (kind === 'BCEWithLogitsLoss') b.probTargets.push(t.id);
      b.node(kind, [pred, t], {}, { shape: [], kind: 'any', scale: 1 }, 'loss');
    });
  }

  const nodes = [...b.nodes];
  const edges = [...b.edges];
  // The file's order means nothing: shuffle now and then.
  const shuffle = <T>(xs: T[]) => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
  };
  if (b.chance(0.3)) shuffle(nodes);
  if (b.chance(0.3)) shuffle(edges);

  const model: ModelJson = { format: 'nn-graph', version: 1, name: `random graph ${seed}`, nodes, edges };
  if (b.chance(0.5)) model.training = { seed: b.int(0, 1000), ...(b.chance(0.3) ? { optimizer: { type: 'Adam' as const, lr: 0.01 } } : {}) };
  // Inline values for one small parameter now and then (params wins over the initialiser).
  const keys = Object.keys(b.paramShapes).filter((k) => !b.buffers.includes(k));
  if (keys.length && b.chance(0.3)) {
    const key = b.pick(keys);
    const shape = b.paramShapes[key];
    const size = shape.reduce((p, d) => p * d, 1);
    model.params = { [key]: { shape: [...shape], data: Array.from({ length: size }, () => Math.fround(0.5 * rng.normal())) } };
  }

  const hints: FeedHints = { intRanges: { ...b.intRanges }, probTargets: [...b.probTargets] };
  const batch = 3;
  return {
    model,
    feeds: randomFeeds(model, batch, seed, hints),
    batch,
    types: b.types,
    paramShapes: b.paramShapes,
    buffers: b.buffers,
    hints,
    ops: b.ops,
    feedsFor: (n, s = seed) => randomFeeds(model, n, s, hints),
  };
}

/**
 * Random feeds for every Input and Target of a model, `batch` samples each. Without hints, int32
 * ranges and probability targets are worked out from the model: indices stay below the numEmbeddings
 * of every Embedding they reach (through Flatten, Reshape and Concat), class labels below the number of
 * classes (the second dim of the CrossEntropyLoss logits, from shape inference), BCE targets in [0, 1).
 */
export function randomFeeds(model: ModelJson, batch: number, seed: number, hints?: FeedHints): Feeds {
  const h = hints ?? deriveHints(model);
  const rng = new Random(seed, 'feeds', batch);
  const feeds: Feeds = {};
  for (const n of model.nodes) {
    if (n.op !== 'Input' && n.op !== 'Target') continue;
    const attrs = (n.attrs ?? {}) as { shape?: number[]; dtype?: FeedDType };
    const dtype = attrs.dtype ?? 'float32';
    const shape = [batch, ...(attrs.shape ?? [])];
    const size = shape.reduce((p, d) => p * d, 1);
    let data: number[];
    if (dtype === 'int32') {
      const range = Object.hasOwn(h.intRanges, n.id) ? h.intRanges[n.id] : 4;
      data = Array.from({ length: size }, () => rng.int(range));
    } else if (h.probTargets.includes(n.id)) {
      data = Array.from({ length: size }, () => rng.uniform());
    } else {
      data = Array.from({ length: size }, () => Math.fround(rng.normal()));
    }
    // defineProperty: a node may be called "__proto__", which plain assignment would not store.
    Object.defineProperty(feeds, n.id, { value: { shape, data, dtype }, enumerable: true, writable: true, configurable: true });
  }
  return feeds;
}

function deriveHints(model: ModelJson): FeedHints {
  const intRanges: Record<string, number> = Object.create(null);
  const probTargets: string[] = [];
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  const out = new Map<string, { to: string; port: number }[]>();
  for (const e of model.edges) (out.get(e.from) ?? out.set(e.from, []).get(e.from)!).push({ to: e.to, port: e.port ?? 0 });
  let analysis: ReturnType<typeof analyzeModel> | null = null;
  for (const n of model.nodes) {
    if (n.op !== 'Input' && n.op !== 'Target') continue;
    let range = Infinity;
    const seen = new Set<string>();
    const walk = (id: string) => {
      for (const { to, port } of out.get(id) ?? []) {
        const t = byId.get(to);
        if (!t || seen.has(to)) continue;
        seen.add(to);
        const a = (t.attrs ?? {}) as Record<string, unknown>;
        if (t.op === 'Embedding' && typeof a.numEmbeddings === 'number') range = Math.min(range, a.numEmbeddings);
        else if (t.op === 'Flatten' || t.op === 'Reshape' || t.op === 'Concat') walk(to);
        else if (t.op === 'CrossEntropyLoss' && port === 1) {
          analysis ??= analyzeModel(model);
          const src = analysis.nodes.get(to)?.inputs[0];
          const c = src === undefined ? undefined : analysis.nodes.get(src)?.type?.shape[1];
          if (typeof c === 'number') range = Math.min(range, c);
        } else if (t.op === 'BCEWithLogitsLoss' && port === 1 && id === n.id) probTargets.push(n.id);
      }
    };
    walk(n.id);
    if (Number.isFinite(range)) intRanges[n.id] = range;
  }
  return { intRanges, probTargets };
}
