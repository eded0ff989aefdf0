// The arithmetic of the plain-SVG charts: thinning a long series to what the chart can show, axis ranges,
// log or linear y scales, tick values and the SVG path of a series. No DOM here, so Node tests use it.

export interface XY {
  x: number;
  y: number;
}

/** At most `max` points, evenly spread over the series, always keeping the first and the last. */
export function thin<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return points.slice();
  const out: T[] = [];
  const stride = (points.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(points[Math.round(i * stride)]);
  return out;
}

export interface Scale {
  (v: number): number;
  /** Tick values with their labels. */
  ticks: { value: number; label: string }[];
}

export function linearScale(min: number, max: number, from: number, to: number, tickCount = 3, label: (v: number) => string = shortNumber): Scale {
  const span = max - min || 1;
  const f = ((v: number) => from + ((v - min) / span) * (to - from)) as Scale;
  f.ticks = Array.from({ length: tickCount }, (_, i) => min + (span * i) / Math.max(1, tickCount - 1)).map((value) => ({ value, label: label(value) }));
  return f;
}

/** Log10 scale over [min, max] (both > 0), ticked at the powers of ten inside, or at the ends. */
export function logScale(min: number, max: number, from: number, to: number): Scale {
  const lo = Math.log10(min);
  const hi = Math.log10(max);
  const span = hi - lo || 1;
  const f = ((v: number) => from + ((Math.log10(Math.max(v, min)) - lo) / span) * (to - from)) as Scale;
  const powers: number[] = [];
  for (let e = Math.ceil(lo); e <= Math.floor(hi); e++) powers.push(10 ** e);
  const values = powers.length >= 2 ? powers : [min, max];
  f.ticks = values.map((value) => ({ value, label: shortNumber(value) }));
  return f;
}

/** The y range of the loss chart: log scale when the losses span more than a factor of 10 and are positive. */
export function lossScale(values: readonly number[], from: number, to: number): Scale {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return linearScale(0, 1, from, to);
  let min = Math.min(...finite);
  let max = Math.max(...finite);
  if (min > 0 && max / min > 10) return logScale(min, max, from, to);
  if (max === min) {
    min -= Math.abs(min) * 0.1 || 0.5;
    max += Math.abs(max) * 0.1 || 0.5;
  }
  return linearScale(Math.min(0, min), max, from, to);
}

/** `M x y L x y …` for the points that are finite. */
export function linePath(points: readonly XY[], sx: (v: number) => number, sy: (v: number) => number): string {
  let d = '';
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
    d += `${d ? 'L' : 'M'}${round(sx(p.x))} ${round(sy(p.y))}`;
  }
  return d;
}

const round = (v: number) => Math.round(v * 10) / 10;

/** `0.5`, `12`, `1.2k`, `3e-4` for axis labels. */
export function shortNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4) return `${Number((v / 1000).toPrecision(3))}k`;
  if (a >= 0.01) return String(Number(v.toPrecision(2)));
  const e = Math.floor(Math.log10(a));
  const m = v / 10 ** e;
  return Math.abs(m - 1) < 1e-9 ? `1e${e}` : `${Number(m.toPrecision(2))}e${e}`;
}
