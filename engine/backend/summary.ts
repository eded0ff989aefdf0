/**
 * The summary of a tensor that the node statistics and the walk-through show: count, mean, population standard
 * deviation, range and histogram of its finite values. It is a backend operation (Backend.summaries) because on a
 * GPU reading a whole activation back to summarise it costs far more than the summary: the WebGPU backend reduces
 * on the device and reads back a few hundred bytes a tensor. This file is the host-side definition every backend
 * must agree with, and the CPU backend's implementation.
 */
import type { WasmKernels } from './wasm/wasmKernels';
import { tensorSummary } from './wasm/kernels/summary';

/** Summary statistics of one tensor (every value of the batch). */
export interface TensorSummary {
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Counts of the values in HISTOGRAM_BINS equal bins from min to max (all in the last when min = max). */
  histogram: number[];
  /** Every value, row-major, when there are at most TINY_TENSOR of them (a micrograd-sized model). */
  values?: number[];
}

export const HISTOGRAM_BINS = 24;
export const TINY_TENSOR = 16;
/** From this many values summarize runs in WebAssembly when the kernels are installed (below, copying costs more). */
const FAST_SUMMARY_MIN = 4096;

/**
 * Mean, population standard deviation, range and histogram of the finite values (a non-finite value is left out
 * of every figure; `count` counts only the finite ones). `kernels`: the WebAssembly kernels where installed, or
 * how to find them (asked only for a tensor large enough to use them).
 */
export function summarize(data: ArrayLike<number>, bins = HISTOGRAM_BINS, kernels: WasmKernels | null | (() => WasmKernels | null) = null): TensorSummary {
  const n = data.length;
  const fast = data instanceof Float32Array && n >= FAST_SUMMARY_MIN ? (typeof kernels === 'function' ? kernels() : kernels) : null;
  if (fast) {
    // The live view summarises every node's output and gradient a few times a second: on a CNN this was the
    // largest cost of the overlay (~15 % of training) until it ran in WebAssembly.
    const { count, sum, min, max, squares, counts } = tensorSummary(fast, data as Float32Array, bins);
    const histogram = Array.from(counts);
    if (count === 0) return { count, mean: 0, std: 0, min: 0, max: 0, histogram };
    return { count, mean: sum / count, std: Math.sqrt(squares / count), min, max, histogram };
  }
  let count = 0,
    sum = 0,
    min = Infinity,
    max = -Infinity;
  // v - v is 0 exactly for finite v (NaN for NaN and ±Infinity): one subtraction instead of a call per value,
  // which kept this at ~7 ns a value, the largest cost of the live view on a CNN.
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (v - v !== 0) continue;
    count++;
    sum += v;
    min = v < min ? v : min;
    max = v > max ? v : max;
  }
  const counts = new Float64Array(bins);
  if (count === 0) return { count, mean: 0, std: 0, min: 0, max: 0, histogram: Array.from(counts) };
  const mean = sum / count;
  let squares = 0;
  // bins / (max − min): a multiply per value instead of a division (the WebAssembly summary bins the same way).
  const scale = max > min ? bins / (max - min) : 0;
  const last = bins - 1;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (v - v !== 0) continue;
    const d = v - mean;
    squares += d * d;
    // Truncation equals floor here: v - min ≥ 0.
    const b = scale > 0 ? ((v - min) * scale) | 0 : last;
    counts[b < last ? b : last]++;
  }
  const out: TensorSummary = { count, mean, std: Math.sqrt(squares / count), min, max, histogram: Array.from(counts) };
  if (n <= TINY_TENSOR) out.values = Array.from(data);
  return out;
}
