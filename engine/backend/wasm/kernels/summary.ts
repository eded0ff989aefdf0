/**
 * The node statistics' summary of a float32 tensor in WebAssembly (engine/train/stats.ts summarize): the same
 * figures and the same bins as the TypeScript function, the data copied in once for both passes (the sum runs in
 * another order: equal to float64 rounding).
 */
import type { WasmKernels } from '../wasmKernels';

export interface SummaryParts {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Σ (v − mean)² over the finite values. */
  squares: number;
  counts: Float64Array;
}

export function tensorSummary(w: WasmKernels, data: Float32Array, bins: number): SummaryParts {
  const mem = w.mem;
  mem.reset();
  const px = mem.put(data),
    out = mem.alloc(32),
    pc = mem.alloc(bins * 8);
  w.k.summaryRange(px, data.length, out);
  const range = new Float64Array(mem.f32().buffer, out, 4);
  const count = range[0],
    sum = range[1],
    min = range[2],
    max = range[3];
  const counts = new Float64Array(mem.f32().buffer, pc, bins).fill(0);
  if (count === 0) return { count, sum, min, max, squares: 0, counts: counts.slice() };
  // mean and scale exactly as summarize computes them, so the bins match.
  const squares = w.k.summaryHistogram(px, data.length, sum / count, min, max > min ? bins / (max - min) : 0, bins, pc);
  return { count, sum, min, max, squares, counts: new Float64Array(mem.f32().buffer, pc, bins).slice() };
}
