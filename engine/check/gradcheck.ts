/**
 * Check Gradients: the engine's float32 backward pass against central finite differences of the same model's loss
 * computed in float64, for every parameter and every float Input (docs/training.md, "Check gradients").
 *
 * One training-mode forward and backward on the current backend (whatever trains: the CPU today) gives every
 * gradient g at once. Then the model is copied, parameters and feed, into the CPU backend's float64 variant and,
 * for each checked entry x of a tensor, the loss is evaluated at x + ε and x − ε (the SAME GraphModel forward, ops
 * and kernels, at float64): n = (L(x + ε) − L(x − ε)) / 2ε. Dropout is off in every pass, so each computes the same
 * function; BatchNorm uses the batch's statistics, a smooth function of every input and parameter.
 *
 * Why float64 for the numeric side: its error is the truncation ε²·L‴/6 ≈ 1e-12 plus the rounding of L divided by
 * ε, u·|L|·c/ε ≈ 1e-10·|L| for u = 1.1e-16 and ε = 1e-6, c the few ulps a long sum loses. In float32 (u = 6e-8) the
 * same difference would be noise. So every disagreement beyond the float32 backward's own rounding is the engine's.
 *
 * Tolerances (TOLERANCES): a tensor passes when its relative error ‖g − n‖ / (‖g‖ + ‖n‖) over the checked entries is
 * at most 1e-3, or every entry's |g − n| is at most the check's resolution, 1e-6 of the largest |gradient| the check
 * saw (+ the numeric side's noise floor). The backward runs in float32: each kernel rounds to 2⁻²⁴ ≈ 6e-8, and a
 * gradient that is a sum or a difference of many terms (a matmul over the batch, a normalisation's gradient, which
 * sums to ~0) keeps an error relative to the terms, not to the result, so a near-zero gradient carries noise of
 * ~1e-7 of the gradients around it: hence an absolute floor scaled by the model's own gradients. A wrong derivative
 * (a wrong formula, index, sign or scale) is off by O(1) relatively, far beyond both.
 *
 * Kinks: where the loss is not differentiable within ε of x (a ReLU's input at 0, a max-pool tie), the central
 * difference straddles the corner and backprop reports the engine's choice there (relu'(0) = 0, the first of tied
 * maxima). So an entry whose g and n disagree is looked at twice more, at x ± 2ε: a smooth loss's central difference
 * stays put (its error is O(ε²)) and its one-sided slopes (L(x + h) − L(x)) / h and (L(x) − L(x − h)) / h spread
 * apart in proportion to h (h·L''), while a corner within ε keeps their spread (a jump does not grow with h) or moves
 * the central difference. Only then is the entry a kink; a loss that is smooth there, however curved, makes it a
 * failure. Backprop's value at a kink is not compared with the slopes: where several ties meet (a digit's blank
 * background feeds many tied max-pool windows, each broken its own way) it is a sum of per-window choices that need
 * not equal either.
 *
 * Measured (docs/training.md): on every example, template and the 30 random graphs of the engine's tests, smooth
 * tensors agree to a relative error of at most 3.4e-7 (the digits CNN's input; 1.2e-7 or less elsewhere).
 */
import { backend, setBackend, type Backend } from '../backend/backend';
import { CpuBackend } from '../backend/cpu';
import { noGrad } from '../autograd';
import { now } from '../clock';
import { Random } from '../nn/random';
import { Tensor } from '../tensor';
import { FeedError, GraphModel } from '../graph/model';

/** The stated tolerances (see the file's comment for why). */
export const TOLERANCES = {
  /** Relative error ‖g − n‖ / (‖g‖ + ‖n‖) a tensor may have. */
  relative: 1e-3,
  /** The absolute resolution: this fraction of the largest |gradient| the check saw. */
  absoluteOfLargest: 1e-6,
  /** And never below the numeric side's noise, ≈ this × max(1, |L|) × (1e-6 / ε). */
  numericNoise: 1e-9,
} as const;

export const DEFAULT_SAMPLES = 20;
export const DEFAULT_EPS = 1e-6;

