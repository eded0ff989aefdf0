// The gradient overlay's one piece of arithmetic: where a magnitude sits on the log scale the edges and the
// legend share (1e-8 to 1e2), quantised into a few steps a decade so an edge restyles only when its step
// changes, and the colour and stroke width of a step. Colours are mixes of five theme colours (--grad-0 …
// --grad-4, set in styles/training.css from VS Code's chart colours blue, green, yellow, orange, red), the same
// ramp the legend's gradient draws. No DOM here, so Node tests use it.

export const SCALE_MIN = 1e-8;
export const SCALE_MAX = 1e2;
const DECADES = Math.log10(SCALE_MAX / SCALE_MIN);
/** Colour and width steps per decade. */
export const STEPS_PER_DECADE = 4;
/**
 * How far (in steps) a magnitude must move from the step an edge shows before the edge changes step: gradients
 * jitter from one update to the next, and restyling every edge 20 times a second costs frames (the paint, not
 * React), so an edge changes colour when its magnitude has really moved (by more than 10^0.375 ≈ 2.4×).
 */
export const HYSTERESIS_STEPS = 1.5;
export const STEPS = DECADES * STEPS_PER_DECADE;
export const MIN_WIDTH = 1;
export const MAX_WIDTH = 6;

/** Position on the scale in [0, 1] (clamped), or null for no gradient (0) or a value that is not a number. */
export function scalePosition(magnitude: number): number | null {
  if (!(magnitude > 0) || !Number.isFinite(magnitude)) return magnitude === Infinity ? 1 : null;
  const t = Math.log10(magnitude / SCALE_MIN) / DECADES;
  return Math.min(1, Math.max(0, t));
}

/** The quantised step (0..STEPS) of a magnitude, or -1 for none. */
export function scaleStep(magnitude: number): number {
  const t = scalePosition(magnitude);
  return t === null ? -1 : Math.round(t * STEPS);
}

/** The step to show for a magnitude, given the step shown now: it changes only past HYSTERESIS_STEPS. */
export function nextStep(shown: number, magnitude: number): number {
  const t = scalePosition(magnitude);
  if (t === null) return -1;
  if (shown < 0) return Math.round(t * STEPS);
  return Math.abs(t * STEPS - shown) >= HYSTERESIS_STEPS ? Math.round(t * STEPS) : shown;
}

/** The ramp's colours, evenly spaced from the scale's bottom to its top. */
export const RAMP = ['--grad-0', '--grad-1', '--grad-2', '--grad-3', '--grad-4'] as const;

/** CSS colour of a step: blue (small) → green → yellow → orange → red (large), from the theme's chart colours. */
export function stepColor(step: number): string {
  const t = Math.min(1, Math.max(0, step / STEPS)) * (RAMP.length - 1);
  const seg = Math.min(RAMP.length - 2, Math.floor(t));
  const f = t - seg;
  if (f === 0) return `var(${RAMP[seg]})`;
  if (f === 1) return `var(${RAMP[seg + 1]})`;
  return `color-mix(in srgb, var(${RAMP[seg + 1]}) ${pct(f)}, var(${RAMP[seg]}))`;
}

/** Stroke width in pixels of a step. */
export function stepWidth(step: number): number {
  return Math.round((MIN_WIDTH + ((MAX_WIDTH - MIN_WIDTH) * step) / STEPS) * 100) / 100;
}

const pct = (f: number) => `${Math.round(f * 1000) / 10}%`;

/** The legend's tick values, one every two decades. */
export const TICKS: readonly number[] = [1e-8, 1e-6, 1e-4, 1e-2, 1, 1e2];

/** `1e-8`, `1e-2`, `1`, `1e2` for ticks. */
export function tickLabel(v: number): string {
  const e = Math.round(Math.log10(v));
  return e === 0 ? '1' : `1e${e}`;
}

/** A magnitude for people: `0`, `3.21e-4`, `0.0123`, `12.3`, `4.56e+3`. */
export function formatMagnitude(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e-2 && a < 1e3) return String(Number(v.toPrecision(3)));
  return v.toExponential(2);
}
