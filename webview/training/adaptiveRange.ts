// The overlay's adaptive scale: the log range a run's magnitudes are drawn on, so that the edges of this run
// spread over the colours instead of all sitting in the one colour a fixed scale gives them. The rule (also in
// docs/training.md, "The adaptive scale"):
//
// 1. Each snapshot (one gradient update) gives a band: the 2nd and 98th percentiles of the base-10 logarithms
//    of its positive, finite magnitudes (linear interpolation between order statistics, numpy's default).
// 2. Over the last WINDOW snapshots, the target is [second-lowest band bottom, second-highest band top]: the
//    single most extreme snapshot is ignored, so one outlier moves nothing, while two in a row widen the scale.
//    With one snapshot, its band.
// 3. A target narrower than MIN_SPAN decades grows to MIN_SPAN around its middle (similar magnitudes should not
//    look very different, nor jitter be magnified into colours).
// 4. The shown range has bounds on a grid of QUANTUM decades. It widens at once when the target leaves it (to
//    the grid line just outside the target), and narrows only when the target is more than NARROW_SLACK decades
//    inside a bound (to the grid line just outside the target again): the slack is twice the grid, so a target
//    jittering across a grid line does not move the range back and forth.
//
// A snapshot without any positive magnitude (every gradient 0) tells nothing and changes nothing. No DOM here.
import type { LogRange } from './scale';

export const WINDOW = 20;
export const P_LOW = 0.02;
export const P_HIGH = 0.98;
export const MIN_SPAN = 2;
export const QUANTUM = 0.5;
export const NARROW_SLACK = 1;

/** The p-quantile (p in [0, 1]) of ascending values, interpolating linearly between neighbours. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const x = p * (n - 1);
  const i = Math.floor(x);
  const f = x - i;
  return i + 1 < n ? sorted[i] + f * (sorted[i + 1] - sorted[i]) : sorted[n - 1];
}

/** The [P_LOW, P_HIGH] band of a snapshot's log10 magnitudes, or null when it has no positive finite value. */
export function snapshotBand(values: ArrayLike<number>): LogRange | null {
  const logs: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v > 0 && Number.isFinite(v)) logs.push(Math.log10(v));
  }
  if (!logs.length) return null;
  const sorted = Float64Array.from(logs).sort();
  return { lo: percentile(sorted, P_LOW), hi: percentile(sorted, P_HIGH) };
}

const EPS = 1e-9;
// (`+ 0` turns -0 into 0.)
const gridBelow = (x: number) => Math.floor(x / QUANTUM + EPS) * QUANTUM + 0;
const gridAbove = (x: number) => Math.ceil(x / QUANTUM - EPS) * QUANTUM + 0;

export class AdaptiveRange {
  private bands: LogRange[] = [];
  private next = 0;
  private shown: LogRange | null = null;

  /** The range to draw on, or null before the first snapshot with a magnitude. */
  get range(): LogRange | null {
    return this.shown;
  }

  /** Takes one snapshot's magnitudes; true when the shown range changed. */
  observe(values: ArrayLike<number>): boolean {
    const band = snapshotBand(values);
    if (!band) return false;
    if (this.bands.length < WINDOW) this.bands.push(band);
    else this.bands[this.next] = band;
    this.next = (this.next + 1) % WINDOW;

    let { lo, hi } = this.target();
    if (hi - lo < MIN_SPAN) {
      const mid = (lo + hi) / 2;
      lo = mid - MIN_SPAN / 2;
      hi = mid + MIN_SPAN / 2;
    }
    const old = this.shown;
    if (!old) {
      this.shown = { lo: gridBelow(lo), hi: gridAbove(hi) };
      return true;
    }
    const newLo = lo < old.lo - EPS || lo > old.lo + NARROW_SLACK + EPS ? gridBelow(lo) : old.lo;
    const newHi = hi > old.hi + EPS || hi < old.hi - NARROW_SLACK - EPS ? gridAbove(hi) : old.hi;
    if (newLo === old.lo && newHi === old.hi) return false;
    this.shown = { lo: newLo, hi: newHi };
    return true;
  }

  reset(): void {
    this.bands = [];
    this.next = 0;
    this.shown = null;
  }

  /** Second-lowest bottom and second-highest top of the window's bands (the only band's, with one). */
  private target(): LogRange {
    const b = this.bands;
    if (b.length === 1) return { ...b[0] };
    let lo1 = Infinity,
      lo2 = Infinity,
      hi1 = -Infinity,
      hi2 = -Infinity;
    for (const { lo, hi } of b) {
      if (lo < lo1) [lo1, lo2] = [lo, lo1];
      else if (lo < lo2) lo2 = lo;
      if (hi > hi1) [hi1, hi2] = [hi, hi1];
      else if (hi > hi2) hi2 = hi;
    }
    return { lo: lo2, hi: hi2 };
  }
}
