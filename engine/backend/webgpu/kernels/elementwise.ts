/**
 * Elementwise kernels: the unary activations and their derivatives (the CPU backend's formulas, written in
 * WGSL), broadcasting binary ops, axpby and scale, broadcastTo, casts and fills. One thread per element, looping
 * by the grid's size where an array is larger than one dispatch can cover.
 */
import type { BinaryOp, UnaryOp } from '../../backend';
import type { Shape } from '../../../shape';
import { f, u, WORKGROUP, type GpuContext, type GpuTensor } from '../context';
import { broadcastStrides, collapse, layoutFields, layoutParams, offsetFn } from './layout';

/** WGSL: a quiet NaN and +Infinity made at run time (WGSL refuses either as a constant). */
export const NAN = /* wgsl */ `
var<private> nanBits: u32 = 0x7fc00000u;
var<private> infBits: u32 = 0x7f800000u;
fn nan_() -> f32 { return bitcast<f32>(nanBits); }
fn inf_() -> f32 { return bitcast<f32>(infBits); }`;

/** WGSL shared by the activations: a tanh and an erf that stay exact to float32 over the whole range. */
const MATH = /* wgsl */ `${NAN}
// Bit tests: a WGSL compiler may assume floats are finite, so x != x cannot be relied on to find NaN.
fn isNan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn tanh_(x: f32) -> f32 {
  // WGSL's tanh may overflow exp for large |x|; ±1 is exact in float32 beyond 9.
  if (abs(x) > 9.0) { return sign(x); }
  return tanh(x);
}
fn sigmoid_(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
fn erf_(x: f32) -> f32 {
  // Abramowitz & Stegun 7.1.26 refined (max error 1.2e-7): enough for float32.
  let a = abs(x);
  let t = 1.0 / (1.0 + 0.5 * a);
  let y = 1.0 - t * exp(-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return select(-y, y, x >= 0.0);
}
// WGSL leaves log and sqrt undefined at 0 and below (SwiftShader's log(0) is -88): Math's values, explicitly.
fn log_(x: f32) -> f32 {
  if (x == 0.0) { return -inf_(); }
  if (x < 0.0) { return nan_(); }
  return log(x);
}
fn sqrt_(x: f32) -> f32 {
  if (x < 0.0) { return nan_(); }
  return sqrt(x);
}
fn pow_(x: f32, e: f32) -> f32 {
  // Math.pow's rules for a negative base: defined for whole exponents, NaN otherwise.
  if (e == 0.0) { return 1.0; }
  // WGSL's pow is exp2(e·log2(x)), undefined at 0: Math.pow gives 0, or Infinity for a negative exponent (so the
  // gradient of √x at 0 is Infinity on both backends, and the NaN guard stops both runs alike).
  if (x == 0.0) { return select(0.0, inf_(), e < 0.0); }
  if (x > 0.0) { return pow(x, e); }
  if (floor(e) != e) { return nan_(); }
  let m = pow(-x, e);
  return select(m, -m, (i32(abs(e)) & 1) == 1);
}
const SQRT_2_OVER_PI: f32 = 0.7978845608028654;
const GELU_C: f32 = 0.044715;
const INV_SQRT_2: f32 = 0.7071067811865476;
const INV_SQRT_2PI: f32 = 0.3989422804014327;
`;

/** y = f(x) for each op, with x the input and q the op's parameter. */
const FORWARD: Record<UnaryOp, string> = {
  neg: '-x',
  exp: 'exp(x)',
  log: 'log_(x)',
  // NaN propagates, as torch.relu's.
  relu: 'select(0.0, x, x > 0.0 || isNan_(x))',
  leakyRelu: 'select(x * q, x, x > 0.0)',
  tanh: 'tanh_(x)',
  sigmoid: 'sigmoid_(x)',
  gelu: 'x * 0.5 * (1.0 + erf_(x * INV_SQRT_2))',
  geluTanh: '0.5 * x * (1.0 + tanh_(SQRT_2_OVER_PI * (x + GELU_C * x * x * x)))',
  pow: 'pow_(x, q)',
  abs: 'abs(x)',
  sqrt: 'sqrt_(x)',
  rsqrt: '1.0 / sqrt_(x)',
  square: 'x * x',
  reciprocal: '1.0 / x',
  softplus: 'select(select(log(1.0 + exp(x)), exp(x), x < -20.0), x, x > 20.0)',
};

