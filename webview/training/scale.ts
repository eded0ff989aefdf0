// The overlay's arithmetic for drawing: where a magnitude sits on a log scale (a LogRange: the adaptive range of
// the run for gradients and weights, adaptiveRange.ts, or the fixed health scale of the update ratio),
// quantised into STEPS steps so an edge restyles only when its step changes, and the colour and stroke width
// of a step. Colours are mixes of five theme colours (--grad-0 … --grad-4, set in styles/training.css from VS
// Code's chart colours blue, green, yellow, orange, red), the same ramp the legend draws. No DOM here, so Node
// tests use it.

/** A log scale's bounds, as base-10 exponents: magnitudes from 10^lo to 10^hi. */
export interface LogRange {
  lo: number;
  hi: number;
}

/** Colour and width steps across a range (whatever its span): step 0 at 10^lo, STEPS at 10^hi. */
export const STEPS = 24;
/**
 * How far a magnitude must move from the step an edge shows before the edge changes step: at least
 * HYSTERESIS_STEPS steps and at least HYSTERESIS_DECADES decades. Gradients jitter from one update to the next (a
 * median of 0.18 decades on the circle set), and restyling every edge 20 times a second costs frames (the paint,
 * not React), so an edge changes colour when its magnitude has really moved (by about 2× or more), whatever the
 * range's span.
 */
export const HYSTERESIS_STEPS = 1.5;
export const HYSTERESIS_DECADES = 0.3;
export const MIN_WIDTH = 1;
export const MAX_WIDTH = 6;

/** Position of a magnitude on `range` in [0, 1] (clamped), or null for no value (0, negative, NaN). */
export function scalePosition(magnitude: number, range: LogRange): number | null {
  if (magnitude === Infinity) return 1;
  if (!(magnitude > 0) || !Number.isFinite(magnitude)) return null;
  const t = (Math.log10(magnitude) - range.lo) / (range.hi - range.lo);
  return Math.min(1, Math.max(0, t));
}

/** The quantised step (0..STEPS) of a magnitude on `range`, or -1 for none. */
export function scaleStep(magnitude: number, range: LogRange): number {
  const t = scalePosition(magnitude, range);
  return t === null ? -1 : Math.round(t * STEPS);
}

/** The step to show for a magnitude, given the step shown now: it changes only past the hysteresis. */
export function nextStep(shown: number, magnitude: number, range: LogRange): number {
  const t = scalePosition(magnitude, range);
  if (t === null) return -1;
  if (shown < 0) return Math.round(t * STEPS);
  const hysteresis = Math.max(HYSTERESIS_STEPS, (HYSTERESIS_DECADES * STEPS) / (range.hi - range.lo));
  return Math.abs(t * STEPS - shown) >= hysteresis - 1e-9 ? Math.round(t * STEPS) : shown;
}

// ---- colours ----------------------------------------------------------------------------------------------

/** A colour ramp: theme colours (CSS variables) at positions from 0 to 1, mixed in between. */
export type Ramp = readonly { at: number; color: string }[];

/** Magnitudes (gradients, weights): blue (small) → green → yellow → orange → red (large), evenly spaced. */
export const MAGNITUDE_RAMP: Ramp = ['--grad-0', '--grad-1', '--grad-2', '--grad-3', '--grad-4'].map((color, i) => ({ at: i / 4, color }));

/**
 * The update ratio ‖Δθ‖/‖θ‖ of one optimizer step, the usual health check of a learning rate: about 1e-3 is
 * healthy, much lower suggests a learning rate too low, much higher one too high (Stanford's CS231n notes,
 * "Neural Networks Part 3", ratio of weights:updates). Drawn on a fixed scale, so a colour always means the same
 * verdict: within a decade of 1e-3 healthy (green); at or below 1e-5, a hundred times too small, stalled (blue);
 * at or above 1e-1, a tenth of the weights rewritten each step, unstable (red).
 */
export const UPDATE_RANGE: LogRange = { lo: -6, hi: 0 };
export const HEALTH = { stalledAtOrBelow: 1e-5, healthyFrom: 1e-4, healthyTo: 1e-2, unstableAtOrAbove: 1e-1 } as const;
export type Health = 'stalled' | 'low' | 'healthy' | 'high' | 'unstable';

export function updateHealth(ratio: number): Health | null {
  if (!(ratio >= 0) || Number.isNaN(ratio)) return null;
  if (ratio <= HEALTH.stalledAtOrBelow) return 'stalled';
  if (ratio < HEALTH.healthyFrom) return 'low';
  if (ratio <= HEALTH.healthyTo) return 'healthy';
  if (ratio < HEALTH.unstableAtOrAbove) return 'high';
  return 'unstable';
}

