/**
 * Optimizers against updates computed by hand, in float64, from PyTorch's documented update rules
 * (torch.optim.SGD / Adam / AdamW "Algorithm" sections), for a few steps on a tiny parameter.
 * The engine keeps parameters and state in float32, so results agree to float32 precision:
 * |engine − expected| <= 1e-7 + 1e-6·|expected| (a few ulps of rounding per step over 3 steps).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam, AdamW, SGD, Tensor, mul, sum, type Optimizer } from '../../engine';
import { assertClose } from './gradcheck';

const P0 = [1.0, -2.0, 0.5, 0.0].map(Math.fround);
const G = [0.1, -0.3, 0.2, -0.05].map(Math.fround);

const param = (v: readonly number[] = P0) => Tensor.fromData(v, [v.length], 'float32', true);
const setGrad = (p: Tensor, g: readonly number[]) => {
  p.grad = Tensor.fromData(g, p.shape);
};
const close = (p: Tensor, want: readonly number[], what: string) => assertClose(p.dataSync(), want, 1e-7, 1e-6, what);

/** Run `steps` steps with the fixed gradients grads[t] (or G), returning the parameter after each step. */
function run(opt: Optimizer, p: Tensor, steps: number, grads: (t: number) => readonly number[] = () => G): number[][] {
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) {
    setGrad(p, grads(t));
    opt.step();
    out.push([...p.dataSync()]);
  }
  return out;
}

interface SgdRef {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/**
 * torch.optim.SGD:
 *   g ← ∇ + λθ;  if μ ≠ 0: b ← (t > 1 ? μ·b + (1 − τ)·g : g), g ← (nesterov ? g + μ·b : b);  θ ← θ − γ·g
 */
function sgdRef(p0: readonly number[], grads: (t: number) => readonly number[], steps: number, o: SgdRef): number[][] {
  const mu = o.momentum ?? 0,
    tau = o.dampening ?? 0,
    wd = o.weightDecay ?? 0;
  const theta = [...p0];
  const buf = p0.map(() => 0);
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    const grad = grads(t - 1);
    for (let i = 0; i < theta.length; i++) {
      let g = grad[i] + wd * theta[i];
      if (mu !== 0) {
        buf[i] = t > 1 ? mu * buf[i] + (1 - tau) * g : g;
        g = o.nesterov ? g + mu * buf[i] : buf[i];
      }
      theta[i] -= o.lr * g;
    }
    out.push([...theta]);
  }
  return out;
}

interface AdamRef {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  decoupled?: boolean;
}

/**
 * torch.optim.Adam (decoupled = false: g ← ∇ + λθ) and torch.optim.AdamW (decoupled: θ ← θ − γλθ first):
 *   m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  m̂ = m / (1 − β₁ᵗ);  v̂ = v / (1 − β₂ᵗ);  θ ← θ − γ·m̂ / (√v̂ + ε)
 */
