/**
 * Timing and memory helpers for the benchmark: warm-up, time-budgeted sampling with medians, and a
 * high-water-mark probe of process memory (RSS, JS heap, and the typed-array backing stores that
 * live outside the heap).
 */

export interface Timing {
  /** Median wall time of one iteration, ms. */
  medianMs: number;
  minMs: number;
  /** Inter-quartile range of the samples, ms: a noise indicator. */
  p25Ms: number;
  p75Ms: number;
  /** Median process CPU time (user + system) of one iteration, ms: robust to other processes' load. */
  cpuMedianMs: number;
  samples: number;
  warmup: number;
  /** The raw samples (wall and CPU ms), for merging timings from several rounds. */
  wallSamples: number[];
  cpuSamples: number[];
}

export interface MeasureOptions {
  /** Minimum warm-up iterations; warm-up also runs until warmupMs has passed (capped at maxWarmup). */
  warmup?: number;
  warmupMs?: number;
  maxWarmup?: number;
  /** Sampling stops once budgetMs has passed and at least minIters samples were taken, or at maxIters. */
  minIters?: number;
  maxIters?: number;
  budgetMs?: number;
}

/** Scales every time budget, e.g. 0.3 for a quick run (BENCH_SCALE env or --quick). */
let budgetScale = 1;
export function setBudgetScale(s: number): void {
  budgetScale = s;
}

const quantile = (sorted: number[], q: number): number => {
  if (sorted.length === 1) return sorted[0];
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos),
    hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
};

/** Time fn (synchronous; it must finish its work, e.g. read back its result) and return the median. */
export function measure(fn: () => void, opts: MeasureOptions = {}): Timing {
  return measureEach([fn], opts)[0];
}

/**
 * The options with their defaults filled in and the budget scale applied: what measureEach follows, and what
 * another process (the PyTorch reference, bench/pytorch_bench.py) is handed so that it follows the same protocol.
 */
export function resolveOptions(opts: MeasureOptions): Required<MeasureOptions> {
  return {
    warmup: opts.warmup ?? 2,
    warmupMs: (opts.warmupMs ?? 300) * budgetScale,
    maxWarmup: opts.maxWarmup ?? 20,
    minIters: opts.minIters ?? 5,
    maxIters: opts.maxIters ?? 200,
    budgetMs: (opts.budgetMs ?? 2500) * budgetScale,
  };
}

/**
 * Time several functions in alternation (a, b, a, b, ...) so that each sees the same background load:
 * ratios between them (e.g. training step / forward) stay meaningful on a noisy machine. The budget
 * and iteration limits apply to each function's samples.
 */
export function measureEach(fns: (() => void)[], opts: MeasureOptions = {}): Timing[] {
  const { warmup, warmupMs, maxWarmup, minIters, maxIters, budgetMs } = resolveOptions(opts);
  const nf = fns.length;
  let w = 0;
  const w0 = performance.now();
  while (w < warmup || (w < maxWarmup && performance.now() - w0 < warmupMs * nf)) {
    for (const fn of fns) fn();
    w++;
  }
  const samples: number[][] = fns.map(() => []);
  const cpu: number[][] = fns.map(() => []);
  const s0 = performance.now();
  let n = 0;
  while (n < maxIters && (n < minIters || performance.now() - s0 < budgetMs * nf)) {
    for (let i = 0; i < nf; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      fns[i]();
      samples[i].push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu[i].push((c.user + c.system) / 1000);
    }
    n++;
  }
  return fns.map((_f, i) => summarise(samples[i], cpu[i], w));
}

/** A timing from raw samples (wall and CPU ms per iteration) and the number of warm-up iterations. */
export function summarise(wall: number[], cpu: number[], warmup: number): Timing {
  const sorted = [...wall].sort((a, b) => a - b);
  return {
    medianMs: quantile(sorted, 0.5),
    cpuMedianMs: quantile(
      [...cpu].sort((a, b) => a - b),
      0.5,
    ),
    minMs: sorted[0],
    p25Ms: quantile(sorted, 0.25),
    p75Ms: quantile(sorted, 0.75),
    samples: wall.length,
    warmup,
    wallSamples: wall,
    cpuSamples: cpu,
  };
}

/** One timing from the samples of several rounds of the same measurement. */
export function mergeTimings(ts: readonly Timing[]): Timing {
  return summarise(
    ts.flatMap((t) => t.wallSamples),
    ts.flatMap((t) => t.cpuSamples),
    ts.reduce((a, t) => a + t.warmup, 0),
  );
}

export interface MemoryPeak {
  /** Peak resident set size during the workload, MiB. */
  peakRssMiB: number;
  /** Peak RSS minus the RSS right before the workload (after a full GC), MiB. */
  rssGrowthMiB: number;
  /** Peak of heapUsed + external (typed-array backing stores are external), MiB. */
  peakHeapMiB: number;
  /** That peak minus its value before the workload, MiB. */
  heapGrowthMiB: number;
}

const MiB = 1024 * 1024;
const round1 = (x: number) => Math.round(x * 10) / 10;

export function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

export const hasGc = (): boolean => typeof (globalThis as { gc?: unknown }).gc === 'function';

/** Tracks the high-water mark of process memory; call sample() at the workload's fullest moments. */
export class MemoryProbe {
  private baseRss: number;
  private baseHeap: number;
  private peakRss: number;
  private peakHeap: number;

  constructor() {
    gc();
    const m = process.memoryUsage();
    this.baseRss = this.peakRss = m.rss;
    this.baseHeap = this.peakHeap = m.heapUsed + m.external;
  }

  readonly sample = (): void => {
    const m = process.memoryUsage();
    if (m.rss > this.peakRss) this.peakRss = m.rss;
    const h = m.heapUsed + m.external;
    if (h > this.peakHeap) this.peakHeap = h;
  };

  /** The larger of each figure (for a workload measured in several rounds). */
  static max(a: MemoryPeak | undefined, b: MemoryPeak): MemoryPeak {
    if (!a) return b;
    return {
      peakRssMiB: Math.max(a.peakRssMiB, b.peakRssMiB),
      rssGrowthMiB: Math.max(a.rssGrowthMiB, b.rssGrowthMiB),
      peakHeapMiB: Math.max(a.peakHeapMiB, b.peakHeapMiB),
      heapGrowthMiB: Math.max(a.heapGrowthMiB, b.heapGrowthMiB),
    };
  }

  result(): MemoryPeak {
    return {
      peakRssMiB: round1(this.peakRss / MiB),
      rssGrowthMiB: round1((this.peakRss - this.baseRss) / MiB),
      peakHeapMiB: round1(this.peakHeap / MiB),
      heapGrowthMiB: round1((this.peakHeap - this.baseHeap) / MiB),
    };
  }
}