const onUpdateRange = (v: number) => (Math.log10(v) - UPDATE_RANGE.lo) / (UPDATE_RANGE.hi - UPDATE_RANGE.lo);
/** Blue up to the stalled bound, green across the healthy band, orange then red up to the unstable bound. */
export const HEALTH_RAMP: Ramp = [
  { at: 0, color: '--grad-0' },
  { at: onUpdateRange(HEALTH.stalledAtOrBelow), color: '--grad-0' },
  { at: onUpdateRange(HEALTH.healthyFrom), color: '--grad-1' },
  { at: onUpdateRange(HEALTH.healthyTo), color: '--grad-1' },
  { at: onUpdateRange(Math.sqrt(HEALTH.healthyTo * HEALTH.unstableAtOrAbove)), color: '--grad-3' },
  { at: onUpdateRange(HEALTH.unstableAtOrAbove), color: '--grad-4' },
  { at: 1, color: '--grad-4' },
];

/** CSS colour at position t in [0, 1] of a ramp. */
export function rampColor(ramp: Ramp, t: number): string {
  const x = Math.min(1, Math.max(0, t));
  let i = 0;
  while (i < ramp.length - 2 && x > ramp[i + 1].at) i++;
  const [a, b] = [ramp[i], ramp[i + 1]];
  const f = b.at > a.at ? (x - a.at) / (b.at - a.at) : 1;
  if (f <= 1e-9 || a.color === b.color) return `var(${a.color})`;
  if (f >= 1 - 1e-9) return `var(${b.color})`;
  return `color-mix(in srgb, var(${b.color}) ${pct(f)}, var(${a.color}))`;
}

/** CSS colour of a step on a ramp. */
export function stepColor(step: number, ramp: Ramp = MAGNITUDE_RAMP): string {
  return rampColor(ramp, step / STEPS);
}

/** Stroke width in pixels of a step. */
export function stepWidth(step: number): number {
  const s = Math.min(STEPS, Math.max(0, step));
  return Math.round((MIN_WIDTH + ((MAX_WIDTH - MIN_WIDTH) * s) / STEPS) * 100) / 100;
}

const pct = (f: number) => `${Math.round(f * 1000) / 10}%`;

// ---- how an edge is drawn ---------------------------------------------------------------------------------

/**
 * What an edge's look depends on, as one string (the overlay store's styleKey, what GradientPath selects):
 * `g<step>` a step on the magnitude ramp, `h<step>` a step on the health ramp, `n` neutral (the mode has no
 * value for this edge), then `|` and the gradient flag. `g-1` is an edge without gradient. '' without data.
 */
export function styleKey(ramp: 'g' | 'h' | 'n', step: number, flag: string | null): string {
  return `${ramp === 'n' ? 'n' : ramp + step}|${flag ?? ''}`;
}

export interface EdgeLook {
  className: string;
  style?: { stroke: string; strokeWidth: number };
  step?: number;
}

/** The classes and inline style of an edge's line for a style key. */
export function edgeLook(key: string): EdgeLook {
  if (!key) return { className: '' };
  const [kind, flag] = key.split('|');
  let look: EdgeLook;
  if (kind === 'n') look = { className: 'grad-neutral' };
  else {
    const step = Number(kind.slice(1));
    if (step < 0) look = { className: 'grad-none', step };
    else look = { className: 'grad', step, style: { stroke: stepColor(step, kind[0] === 'h' ? HEALTH_RAMP : MAGNITUDE_RAMP), strokeWidth: stepWidth(step) } };
  }
  if (flag) look.className += ` grad-${flag}`;
  return look;
}

// ---- ticks and numbers ------------------------------------------------------------------------------------

/**
 * The legend's ticks on a range, as exponents: both bounds, and whole decades between where their labels have
 * room: at least 0.3 of the scale from either bound and a fifth from each other (a bound's label such as
 * `3.2e-7` is about a fifth of the legend's width).
 */
export function ticks(range: LogRange): number[] {
  const span = range.hi - range.lo;
  const out = [range.lo];
  let last = -Infinity;
  for (let e = Math.ceil(range.lo); e < range.hi; e++) {
    const f = (e - range.lo) / span;
    if (f < 0.3 - 1e-9 || f > 0.7 + 1e-9 || f - last < 0.2 - 1e-9) continue;
    out.push(e);
    last = f;
  }
  out.push(range.hi);
  return out;
}

/** A tick's label: `1e-4`, `1`, `1e2` for whole decades, `3.2e-5` between. */
export function tickLabel(exponent: number): string {
  if (Math.abs(exponent - Math.round(exponent)) < 1e-9) {
    const e = Math.round(exponent);
    return e === 0 ? '1' : `1e${e}`;
  }
  return formatShort(10 ** exponent);
}

/** A magnitude for people: `0`, `3.21e-4`, `0.0123`, `12.3`, `4.56e+3`. */
export function formatMagnitude(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e-2 && a < 1e3) return String(Number(v.toPrecision(3)));
  return v.toExponential(2);
}

/** Two significant digits, for badges and ticks: `1.2e-3`, `1e-4`, `0.31`, `12`. */
export function formatShort(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e-2 && a < 1e3) return String(Number(v.toPrecision(2)));
  return v.toExponential(1).replace('.0e', 'e').replace('e+', 'e');
}
