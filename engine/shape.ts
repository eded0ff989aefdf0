/** Shapes, sizes and NumPy broadcasting: the arithmetic every op's shape rule is built from. */

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeEq(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: Shape, batchName?: string): string {
  if (shape.length === 0) return '[]';
  return '[' + shape.map((d, i) => (i === 0 && batchName ? batchName : String(d))).join(', ') + ']';
}

/** Row-major strides. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** The broadcast result of two shapes, or null when they do not broadcast (NumPy rules). */
export function broadcastShapes(a: Shape, b: Shape): number[] | null {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else return null;
  }
  return out;
}

/** Normalise a possibly negative dim for a tensor of `rank` dims; null when out of range. */
export function normDim(dim: number, rank: number): number | null {
  const d = dim < 0 ? dim + rank : dim;
  return Number.isInteger(d) && d >= 0 && d < rank ? d : null;
}

export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

export function mustBroadcast(a: Shape, b: Shape, what: string): number[] {
  const s = broadcastShapes(a, b);
  if (!s) throw new ShapeError(`${what}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast`);
  return s;
}
