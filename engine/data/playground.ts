/**
 * The 2-D datasets of TensorFlow Playground (classification: circle, xor, gaussians, spiral;
 * regression: plane, gaussians), drawn from the project's seeded generator. Points lie in [-6, 6]².
 * Classification labels are 0/1 (Playground's -1 becomes 0).
 */
import { Random } from '../nn/random';

export interface Points {
  /** [n, 2] row-major. */
  x: Float32Array;
  /** Class 0/1 for classification, a value in [-1, 1] for regression. */
  y: Float32Array;
  n: number;
}

export const CLASSIFICATION_SETS = ['circle', 'xor', 'gaussians', 'spiral'] as const;
export const REGRESSION_SETS = ['regress-plane', 'regress-gaussians'] as const;
export type PlaygroundSet = (typeof CLASSIFICATION_SETS)[number] | (typeof REGRESSION_SETS)[number];

function out(n: number): Points {
  return { x: new Float32Array(n * 2), y: new Float32Array(n), n };
}

/** Box–Muller normal with the given mean and variance. */
const normal = (rng: Random, mean: number, variance: number) => mean + Math.sqrt(variance) * rng.normal();

function circle(n: number, noise: number, rng: Random): Points {
  const p = out(n);
  const radius = 5;
  for (let i = 0; i < n; i++) {
    // Half the points inside radius/2 (class 1), half in the ring 0.7r..r (class 0).
    const inside = i < n / 2;
    const r = inside ? rng.uniformRange(0, radius * 0.5) : rng.uniformRange(radius * 0.7, radius);
    const angle = rng.uniformRange(0, 2 * Math.PI);
    const x = r * Math.sin(angle),
      y = r * Math.cos(angle);
    const nx = rng.uniformRange(-radius, radius) * noise,
      ny = rng.uniformRange(-radius, radius) * noise;
    p.x[2 * i] = x + nx;
    p.x[2 * i + 1] = y + ny;
    // Labelled by where the noisy point fell, as Playground does.
    p.y[i] = Math.hypot(x + nx, y + ny) < radius * 0.5 ? 1 : 0;
  }
  return p;
}

function xor(n: number, noise: number, rng: Random): Points {
  const p = out(n);
  const padding = 0.3;
  for (let i = 0; i < n; i++) {
    let x = rng.uniformRange(-5, 5);
    x += x > 0 ? padding : -padding;
    let y = rng.uniformRange(-5, 5);
    y += y > 0 ? padding : -padding;
    const nx = rng.uniformRange(-5, 5) * noise,
      ny = rng.uniformRange(-5, 5) * noise;
    p.x[2 * i] = x + nx;
    p.x[2 * i + 1] = y + ny;
    p.y[i] = (x + nx) * (y + ny) >= 0 ? 1 : 0;
  }
  return p;
}

function gaussians(n: number, noise: number, rng: Random): Points {
  const p = out(n);
  const variance = 0.5 + (4 - 0.5) * noise;
  for (let i = 0; i < n; i++) {
    const positive = i < n / 2;
    const c = positive ? 2 : -2;
    p.x[2 * i] = normal(rng, c, variance);
    p.x[2 * i + 1] = normal(rng, c, variance);
    p.y[i] = positive ? 1 : 0;
  }
  return p;
}

function spiral(n: number, noise: number, rng: Random): Points {
  const p = out(n);
  const half = Math.floor(n / 2);
  for (let i = 0; i < n; i++) {
    const second = i >= half;
    const k = second ? i - half : i;
    const m = second ? n - half : half;
    const r = (k / m) * 5;
    const t = ((1.75 * k) / m) * 2 * Math.PI + (second ? Math.PI : 0);
    p.x[2 * i] = r * Math.sin(t) + rng.uniformRange(-1, 1) * noise;
    p.x[2 * i + 1] = r * Math.cos(t) + rng.uniformRange(-1, 1) * noise;
    p.y[i] = second ? 0 : 1;
  }
  return p;
}

function regressPlane(n: number, noise: number, rng: Random): Points {
  const p = out(n);
  const radius = 6;
  for (let i = 0; i < n; i++) {
    const x = rng.uniformRange(-radius, radius),
      y = rng.uniformRange(-radius, radius);
    const nx = rng.uniformRange(-radius, radius) * noise,
      ny = rng.uniformRange(-radius, radius) * noise;
    p.x[2 * i] = x;
    p.x[2 * i + 1] = y;
    // Playground: label = (x + y) / radius·2 mapped into [-1, 1], computed from the noisy point.
    p.y[i] = (x + nx + y + ny) / (2 * radius);
  }
  return p;
}

function regressGaussians(n: number, noise: number, rng: Random): Points {
  const p = out(n);
  const radius = 6;
  const centers = [
    [-4, 2.5, 1],
    [0, 2.5, -1],
    [4, 2.5, 1],
    [-4, -2.5, -1],
    [0, -2.5, 1],
    [4, -2.5, -1],
  ];
  for (let i = 0; i < n; i++) {
    const x = rng.uniformRange(-radius, radius),
      y = rng.uniformRange(-radius, radius);
    const nx = rng.uniformRange(-radius, radius) * noise,
      ny = rng.uniformRange(-radius, radius) * noise;
    let label = 0;
    for (const [cx, cy, sign] of centers) {
      // Each centre contributes sign·(1 − distance/2), clamped at 0, as Playground's label scale.
      const d = Math.hypot(x + nx - cx, y + ny - cy);
      const v = sign * Math.max(0, 1 - d / 2);
      if (Math.abs(v) > Math.abs(label)) label = v;
    }
    p.x[2 * i] = x;
    p.x[2 * i + 1] = y;
    p.y[i] = label;
  }
  return p;
}

const GENERATORS: Record<PlaygroundSet, (n: number, noise: number, rng: Random) => Points> = {
  circle,
  xor,
  gaussians,
  spiral,
  'regress-plane': regressPlane,
  'regress-gaussians': regressGaussians,
};

/** n points of a Playground set with noise in [0, 1] (Playground's 0–50 slider / 100). */
export function playgroundPoints(kind: PlaygroundSet, n: number, noise: number, seed: number): Points {
  return GENERATORS[kind](n, noise, new Random(seed, 'dataset', kind));
}

export const isClassificationSet = (k: string) => (CLASSIFICATION_SETS as readonly string[]).includes(k);
