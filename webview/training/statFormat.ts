// How the statistics views print numbers and shapes (pure, so Node tests can check it).

/**
 * A statistic with 4 significant digits: plain between 1e-3 and 1e4 (`-0.0954`, `1.794`, `512`), else in
 * exponent form (`-7.412e-4`, `1.235e+5`); trailing zeros dropped. 0, NaN and ±Infinity print as themselves.
 */
export function formatStat(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v === 0 ? 0 : v);
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e4) return String(Number(v.toPrecision(4)));
  const [mantissa, exponent] = v.toExponential(3).split('e');
  return `${String(Number(mantissa))}e${exponent}`;
}

/** A concrete shape as the canvas prints static ones: `16×16`, `scalar` for []. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 0 ? 'scalar' : shape.join('×');
}