export interface GradCheckOptions {
  /** Entries checked per tensor: all of a tensor with at most this many, else this many, chosen by the seed. Default 20. */
  samples?: number;
  /** The central difference's step, in float64. Default 1e-6. */
  eps?: number;
  /** Check only this node's tensors: its parameters, or the feed of a float Input. */
  nodeId?: string;
  /** Chooses the entries of larger tensors. Default: the model's training.seed. */
  seed?: number;
  /** After each tensor: entries done and in all (for a progress bar). */
  onProgress?: (done: number, total: number) => void;
}

export type EntryVerdict = 'pass' | 'fail' | 'kink';

export interface EntryCheck {
  /** Flat (row-major) index in the tensor. */
  index: number;
  /** The float32 backward's gradient. */
  backprop: number;
  /** The float64 central difference. */
  numeric: number;
  /** The one-sided differences (L(x) − L(x − ε)) / ε and (L(x + ε) − L(x)) / ε. */
  left: number;
  right: number;
  verdict: EntryVerdict;
}

export interface TensorCheck {
  /** The parameter's state-dict key (`fc1.weight`) or the Input's id. */
  name: string;
  kind: 'parameter' | 'input';
  /** The graph node it belongs to. */
  nodeId: string;
  shape: number[];
  /** Entries checked (all of a small tensor). */
  checked: number;
  /** Over the checked entries that are not kinks: max |g − n|, and ‖g − n‖ / (‖g‖ + ‖n‖) (0 when both are zero). */
  maxAbsError: number;
  relError: number;
  /** Entries within ε of a kink, left out of the errors. */
  kinks: number;
  /** pass: within the tolerances; fail: not. A tensor whose every entry is a kink passes. */
  status: 'pass' | 'fail';
  /**
   * Every checked gradient, backprop's and the numeric one, is within the absolute resolution: the tensor passes
   * without the check having resolved its values (vanishing gradients; a larger --eps resolves smaller ones).
   */
  belowResolution: boolean;
  /** Forward passes its finite differences took (2 per entry, 2 more for an entry the kink test looks at) and their time, ms. */
  forwardPasses: number;
  ms: number;
  entries: EntryCheck[];
}

export interface GradCheckResult {
  /** The float32 loss of the backprop pass, and the float64 loss at the same point. */
  loss: number;
  loss64: number;
  eps: number;
  samples: number;
  seed: number;
  /** The absolute resolution this run used (see TOLERANCES), and the relative tolerance. */
  tolerance: { relative: number; absolute: number };
  tensors: TensorCheck[];
  /** No tensor failed (kinks are not failures). */
  passed: boolean;
  failed: number;
  checked: number;
  kinks: number;
  /**
   * The one backward pass that gave every gradient (float32, this backend), and its forward; `gradients` counts the
   * values it gave for the checked tensors. Timed on a second pass, after a warm-up one, so JIT compilation is not counted.
   */
  backprop: { backend: string; forwardMs: number; backwardPasses: 1; backwardMs: number; gradients: number };
  /**
   * The finite differences: 2 forward passes per checked entry (and 2 more per entry the kink test looks at), their
   * total time, and the one unperturbed pass (baseForwards, not in forwardPasses). timeRatio = ms / backprop.backwardMs.
   */
  numeric: {
    backend: string;
    forwardPasses: number;
    ms: number;
    baseForwards: 1;
    timeRatio: number;
    /** Every gradient value this way: 2 forward passes each, and the time that would take at this run's pace. */
    allValues: { forwardPasses: number; msEstimate: number };
  };
}

/** The loss, a gradient or a float64 loss of the check is not finite: nothing can be compared. */
export class GradCheckNonFiniteError extends Error {
  constructor(
    message: string,
    readonly nodeId?: string,
  ) {
    super(message);
    this.name = 'GradCheckNonFiniteError';
  }
}

/** A tensor the check covers. */
interface Target {
  name: string;
  kind: 'parameter' | 'input';
  nodeId: string;
  /** The float32 tensor (its .grad after backward). */
  tensor: Tensor;
}

/** Every parameter and float Input the check covers (only `nodeId`'s when given); throws RangeError naming a bad node. */
export function gradCheckTargets(
  model: GraphModel,
  feeds: Record<string, Tensor>,
  nodeId?: string,
): { name: string; kind: 'parameter' | 'input'; nodeId: string }[] {
  return targetsOf(model, feeds, nodeId).map(({ name, kind, nodeId: id }) => ({ name, kind, nodeId: id }));
}

