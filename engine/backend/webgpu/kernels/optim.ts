/** The optimizers' updates, in place on the parameter and its state: PyTorch's SGD and Adam/AdamW rules, as the CPU backend's. */
import type { AdamHyper, SgdHyper } from '../../backend';
import { f, u, type GpuContext, type GpuTensor } from '../context';
import { perElement } from './elementwise';

const SGD = (momentum: boolean) =>
  perElement(
    'lr: f32, momentum: f32, dampening: f32, weightDecay: f32, nesterov: u32, first: u32,',
    `@group(0) @binding(1) var<storage, read_write> Pm: array<f32>;\n@group(0) @binding(2) var<storage, read> G: array<f32>;${
      momentum ? '\n@group(0) @binding(3) var<storage, read_write> Buf: array<f32>;' : ''
    }`,
    `
    var d = G[i];
    if (P.weightDecay != 0.0) { d += P.weightDecay * Pm[i]; }
    ${
      momentum
        ? `if (P.first == 1u) { Buf[i] = d; } else { Buf[i] = P.momentum * Buf[i] + (1.0 - P.dampening) * d; }
    if (P.nesterov == 1u) { d = d + P.momentum * Buf[i]; } else { d = Buf[i]; }`
        : ''
    }
    Pm[i] = Pm[i] - P.lr * d;`,
  );

export function sgdStep(ctx: GpuContext, p: GpuTensor, g: GpuTensor, buf: GpuTensor | null, size: number, h: SgdHyper): void {
  const params = [u(size), f(h.lr), f(h.momentum), f(h.dampening), f(h.weightDecay), u(h.nesterov ? 1 : 0), u(h.first ? 1 : 0)];
  ctx.dispatch(SGD(buf !== null), buf ? [p, g, buf] : [p, g], params, ctx.groups(size));
}

// PyTorch: denom = sqrt(v) / sqrt(bias_correction2) + eps; p -= (lr / bias_correction1) * m / denom.
const ADAM = perElement(
  'beta1: f32, beta2: f32, eps: f32, weightDecay: f32, decoupled: u32, stepSize: f32, bc2Sqrt: f32, decay: f32,',
  '@group(0) @binding(1) var<storage, read_write> Pm: array<f32>;\n@group(0) @binding(2) var<storage, read> G: array<f32>;\n@group(0) @binding(3) var<storage, read_write> M: array<f32>;\n@group(0) @binding(4) var<storage, read_write> V: array<f32>;',
  `
    var d = G[i];
    var p = Pm[i];
    if (P.decoupled == 1u) { p = p * P.decay; } else if (P.weightDecay != 0.0) { d += P.weightDecay * p; }
    let m = P.beta1 * M[i] + (1.0 - P.beta1) * d;
    let v = P.beta2 * V[i] + (1.0 - P.beta2) * d * d;
    M[i] = m;
    V[i] = v;
    Pm[i] = p - (P.stepSize * m) / (sqrt(v) / P.bc2Sqrt + P.eps);`,
);

export function adamStep(ctx: GpuContext, p: GpuTensor, g: GpuTensor, m: GpuTensor, v: GpuTensor, size: number, h: AdamHyper): void {
  const bc1 = 1 - Math.pow(h.beta1, h.step);
  const bc2Sqrt = Math.sqrt(1 - Math.pow(h.beta2, h.step));
  const decay = h.decoupled ? 1 - h.lr * h.weightDecay : 1;
  const params = [u(size), f(h.beta1), f(h.beta2), f(h.eps), f(h.weightDecay), u(h.decoupled ? 1 : 0), f(h.lr / bc1), f(bc2Sqrt), f(decay)];
  ctx.dispatch(ADAM, [p, g, m, v], params, ctx.groups(size));
}