/** dx from x, y = f(x), the arriving gradient g and the parameter q (the CPU backend's rules, PyTorch's at kinks). */
const BACKWARD: Record<UnaryOp, string> = {
  neg: '-g',
  exp: 'g * y',
  log: 'g / x',
  relu: 'select(g, 0.0, x <= 0.0)',
  leakyRelu: 'select(g * q, g, x > 0.0)',
  tanh: 'g * (1.0 - y * y)',
  sigmoid: 'g * y * (1.0 - y)',
  gelu: 'g * (0.5 * (1.0 + erf_(x * INV_SQRT_2)) + x * INV_SQRT_2PI * exp(-0.5 * x * x))',
  geluTanh:
    'g * (0.5 * (1.0 + tanh_(SQRT_2_OVER_PI * (x + GELU_C * x * x * x))) + 0.5 * x * (1.0 - tanh_(SQRT_2_OVER_PI * (x + GELU_C * x * x * x)) * tanh_(SQRT_2_OVER_PI * (x + GELU_C * x * x * x))) * SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_C * x * x))',
  pow: 'select(g * q * pow_(x, q - 1.0), 0.0, q == 0.0)',
  abs: 'g * sign(x)',
  sqrt: 'g * 0.5 / y',
  rsqrt: 'g * -0.5 * y * y * y',
  square: 'g * 2.0 * x',
  reciprocal: '-g * y * y',
  softplus: 'g * sigmoid_(x)',
};

/** A one-dimensional kernel over P.n elements: `body` runs with i the element's index. */
export function perElement(params: string, bindings: string, body: string, helpers = ''): string {
  return /* wgsl */ `
struct Params { n: u32, ${params} }
@group(0) @binding(0) var<storage, read> P: Params;
${bindings}
${helpers}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let stride = groups.x * ${WORKGROUP}u;
  for (var i = gid.x; i < P.n; i += stride) {
${body}
  }
}`;
}

const IN = (binding: number, name: string, type = 'f32') => `@group(0) @binding(${binding}) var<storage, read> ${name}: array<${type}>;`;
const OUT = (binding: number, name: string, type = 'f32') => `@group(0) @binding(${binding}) var<storage, read_write> ${name}: array<${type}>;`;

export function unary(ctx: GpuContext, op: UnaryOp, x: GpuTensor, size: number, param = 0): GpuTensor {
  const y = ctx.tensor(size, 'float32');
  const code = perElement('q: f32,', `${IN(1, 'X')}\n${OUT(2, 'Y')}`, `    let x = X[i];\n    let q = P.q;\n    Y[i] = ${FORWARD[op]};`, MATH);
  ctx.dispatch(code, [x, y], [u(size), f(param)], ctx.groups(size));
  return y;
}

export function unaryBackward(ctx: GpuContext, op: UnaryOp, x: GpuTensor, y: GpuTensor, gy: GpuTensor, size: number, param = 0): GpuTensor {
  const dx = ctx.tensor(size, 'float32');
  const code = perElement(
    'q: f32,',
    `${IN(1, 'X')}\n${IN(2, 'Yv')}\n${IN(3, 'G')}\n${OUT(4, 'D')}`,
    `    let x = X[i];\n    let y = Yv[i];\n    let g = G[i];\n    let q = P.q;\n    D[i] = ${BACKWARD[op]};`,
    MATH,
  );
  ctx.dispatch(code, [x, y, gy, dx], [u(size), f(param)], ctx.groups(size));
  return dx;
}

const SYMBOL: Record<BinaryOp, string> = { add: '+', sub: '-', mul: '*', div: '/' };