function targetsOf(model: GraphModel, feeds: Record<string, Tensor>, nodeId?: string): Target[] {
  const all: Target[] = [];
  for (const id of model.order) {
    const n = model.nodes.get(id)!;
    if (n.spec?.op === 'Input') {
      const t = Object.hasOwn(feeds, id) ? feeds[id] : undefined;
      if (t && t.dtype === 'float32') all.push({ name: id, kind: 'input', nodeId: id, tensor: t });
      continue;
    }
    for (const p of n.params) if (!p.buffer) all.push({ name: p.key, kind: 'parameter', nodeId: id, tensor: model.state.get(p.key)! });
  }
  if (nodeId === undefined) return all;
  if (!model.nodes.has(nodeId)) throw new RangeError(`the model has no node "${nodeId}"`);
  const mine = all.filter((t) => t.nodeId === nodeId);
  if (!mine.length) {
    const some = [...new Set(all.map((t) => t.nodeId))];
    throw new RangeError(
      `node "${nodeId}" (${model.nodes.get(nodeId)!.spec?.op}) has no parameters or float input to check${some.length ? `; nodes that have: ${some.slice(0, 8).join(', ')}${some.length > 8 ? ', …' : ''}` : ''}`,
    );
  }
  return mine;
}

/** `k` distinct indices of 0..size-1 from the stream (all of them, in order, when size <= k), sorted. */
export function sampleEntries(size: number, k: number, rng: Random): number[] {
  if (size <= k) return Array.from({ length: size }, (_, i) => i);
  // A partial Fisher–Yates over a sparse map: O(k) whatever the size.
  const swapped = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    const j = i + Math.min(size - i - 1, Math.floor(rng.uniform() * (size - i)));
    const vi = swapped.get(i) ?? i,
      vj = swapped.get(j) ?? j;
    swapped.set(j, vi);
    out.push(vj);
  }
  return out.sort((a, b) => a - b);
}

function withBackend<T>(b: Backend, fn: () => T): T {
  const prev = backend();
  setBackend(b);
  try {
    return fn();
  } finally {
    setBackend(prev);
  }
}

const norm = (xs: number[]) => Math.sqrt(xs.reduce((s, v) => s + v * v, 0));

/** |a − b| beyond both the absolute resolution and the relative tolerance. */
const disagree = (a: number, b: number, abs: number, rel: number) => {
  const d = Math.abs(a - b);
  return d > abs && d > rel * (Math.abs(a) + Math.abs(b));
};

/**
 * Check every parameter's and float Input's gradient of `model` on `feeds` (every Input and Target, as
 * GraphModel.forward takes them). Leaves the model as it found it: parameters, BatchNorm's running statistics and
 * any .grad are restored. Throws GradCheckNonFiniteError when a loss or gradient is not finite, RangeError for a
 * bad `nodeId`, FeedError for bad feeds.
 */
