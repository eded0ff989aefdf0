/** Softmax family and the classification losses, computed the numerically stable way (max-shifted). */
import { floatsLike, type Floats } from './floats';

export function softmax(x: Floats, outer: number, dim: number, inner: number, log: boolean): Floats {
  const y = floatsLike(x, x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * dim * inner + i;
      let max = -Infinity;
      for (let d = 0; d < dim; d++) max = Math.max(max, x[base + d * inner]);
      let sum = 0;
      for (let d = 0; d < dim; d++) sum += Math.exp(x[base + d * inner] - max);
      if (log) {
        const lse = max + Math.log(sum);
        for (let d = 0; d < dim; d++) y[base + d * inner] = x[base + d * inner] - lse;
      } else {
        for (let d = 0; d < dim; d++) y[base + d * inner] = Math.exp(x[base + d * inner] - max) / sum;
      }
    }
  }
  return y;
}

export function softmaxBackward(y: Floats, gy: Floats, outer: number, dim: number, inner: number, log: boolean): Floats {
  const g = floatsLike(y, y.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * dim * inner + i;
      if (log) {
        // d/dx log_softmax: gy - softmax * sum(gy)
        let s = 0;
        for (let d = 0; d < dim; d++) s += gy[base + d * inner];
        for (let d = 0; d < dim; d++) g[base + d * inner] = gy[base + d * inner] - Math.exp(y[base + d * inner]) * s;
      } else {
        // d/dx softmax: y * (gy - sum(gy * y))
        let s = 0;
        for (let d = 0; d < dim; d++) s += gy[base + d * inner] * y[base + d * inner];
        for (let d = 0; d < dim; d++) g[base + d * inner] = y[base + d * inner] * (gy[base + d * inner] - s);
      }
    }
  }
  return g;
}

function checkLabel(label: number, c: number, row: number): void {
  if (!(label >= 0 && label < c)) throw new RangeError(`CrossEntropyLoss: target ${label} at row ${row} is out of range for ${c} classes (0..${c - 1})`);
}

export function crossEntropy(logits: Floats, labels: Int32Array, n: number, c: number): Floats {
  const out = floatsLike(logits, n);
  for (let r = 0; r < n; r++) {
    const label = labels[r];
    checkLabel(label, c, r);
    const base = r * c;
    let max = -Infinity;
    for (let j = 0; j < c; j++) max = Math.max(max, logits[base + j]);
    let sum = 0;
    for (let j = 0; j < c; j++) sum += Math.exp(logits[base + j] - max);
    out[r] = max + Math.log(sum) - logits[base + label];
  }
  return out;
}

/** Gradient of mean cross entropy, times the upstream scalar gradient. */
export function crossEntropyBackward(logits: Floats, labels: Int32Array, gScale: number, n: number, c: number): Floats {
  const g = floatsLike(logits, n * c);
  const s = gScale / n;
  for (let r = 0; r < n; r++) {
    const base = r * c;
    let max = -Infinity;
    for (let j = 0; j < c; j++) max = Math.max(max, logits[base + j]);
    let sum = 0;
    for (let j = 0; j < c; j++) sum += Math.exp(logits[base + j] - max);
    for (let j = 0; j < c; j++) g[base + j] = (Math.exp(logits[base + j] - max) / sum) * s;
    g[base + labels[r]] -= s;
  }
  return g;
}

export function bceWithLogits(x: Floats, t: Floats): Floats {
  const out = floatsLike(x, x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = Math.max(v, 0) - v * t[i] + Math.log1p(Math.exp(-Math.abs(v)));
  }
  return out;
}

export function bceWithLogitsBackward(x: Floats, t: Floats, gy: Floats): [Floats, Floats] {
  const gx = floatsLike(x, x.length);
  const gt = floatsLike(x, x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const s = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    gx[i] = (s - t[i]) * gy[i];
    gt[i] = -v * gy[i];
  }
  return [gx, gt];
}
