/**
 * Vanishing and exploding gradient flags per edge: below 1e-7 (vanishing); above 1e3, or grown more than 10×
 * within the last 50 steps (exploding).
 *
 * The growth rule looks at a smoothed level, the geometric mean of the edge's last three snapshots, and only
 * once that level is at least 1e-3. A single batch's gradient is noisy: near convergence, with gradients of
 * 1e-5, consecutive snapshots differ by 10× and more, and comparing raw values flagged healthy edges as
 * exploding. A real explosion is a sustained rise of gradients that matter, which the smoothed level shows.
 */
import type { EdgeFlag } from './runMessages';

export const VANISHING = 1e-7;
export const EXPLODING = 1e3;
export const GROWTH = 10;
export const WINDOW_STEPS = 50;
/** Snapshots averaged (geometrically) into an edge's level. */
export const SMOOTHING = 3;
/** Below this level a rise is noise around a small gradient, not an explosion. */
export const GROWTH_FLOOR = 1e-3;

interface EdgeHistory {
  /** The last SMOOTHING raw values (non-zero). */
  recent: number[];
  /** Smoothed levels inside the window, oldest first. */
  levels: { step: number; level: number }[];
}

export class GradientFlagger {
  private readonly edges: EdgeHistory[] = [];

  update(step: number, values: readonly number[]): (EdgeFlag | null)[] {
    return values.map((value, i) => {
      if (value === 0) return null; // no gradient flows on this edge (an Input or Target feeds it)
      if (value < VANISHING) return 'vanishing';
      if (value > EXPLODING) return 'exploding';
      const h = (this.edges[i] ??= { recent: [], levels: [] });
      h.recent.push(value);
      if (h.recent.length > SMOOTHING) h.recent.shift();
      const level = Math.exp(h.recent.reduce((s, v) => s + Math.log(v), 0) / h.recent.length);
      while (h.levels.length && h.levels[0].step <= step - WINDOW_STEPS) h.levels.shift();
      const lowest = h.levels.reduce((m, p) => Math.min(m, p.level), Infinity);
      h.levels.push({ step, level });
      return level >= GROWTH_FLOOR && level > GROWTH * lowest ? 'exploding' : null;
    });
  }
}