export async function checkGradients(model: GraphModel, feeds: Record<string, Tensor>, opts: GradCheckOptions = {}): Promise<GradCheckResult> {
  const samples = opts.samples ?? DEFAULT_SAMPLES;
  const eps = opts.eps ?? DEFAULT_EPS;
  if (!(Number.isInteger(samples) && samples >= 1)) throw new RangeError(`samples must be a positive integer, found ${samples}`);
  if (!(eps > 0 && Number.isFinite(eps))) throw new RangeError(`eps must be a positive number, found ${eps}`);
  const seed = opts.seed ?? model.seed;
  const problem = model.lossProblem();
  if (problem) throw new Error(problem);
  const problems = model.checkFeeds(feeds, true);
  if (problems.length) throw new FeedError(problems);
  const targets = targetsOf(model, feeds, opts.nodeId);

  // ── backprop: one float32 forward and backward, on whatever backend is set ──
  const trained = backend();
  const saved = new Map<Tensor, { grad: Tensor | null; requiresGrad: boolean }>();
  for (const t of [...model.state.values(), ...Object.values(feeds)]) saved.set(t, { grad: t.grad, requiresGrad: t.requiresGrad });
  const buffers = [...model.state.entries()].filter(([k]) => model.isBuffer(k)).map(([, t]) => [t, t.storage] as const);
  const backpropGrads = new Map<Target, Float64Array>();
  const state32 = new Map<string, Float32Array | Float64Array | Int32Array>();
  const feeds32 = new Map<string, Float32Array | Float64Array | Int32Array>();
  let loss: number, forwardMs: number, backwardMs: number;
  try {
    model.zeroGrad();
    for (const t of targets)
      if (t.kind === 'input') {
        t.tensor.grad = null;
        t.tensor.requiresGrad = true;
      }
    // The state and feed as they are before the pass (BatchNorm's running statistics move during it).
    for (const [k, t] of model.state) state32.set(k, await t.data());
    for (const [k, t] of Object.entries(feeds)) feeds32.set(k, await t.data());
    // One warm-up pass first, so the time reported is a backward pass's, not the JIT compiling one.
    const warm = model.forward(feeds, { training: true, dropout: false }).loss!;
    if (warm.requiresGrad) warm.backward();
    model.zeroGrad();
    for (const t of targets) t.tensor.grad = null;
    for (const [t, storage] of buffers) t.storage = storage;
    let started = now();
    const pass = model.forward(feeds, { training: true, dropout: false, retainGrads: true });
    loss = await pass.loss!.item();
    forwardMs = now() - started;
    if (!Number.isFinite(loss)) throw nonFinite(await model.firstNonFinite(pass), 'the loss is not finite');
    if (!pass.loss!.requiresGrad) throw new RangeError('the loss does not depend on any parameter or float Input: there is no gradient to check');
    started = now();
    pass.loss!.backward();
    backwardMs = now() - started;
    const bad = await model.firstNonFinite(pass);
    if (bad) throw nonFinite(bad, 'a gradient is not finite');
    // A tensor the loss does not reach has a zero gradient.
    for (const t of targets) backpropGrads.set(t, t.tensor.grad ? Float64Array.from(await t.tensor.grad.data()) : new Float64Array(t.tensor.size));
  } finally {
    for (const [t, s] of saved) {
      t.grad = s.grad;
      t.requiresGrad = s.requiresGrad;
    }
    for (const [t, storage] of buffers) t.storage = storage;
  }

  // ── the numeric side: the same model and feed in float64 on the CPU ──
  const f64 = new CpuBackend('float64');
  const model64 = withBackend(f64, () => GraphModel.create(model.analysis));
  for (const [k, t] of model64.state) t.storage = f64.upload(Float64Array.from(state32.get(k)!));
  const feeds64 = Object.create(null) as Record<string, Tensor>;
  for (const [k, t] of Object.entries(feeds)) {
    const data = feeds32.get(k)!;
    feeds64[k] = new Tensor(f64.upload(data instanceof Int32Array ? data : Float64Array.from(data)), t.shape, t.dtype);
  }
  const values64 = (t: Target): Float64Array => f64.readSync((t.kind === 'input' ? feeds64[t.name] : model64.state.get(t.name)!).storage) as Float64Array;
  const lossAt = (where: string): number => {
    const l = withBackend(f64, () => noGrad(() => model64.forward(feeds64, { training: true, dropout: false }).loss!.itemSync()));
    if (!Number.isFinite(l)) throw new GradCheckNonFiniteError(`the float64 loss is not finite at ${where}`);
    return l;
  };
  const loss64 = lossAt('the unperturbed point');

  const picked = targets.map((t) => sampleEntries(t.tensor.size, samples, new Random(seed, 'gradcheck', t.name)));
  const total = picked.reduce((s, p) => s + p.length, 0);
  let largest = 0;
  for (const t of targets) for (const i of picked[targets.indexOf(t)]) largest = Math.max(largest, Math.abs(backpropGrads.get(t)![i]));
  const absolute = Math.max(TOLERANCES.absoluteOfLargest * largest, TOLERANCES.numericNoise * Math.max(1, Math.abs(loss64)) * (DEFAULT_EPS / eps));
  const rel = TOLERANCES.relative;

  const tensors: TensorCheck[] = [];
  let done = 0;
  for (let ti = 0; ti < targets.length; ti++) {
    const t = targets[ti];
    const x = values64(t);
    const g = backpropGrads.get(t)!;
    const entries: EntryCheck[] = [];
    const started = now();
    let passes = 0;
    const lossWith = (i: number, value: number, where: string): number => {
      const x0 = x[i];
      x[i] = value;
      passes++;
      try {
        return lossAt(`${t.name}[${i}] ${where}`);
      } finally {
        x[i] = x0;
      }
    };
    for (const i of picked[ti]) {
      const x0 = x[i];
      const xp = x0 + eps,
        xm = x0 - eps;
      const lp = lossWith(i, xp, '+ ε'),
        lm = lossWith(i, xm, '− ε');
      const numeric = (lp - lm) / (xp - xm);
      const right = (lp - loss64) / (xp - x0),
        left = (loss64 - lm) / (x0 - xm);
      let verdict: EntryVerdict = 'pass';
      if (disagree(g[i], numeric, absolute, rel)) {
        // Kink or failure: is the loss smooth around x? Two more passes at ±2ε. A smooth loss's central difference
        // does not move (its error is O(ε²)) and its one-sided slopes spread twice as far apart (ε·L'' → 2ε·L'');
        // a corner within ε moves the central difference or keeps the spread (a jump does not grow with the step).
        const xp2 = x0 + 2 * eps,
          xm2 = x0 - 2 * eps;
        const lp2 = lossWith(i, xp2, '+ 2ε'),
          lm2 = lossWith(i, xm2, '− 2ε');
        const numeric2 = (lp2 - lm2) / (xp2 - xm2);
        const spread = right - left;
        const spread2 = (lp2 - loss64) / (xp2 - x0) - (loss64 - lm2) / (x0 - xm2);
        // The float64 loss's own rounding, as a slope: a generous u·|L|/ε, so that noise never reads as a corner.
        const noise = Math.max(absolute, (64 * 2.2e-16 * Math.max(Math.abs(loss64), Math.abs(lp2), Math.abs(lm2))) / eps);
        const smooth = !disagree(numeric, numeric2, noise, rel) && !disagree(spread2, 2 * spread, noise, rel);
        verdict = smooth ? 'fail' : 'kink';
      }
      entries.push({ index: i, backprop: g[i], numeric, left, right, verdict });
    }
    const ms = now() - started;
    const smooth = entries.filter((e) => e.verdict !== 'kink');
    const diff = smooth.map((e) => e.backprop - e.numeric);
    const denom = norm(smooth.map((e) => e.backprop)) + norm(smooth.map((e) => e.numeric));
    const relError = denom === 0 ? 0 : norm(diff) / denom;
    const maxAbsError = diff.reduce((m, d) => Math.max(m, Math.abs(d)), 0);
    const belowResolution = smooth.length > 0 && smooth.every((e) => Math.abs(e.backprop) <= absolute && Math.abs(e.numeric) <= absolute);
    tensors.push({
      name: t.name,
      kind: t.kind,
      nodeId: t.nodeId,
      shape: [...t.tensor.shape],
      checked: entries.length,
      maxAbsError,
      relError,
      kinks: entries.length - smooth.length,
      belowResolution,
      status: relError <= rel || maxAbsError <= absolute ? 'pass' : 'fail',
      forwardPasses: passes,
      ms,
      entries,
    });
    done += entries.length;
    opts.onProgress?.(done, total);
  }

  const numericMs = tensors.reduce((s, t) => s + t.ms, 0);
  const gradients = targets.reduce((s, t) => s + t.tensor.size, 0);
  const forwardPasses = tensors.reduce((s, t) => s + t.forwardPasses, 0);
  const failed = tensors.filter((t) => t.status === 'fail').length;
  return {
    loss,
    loss64,
    eps,
    samples,
    seed,
    tolerance: { relative: rel, absolute },
    tensors,
    passed: failed === 0,
    failed,
    checked: total,
    kinks: tensors.reduce((s, t) => s + t.kinks, 0),
    backprop: { backend: trained.name, forwardMs, backwardPasses: 1, backwardMs, gradients },
    numeric: {
      backend: f64.name,
      forwardPasses,
      ms: numericMs,
      baseForwards: 1,
      timeRatio: numericMs / Math.max(backwardMs, 1e-3),
      allValues: { forwardPasses: 2 * gradients, msEstimate: forwardPasses ? (numericMs / forwardPasses) * 2 * gradients : 0 },
    },
  };
}

function nonFinite(bad: { nodeId: string; where: string; detail: string } | null, fallback: string): GradCheckNonFiniteError {
  if (!bad) return new GradCheckNonFiniteError(fallback);
  return new GradCheckNonFiniteError(`${bad.where === 'output' ? 'non-finite values' : 'a non-finite gradient'} first appeared in ${bad.detail}`, bad.nodeId);
}
