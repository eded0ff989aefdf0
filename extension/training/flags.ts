/**
 * Vanishing and exploding gradient flags per edge: below 1e-7, above 1e3, or grown more than 10×
 * within the last 50 steps.
 */
import type { EdgeFlag } from './workerProtocol';

export const VANISHING = 1e-7;
export const EXPLODING = 1e3;
export const GROWTH = 10;
export const WINDOW_STEPS = 50;

export class GradientFlagger {
  /** Per edge: recent (step, value) pairs inside the window. */
  private readonly history: { step: number; value: number }[][] = [];

  update(step: number, edges: readonly number[]): (EdgeFlag | null)[] {
    return edges.map((value, i) => {
      const h = (this.history[i] ??= []);
      while (h.length && h[0].step <= step - WINDOW_STEPS) h.shift();
      const minRecent = h.reduce((m, p) => Math.min(m, p.value), Infinity);
      h.push({ step, value });
      if (value === 0) return null; // no gradient flows on this edge (an Input or Target feeds it)
      if (value < VANISHING) return 'vanishing';
      if (value > EXPLODING || (minRecent > 0 && value > GROWTH * minRecent)) return 'exploding';
      return null;
    });
  }
}
