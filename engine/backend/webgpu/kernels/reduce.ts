/**
 * Reductions: sumTo (the reverse of broadcasting, which sum and every broadcast gradient use), the sum of squares
 * behind the gradient norms, and the all-finite check behind the NaN guard. Each output value is reduced by one
 * workgroup: its threads stride over the values that fold into it, then combine in workgroup memory.
 */
import type { Shape } from '../../../shape';
import { stridesOf } from '../../../shape';
import { u, WORKGROUP, type GpuContext, type GpuTensor } from '../context';
import { collapse, layoutParams, MAX_RANK } from './layout';

/** WGSL: the offset of index `o` within a layout declared as `<name>Rank`, `<name>Shape`, `<name>Stride`. */
const offsetOf = (name: string) => `fn ${name}Offset(o: u32) -> u32 {
  var rest = o;
  var at = 0u;
  for (var d = i32(P.${name}Rank) - 1; d >= 0; d--) {
    let k = rest % P.${name}Shape[d];
    rest = rest / P.${name}Shape[d];
    at += k * P.${name}Stride[d];
  }
  return at;
}`;

const layoutDecl = (name: string) => `${name}Rank: u32, ${name}Shape: array<u32, ${MAX_RANK}>, ${name}Stride: array<u32, ${MAX_RANK}>,`;

/** The WGSL of a workgroup-per-output reduction: `term(v)` maps each value, `combine` folds two partials. */
function reduction(type: string, term: string, combine: (a: string, b: string) => string, zero: string, input = 'f32'): string {
  return /* wgsl */ `
struct Params { outputs: u32, count: u32, ${layoutDecl('kept')} ${layoutDecl('folded')} }
@group(0) @binding(0) var<storage, read> P: Params;
@group(0) @binding(1) var<storage, read> X: array<${input}>;
@group(0) @binding(2) var<storage, read_write> Y: array<${type}>;
var<workgroup> partial: array<${type}, ${WORKGROUP}>;
${offsetOf('kept')}
${offsetOf('folded')}
fn term(v: ${input}) -> ${type} { return ${term}; }
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  for (var o = wid.x; o < P.outputs; o += groups.x) {
    let base = keptOffset(o);
    var acc: ${type} = ${zero};
    for (var r = t; r < P.count; r += ${WORKGROUP}u) {
      acc = ${combine('acc', 'term(X[base + foldedOffset(r)])')};
    }
    partial[t] = acc;
    workgroupBarrier();
    for (var half = ${WORKGROUP / 2}u; half > 0u; half = half / 2u) {
      if (t < half) { partial[t] = ${combine('partial[t]', 'partial[t + half]')}; }
      workgroupBarrier();
    }
    if (t == 0u) { Y[o] = partial[0]; }
    workgroupBarrier();
  }
}`;
}

/** Splits x's dims into those kept (to[d] ≠ 1) and those folded (to[d] = 1 where x's is not), with x's strides. */
function splitLayout(shape: Shape, to: Shape) {
  const strides = stridesOf(shape);
  const off = shape.length - to.length;
  const keptShape: number[] = [],
    keptStride: number[] = [],
    foldShape: number[] = [],
    foldStride: number[] = [];
  shape.forEach((d, k) => {
    const target = k < off ? 1 : to[k - off];
    if (target === d) {
      keptShape.push(d);
      keptStride.push(strides[k]);
    } else {
      foldShape.push(d);
      foldStride.push(strides[k]);
    }
  });
  const kept = collapse(keptShape, [keptStride]);
  const folded = collapse(foldShape, [foldStride]);
  return { kept, folded };
}

function reduce(ctx: GpuContext, code: string, x: GpuTensor, shape: Shape, to: Shape, dtype: 'float32' | 'int32'): GpuTensor {
  const { kept, folded } = splitLayout(shape, to);
  const outputs = kept.shape.reduce((p, d) => p * d, 1);
  const count = folded.shape.reduce((p, d) => p * d, 1);
  const y = ctx.tensor(outputs, dtype);
  const groups = Math.min(outputs, ctx.device.limits.maxComputeWorkgroupsPerDimension);
  ctx.dispatch(code, [x, y], [u(outputs), u(count), ...layoutParams(kept), ...layoutParams(folded)], groups);
  return y;
}

const SUM = reduction('f32', 'v', (a, b) => `${a} + ${b}`, '0.0');
const SUM_SQUARES = reduction('f32', 'v * v', (a, b) => `${a} + ${b}`, '0.0');
// 1 where a value's exponent bits are all ones (±Inf or NaN): a bit test, since WGSL may assume finite floats.
const NON_FINITE = reduction('u32', 'u32((bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u)', (a, b) => `max(${a}, ${b})`, '0u');

/** Sums x of `shape` down to `to`, a shape x broadcasts from. */
export function sumTo(ctx: GpuContext, x: GpuTensor, shape: Shape, to: Shape): GpuTensor {
  return reduce(ctx, SUM, x, shape, to, 'float32');
}

export function sumSquares(ctx: GpuContext, x: GpuTensor, size: number): GpuTensor {
  return reduce(ctx, SUM_SQUARES, x, [size], [1], 'float32');
}

/** A one-element int32 tensor: 1 if any value of x is NaN or ±Inf. */
export function nonFinite(ctx: GpuContext, x: GpuTensor, size: number): GpuTensor {
  return reduce(ctx, NON_FINITE, x, [size], [1], 'int32');
}