export function binary(ctx: GpuContext, op: BinaryOp, a: GpuTensor, aShape: Shape, b: GpuTensor, bShape: Shape, outShape: Shape): GpuTensor {
  const n = outShape.reduce((p, d) => p * d, 1);
  const out = ctx.tensor(n, 'float32');
  if (a.size === n && b.size === n) {
    const code = perElement('', `${IN(1, 'A')}\n${IN(2, 'B')}\n${OUT(3, 'Y')}`, `    Y[i] = A[i] ${SYMBOL[op]} B[i];`);
    ctx.dispatch(code, [a, b, out], [u(n)], ctx.groups(n));
    return out;
  }
  const layout = collapse(outShape, [broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape)]);
  const code = perElement(
    `${layoutFields(2)}`,
    `${IN(1, 'A')}\n${IN(2, 'B')}\n${OUT(3, 'Y')}`,
    `    Y[i] = A[offset0(i)] ${SYMBOL[op]} B[offset1(i)];`,
    offsetFn(2),
  );
  ctx.dispatch(code, [a, b, out], [u(n), ...layoutParams(layout)], ctx.groups(n));
  return out;
}

export function broadcastTo(ctx: GpuContext, x: GpuTensor, shape: Shape, outShape: Shape): GpuTensor {
  const n = outShape.reduce((p, d) => p * d, 1);
  const out = ctx.tensor(n, x.dtype);
  const layout = collapse(outShape, [broadcastStrides(shape, outShape)]);
  const code = perElement(`${layoutFields(1)}`, `${IN(1, 'X', 'u32')}\n${OUT(2, 'Y', 'u32')}`, `    Y[i] = X[offset0(i)];`, offsetFn(1));
  ctx.dispatch(code, [x, out], [u(n), ...layoutParams(layout)], ctx.groups(n));
  return out;
}

export function axpby(ctx: GpuContext, a: GpuTensor, alpha: number, b: GpuTensor, beta: number, size: number): GpuTensor {
  const out = ctx.tensor(size, 'float32');
  const code = perElement('alpha: f32, beta: f32,', `${IN(1, 'A')}\n${IN(2, 'B')}\n${OUT(3, 'Y')}`, `    Y[i] = P.alpha * A[i] + P.beta * B[i];`);
  ctx.dispatch(code, [a, b, out], [u(size), f(alpha), f(beta)], ctx.groups(size));
  return out;
}

export function scale(ctx: GpuContext, x: GpuTensor, alpha: number, size: number): GpuTensor {
  const out = ctx.tensor(size, 'float32');
  const code = perElement('alpha: f32,', `${IN(1, 'X')}\n${OUT(2, 'Y')}`, `    Y[i] = X[i] * P.alpha;`);
  ctx.dispatch(code, [x, out], [u(size), f(alpha)], ctx.groups(size));
  return out;
}

/** Float to int32 truncates toward zero (Math.trunc); int32 to float converts. */
export function cast(ctx: GpuContext, x: GpuTensor, to: 'float32' | 'int32'): GpuTensor {
  const out = ctx.tensor(x.size, to);
  const body =
    to === 'int32' ? (x.dtype === 'int32' ? 'Y[i] = X[i];' : 'Y[i] = i32(trunc(X[i]));') : x.dtype === 'int32' ? 'Y[i] = f32(X[i]);' : 'Y[i] = X[i];';
  const code = perElement('', `${IN(1, 'X', x.dtype === 'int32' ? 'i32' : 'f32')}\n${OUT(2, 'Y', to === 'int32' ? 'i32' : 'f32')}`, `    ${body}`);
  ctx.dispatch(code, [x, out], [u(x.size)], ctx.groups(x.size));
  return out;
}

export function fill(ctx: GpuContext, size: number, value: number, dtype: 'float32' | 'int32'): GpuTensor {
  const out = ctx.tensor(size, dtype);
  const type = dtype === 'int32' ? 'i32' : 'f32';
  const code = perElement(`v: ${type},`, OUT(1, 'Y', type), `    Y[i] = P.v;`);
  ctx.dispatch(code, [out], [u(size), dtype === 'int32' ? { i: value } : f(value)], ctx.groups(size));
  return out;
}

/** x + bias[j] on every row of x [rows, cols], in place. */
export function addRowVector(ctx: GpuContext, x: GpuTensor, bias: GpuTensor, rows: number, cols: number): GpuTensor {
  const code = perElement('cols: u32,', `${OUT(1, 'X')}\n${IN(2, 'B')}`, `    X[i] = X[i] + B[i % P.cols];`);
  ctx.dispatch(code, [x, bias], [u(rows * cols), u(cols)], ctx.groups(rows * cols));
  return x;
}