function adamRef(p0: readonly number[], grads: (t: number) => readonly number[], steps: number, o: AdamRef): number[][] {
  const lr = o.lr ?? 1e-3,
    [b1, b2] = o.betas ?? [0.9, 0.999],
    eps = o.eps ?? 1e-8,
    wd = o.weightDecay ?? 0;
  const theta = [...p0];
  const m = p0.map(() => 0),
    v = p0.map(() => 0);
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    const grad = grads(t - 1);
    for (let i = 0; i < theta.length; i++) {
      let g = grad[i];
      if (o.decoupled) theta[i] -= lr * wd * theta[i];
      else g += wd * theta[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const mHat = m[i] / (1 - b1 ** t);
      const vHat = v[i] / (1 - b2 ** t);
      theta[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
    out.push([...theta]);
  }
  return out;
}

const fixed = () => G;
/** A gradient that changes from step to step, so momentum and nesterov differ from plain steps. */
const varying = (t: number) => G.map((g, i) => Math.fround(g * (1 + 0.5 * t) - 0.07 * t * (i % 2 ? 1 : -1)));

function compare(name: string, got: number[][], want: number[][]): void {
  assert.equal(got.length, want.length);
  got.forEach((g, t) => assertClose(g, want[t], 1e-7, 1e-6, `${name}, step ${t + 1}`));
}

test('SGD: plain, momentum, dampening, nesterov and weight decay follow PyTorch for 3 steps', () => {
  const configs: SgdRef[] = [
    { lr: 0.1 },
    { lr: 0.1, momentum: 0.9 },
    { lr: 0.05, momentum: 0.9, dampening: 0.5 },
    { lr: 0.1, momentum: 0.9, nesterov: true },
    { lr: 0.1, weightDecay: 0.1 },
    { lr: 0.1, momentum: 0.8, weightDecay: 0.05 },
    { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 },
  ];
  for (const o of configs) {
    for (const [gname, grads] of [
      ['fixed', fixed],
      ['varying', varying],
    ] as const) {
      const p = param();
      compare(`SGD ${JSON.stringify(o)} ${gname}`, run(new SGD([p], o), p, 3, grads), sgdRef(P0, grads, 3, o));
    }
  }
  // Spot values by hand: plain SGD, lr 0.1, one step: θ − 0.1·g.
  const p = param();
  run(new SGD([p], { lr: 0.1 }), p, 1);
  close(p, [1 - 0.01, -2 + 0.03, 0.5 - 0.02, 0.005], 'SGD one step by hand');
  // Momentum 0.9, fixed g: buffers g, 1.9g, 2.71g; θ₃ = θ₀ − lr·5.61g.
  const q = param();
  run(new SGD([q], { lr: 0.1, momentum: 0.9 }), q, 3);
  close(
    q,
    P0.map((v, i) => v - 0.1 * 5.61 * G[i]),
    'SGD momentum by hand',
  );
});

test('SGD: nesterov needs momentum and zero dampening', () => {
  assert.throws(() => new SGD([param()], { lr: 0.1, nesterov: true }), /nesterov/);
  assert.throws(() => new SGD([param()], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /nesterov/);
});

test('SGD: options given as undefined take their defaults', () => {
  // A caller forwarding optional settings ({ momentum: cfg.momentum }) must get PyTorch's defaults, not NaN.
  const p = param();
  const got = run(new SGD([p], { lr: 0.1, momentum: undefined, dampening: undefined, weightDecay: undefined, nesterov: undefined }), p, 3);
  compare('SGD with undefined options', got, sgdRef(P0, fixed, 3, { lr: 0.1 }));
});

test('Adam: defaults and custom settings follow PyTorch for 3 steps', () => {
  const configs: AdamRef[] = [
    {},
    { lr: 0.1 },
    { lr: 0.05, betas: [0.8, 0.95], eps: 1e-6 },
    { lr: 0.1, weightDecay: 0.1 }, // L2: added to the gradient
  ];
  for (const o of configs) {
    for (const [gname, grads] of [
      ['fixed', fixed],
      ['varying', varying],
    ] as const) {
      const p = param();
      const opt = new Adam([p], { lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weightDecay });
      compare(`Adam ${JSON.stringify(o)} ${gname}`, run(opt, p, 3, grads), adamRef(P0, grads, 3, o));
    }
  }
  // By hand: with a fixed gradient, m̂ = g and v̂ = g² at every step, so each step moves θ by
  // lr·g/(|g| + ε) ≈ lr·sign(g); and a zero gradient (element 3 when g is 0) does not move θ.
  const p = param();
  run(new Adam([p], { lr: 0.01 }), p, 3, () => [0.1, -0.3, 0.2, 0]);
  close(p, [1 - 0.03, -2 + 0.03, 0.5 - 0.03, 0], 'Adam by hand');
  const adam = new Adam([param()]);
  assert.equal(adam.weightDecay, 0);
  assert.equal(adam.lr, 1e-3);
  assert.deepEqual([...adam.betas], [0.9, 0.999]);
  assert.equal(adam.eps, 1e-8);
});

test('AdamW: decoupled weight decay, default 0.01, applied to every parameter including biases', () => {
  const w = param();
  const b = param([0.5, -0.25, 2]);
  const opt = new AdamW([w, b], { lr: 0.1 });
  assert.equal(opt.weightDecay, 0.01);
  for (let t = 0; t < 3; t++) {
    setGrad(w, G);
    setGrad(b, [0, 0, 0]); // a bias with a zero gradient: only the decay moves it
    opt.step();
  }
  compare('AdamW weight', [[...w.dataSync()]], [adamRef(P0, fixed, 3, { lr: 0.1, weightDecay: 0.01, decoupled: true })[2]]);
  close(
    b,
    [0.5, -0.25, 2].map((v) => v * (1 - 0.1 * 0.01) ** 3),
    'AdamW decays a bias',
  );

  for (const o of [
    { lr: 0.05, weightDecay: 0.1 },
    { lr: 0.01, weightDecay: 0, betas: [0.5, 0.6] as [number, number] },
  ]) {
    for (const [gname, grads] of [
      ['fixed', fixed],
      ['varying', varying],
    ] as const) {
      const p = param();
      compare(`AdamW ${JSON.stringify(o)} ${gname}`, run(new AdamW([p], o), p, 3, grads), adamRef(P0, grads, 3, { ...o, decoupled: true }));
    }
  }
  // AdamW and Adam with the same weight decay differ (decoupled vs L2).
  const pa = param(),
    pw = param();
  run(new Adam([pa], { lr: 0.1, weightDecay: 0.5 }), pa, 2);
  run(new AdamW([pw], { lr: 0.1, weightDecay: 0.5 }), pw, 2);
  assert.notDeepEqual([...pa.dataSync()], [...pw.dataSync()]);
});

test('a parameter with no gradient is skipped, and its state starts at its first gradient', () => {
  const cases: [string, (ps: Tensor[]) => Optimizer, (grads: (t: number) => readonly number[], steps: number) => number[][]][] = [
    ['SGD momentum', (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9 }), (g, n) => sgdRef(P0, g, n, { lr: 0.1, momentum: 0.9 })],
    ['SGD weight decay', (ps) => new SGD(ps, { lr: 0.1, weightDecay: 0.1 }), (g, n) => sgdRef(P0, g, n, { lr: 0.1, weightDecay: 0.1 })],
    ['Adam', (ps) => new Adam(ps, { lr: 0.1 }), (g, n) => adamRef(P0, g, n, { lr: 0.1 })],
    ['AdamW', (ps) => new AdamW(ps, { lr: 0.1 }), (g, n) => adamRef(P0, g, n, { lr: 0.1, weightDecay: 0.01, decoupled: true })],
  ];
  for (const [name, make, ref] of cases) {
    const a = param(),
      b = param();
    const opt = make([a, b]);
    // Step 1: only a has a gradient; b (which the loss did not reach) must not move, not even by decay.
    setGrad(a, G);
    opt.step();
    assert.deepEqual([...b.dataSync()], P0, `${name}: a parameter without grad is left alone`);
    // Steps 2 and 3: both have gradients; b behaves as if these were its steps 1 and 2.
    for (let t = 0; t < 2; t++) {
      setGrad(a, G);
      setGrad(b, G);
      opt.step();
    }
    close(a, ref(fixed, 3)[2], `${name}: parameter with grads at every step`);
    close(b, ref(fixed, 2)[1], `${name}: parameter whose first grad came at step 2`);
  }
});

test('zeroGrad clears gradients and a real backward feeds step()', () => {
  const w = param([0.5, -1]);
  const opt = new SGD([w], { lr: 0.25 });
  // loss = Σ w·[2, 3], so dL/dw = [2, 3] and one step gives w − 0.25·[2, 3].
  sum(mul(w, Tensor.fromData([2, 3], [2]))).backward();
  opt.step();
  close(w, [0.5 - 0.5, -1 - 0.75], 'SGD after backward');
  opt.zeroGrad();
  assert.equal(w.grad, null);
  opt.step();
  close(w, [0, -1.75], 'no grad, no step');
  assert.throws(() => new SGD([Tensor.fromData([1], [1])], { lr: 0.1 }), /does not require grad/);
});
