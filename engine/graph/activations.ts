/**
 * The activation budget: how many bytes the outputs of one pass take for a concrete batch, known from
 * static shape inference before anything runs. Parameters are capped when the model is analysed; the
 * intermediate tensors depend on the batch, so GraphModel.forward and the Trainer check them here, and a
 * pass over the budget fails at once, naming its largest node, instead of allocating gigabytes for
 * minutes.
 *
 * What counts: every node's output that one pass keeps (ForwardPass.values holds them all, and backward
 * needs them): the Inputs, every computed node, and, when the loss is computed, the Targets and the loss
 * nodes. 4 bytes per element (float32 and int32). Not counted: the parameters (capped by LIMITS already),
 * the gradients backward adds (about as much again), and an op's short-lived scratch buffers.
 * Sizes are computed in floating point, so a shape whose size overflows 2^53 still compares right.
 */
import { LIMITS, type GraphAnalysis } from './analyze';
import type { Dim } from './types';

const BYTES_PER_ELEMENT = 4;

export interface ActivationOptions {
  /** Count the Targets and the loss nodes (a pass that computes the loss). Default true. */
  loss?: boolean;
}

export interface NodeActivation {
  id: string;
  op: string;
  /** The output shape for this batch. */
  shape: number[];
  bytes: number;
}

export interface ActivationEstimate {
  batch: number;
  /** Counted nodes in forward order. */
  nodes: NodeActivation[];
  total: number;
  /** The node with the largest output (the first of equals in forward order); undefined with no nodes. */
  largest?: NodeActivation;
}

/** A pass over the budget, with the message that says so. */
export interface ActivationExcess {
  message: string;
  nodeId: string;
  op: string;
  shape: number[];
  /** Bytes of that node's output. */
  nodeBytes: number;
  /** Bytes of every counted output together. */
  total: number;
  batch: number;
  limit: number;
  /** The largest batch whose pass fits (0 when not even one sample does). */
  maxBatch: number;
}

interface Term {
  id: string;
  op: string;
  shape: Dim[];
  /** Product of the fixed dimensions. */
  fixed: number;
  /** How many dimensions are the batch. */
  batchDims: number;
}

function terms(analysis: GraphAnalysis, opts: ActivationOptions): Term[] {
  const loss = opts.loss ?? true;
  const out: Term[] = [];
  for (const id of analysis.order) {
    const n = analysis.nodes.get(id)!;
    if (!n.spec || !n.type) continue;
    if (!loss && (n.spec.isLoss || n.spec.op === 'Target')) continue;
    let fixed = 1;
    let batchDims = 0;
    for (const d of n.type.shape) {
      if (d === 'N') batchDims++;
      else fixed *= d;
    }
    out.push({ id, op: n.spec.op, shape: n.type.shape, fixed, batchDims });
  }
  return out;
}

const termBytes = (t: Term, batch: number) => BYTES_PER_ELEMENT * t.fixed * batch ** t.batchDims;
const totalBytes = (ts: Term[], batch: number) => ts.reduce((s, t) => s + termBytes(t, batch), 0);

/** The bytes of every counted node's output for a batch of `batch`, and their total. */
export function activationBytes(analysis: GraphAnalysis, batch: number, opts: ActivationOptions = {}): ActivationEstimate {
  const nodes: NodeActivation[] = [];
  let total = 0;
  let largest: NodeActivation | undefined;
  for (const t of terms(analysis, opts)) {
    const a: NodeActivation = { id: t.id, op: t.op, shape: t.shape.map((d) => (d === 'N' ? batch : d)), bytes: termBytes(t, batch) };
    nodes.push(a);
    total += a.bytes;
    if (!largest || a.bytes > largest.bytes) largest = a;
  }
  return { batch, nodes, total, largest };
}

/** The largest batch, at most `upTo`, whose pass fits in `limit` bytes; 0 when not even a batch of 1 fits. */
export function largestBatchWithin(analysis: GraphAnalysis, upTo: number, limit: number = LIMITS.activationBytes, opts: ActivationOptions = {}): number {
  const ts = terms(analysis, opts);
  // The total only grows with the batch: bisect for the last batch that fits.
  let lo = 0,
    hi = Math.max(0, Math.floor(upTo));
  if (totalBytes(ts, hi) <= limit) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (totalBytes(ts, mid) <= limit) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Null when a pass over a batch of `batch` fits in `limit` bytes of activations; else what is over, and why. */
export function activationBudgetExcess(
  analysis: GraphAnalysis,
  batch: number,
  limit: number = LIMITS.activationBytes,
  opts: ActivationOptions = {},
): ActivationExcess | null {
  const est = activationBytes(analysis, batch, opts);
  if (est.total <= limit || !est.largest) return null;
  const big = est.largest;
  const maxBatch = largestBatchWithin(analysis, batch - 1, limit, opts);
  const digits = distinctDigits(est.total, limit);
  const [total, budget] = [formatBytes(est.total, digits), formatBytes(limit, digits)];
  const advice =
    maxBatch > 0
      ? `use a batch of at most ${maxBatch}, or smaller layers`
      : `even a batch of 1 needs ${formatBytes(activationBytes(analysis, 1, opts).total)}: use smaller layers`;
  const message =
    `node "${big.id}" (${big.op}) output [${big.shape.join(', ')}] would take ${formatBytes(big.bytes, digits)} for a batch of ${batch}, ` +
    `and the activations of the whole pass ${total}; at most ${budget} of activations are supported: ${advice}`;
  return { message, nodeId: big.id, op: big.op, shape: big.shape, nodeBytes: big.bytes, total: est.total, batch, limit, maxBatch };
}

/** The message of activationBudgetExcess, or null when the pass fits. */
export function activationBudgetProblem(
  analysis: GraphAnalysis,
  batch: number,
  limit: number = LIMITS.activationBytes,
  opts: ActivationOptions = {},
): string | null {
  return activationBudgetExcess(analysis, batch, limit, opts)?.message ?? null;
}

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** `512 bytes`, `1.5 KiB`, `32 GiB`: `digits` significant digits, trailing zeros dropped. */
export function formatBytes(bytes: number, digits = 3): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  let v = bytes;
  let i = -1;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number(v.toPrecision(digits))} ${UNITS[i]}`;
}

/** The significant digits (3 or more) that print a > b differently ("1.0005 GiB" over "1 GiB"). */
function distinctDigits(a: number, b: number): number {
  let d = 3;
  while (d < 15 && formatBytes(a, d) === formatBytes(b, d)) d++;
  return d;
}
