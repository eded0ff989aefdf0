/**
 * Tensor summaries (../../summary.ts) on the device, for the node statistics and the walk-through: every tensor's
 * figures go into one result buffer, read back once, so a view costs O(tensors × (bins + groups)) bytes of readback
 * however large the activations. Two dispatches a tensor, each over up to MAX_GROUPS workgroups:
 *   1. per workgroup, count, sum, min and max of its finite values (a partial each);
 *   2. every workgroup combines the partials in the same order (so all agree on mean, min and scale), then adds its
 *      values' squares about the mean (a partial each) and bins them in a workgroup histogram of atomics, added to
 *      the tensor's histogram in the result buffer.
 * The host adds the partials in float64. Float32 on the device: the sums differ from the CPU's float64 ones in the
 * last digits, and a value within rounding of a bin edge may fall in the neighbouring bin.
 */
import { u, WORKGROUP, type GpuContext, type GpuTensor } from '../context';
import { fill } from './elementwise';
import { TINY_TENSOR, type TensorSummary } from '../../summary';

/** Workgroups a tensor's passes spread over, at most: each leaves a partial in the result buffer. */
const MAX_GROUPS = 32;
/** Values a thread takes before another workgroup is worth its partial. */
const PER_THREAD = 4;

/** A tensor's words in the result buffer: partials [count, sum, min, max] × MAX_GROUPS, squares × MAX_GROUPS, histogram, tiny values. */
const layout = (bins: number) => {
  const squares = 4 * MAX_GROUPS;
  const histogram = squares + MAX_GROUPS;
  const values = histogram + bins;
  return { squares, histogram, values, words: values + TINY_TENSOR };
};

// The largest finite float32: where min and max start (WGSL has no infinity literal).
const COMMON = /* wgsl */ `
struct Params { size: u32, groups: u32, base: u32 }
@group(0) @binding(0) var<storage, read> P: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
const BIG: f32 = 0x1.fffffep+127f;
// A bit test, since WGSL may assume floats finite: the exponent bits all ones is ±Inf or NaN.
fn finite(v: f32) -> bool { return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u; }
`;

const rangeCode = (bins: number) => {
  const { values } = layout(bins);
  return /* wgsl */ `${COMMON}
@group(0) @binding(2) var<storage, read_write> R: array<u32>;
var<workgroup> wCount: array<u32, ${WORKGROUP}>;
var<workgroup> wSum: array<f32, ${WORKGROUP}>;
var<workgroup> wMin: array<f32, ${WORKGROUP}>;
var<workgroup> wMax: array<f32, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  var c = 0u;
  var s: f32 = 0.0;
  var lo = BIG;
  var hi = -BIG;
  for (var k = wid.x * ${WORKGROUP}u + t; k < P.size; k += P.groups * ${WORKGROUP}u) {
    let v = X[k];
    if (finite(v)) {
      c += 1u;
      s += v;
      lo = min(lo, v);
      hi = max(hi, v);
    }
  }
  wCount[t] = c;
  wSum[t] = s;
  wMin[t] = lo;
  wMax[t] = hi;
  workgroupBarrier();
  for (var half = ${WORKGROUP / 2}u; half > 0u; half = half / 2u) {
    if (t < half) {
      wCount[t] += wCount[t + half];
      wSum[t] += wSum[t + half];
      wMin[t] = min(wMin[t], wMin[t + half]);
      wMax[t] = max(wMax[t], wMax[t + half]);
    }
    workgroupBarrier();
  }
  if (t == 0u) {
    let o = P.base + wid.x * 4u;
    R[o] = wCount[0];
    R[o + 1u] = bitcast<u32>(wSum[0]);
    R[o + 2u] = bitcast<u32>(wMin[0]);
    R[o + 3u] = bitcast<u32>(wMax[0]);
  }
  // A tiny tensor's values as they are, NaN and Inf included (the view lists them).
  if (wid.x == 0u && P.size <= ${TINY_TENSOR}u && t < P.size) { R[P.base + ${values}u + t] = bitcast<u32>(X[t]); }
}`;
};

const histogramCode = (bins: number) => {
  const { squares, histogram } = layout(bins);
  return /* wgsl */ `${COMMON}
@group(0) @binding(2) var<storage, read_write> R: array<atomic<u32>>;
var<workgroup> wHist: array<atomic<u32>, ${bins}>;
var<workgroup> wSquares: array<f32, ${WORKGROUP}>;
/** mean, min, bins / (max − min) (0 when max = min). */
var<workgroup> wRange: vec3<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  if (t == 0u) {
    var c = 0u;
    var s: f32 = 0.0;
    var lo = BIG;
    var hi = -BIG;
    for (var g = 0u; g < P.groups; g++) {
      let o = P.base + g * 4u;
      c += atomicLoad(&R[o]);
      s += bitcast<f32>(atomicLoad(&R[o + 1u]));
      lo = min(lo, bitcast<f32>(atomicLoad(&R[o + 2u])));
      hi = max(hi, bitcast<f32>(atomicLoad(&R[o + 3u])));
    }
    var scale: f32 = 0.0;
    if (hi > lo) { scale = f32(${bins}) / (hi - lo); }
    // A range too small for float32 (subnormal, flushed to zero on some GPUs): everything in the last bin.
    if (!finite(scale)) { scale = 0.0; }
    wRange = vec3<f32>(s / f32(max(c, 1u)), lo, scale);
  }
  for (var b = t; b < ${bins}u; b += ${WORKGROUP}u) { atomicStore(&wHist[b], 0u); }
  workgroupBarrier();
  let mean = wRange.x;
  let lo = wRange.y;
  let scale = wRange.z;
  var sq: f32 = 0.0;
  for (var k = wid.x * ${WORKGROUP}u + t; k < P.size; k += P.groups * ${WORKGROUP}u) {
    let v = X[k];
    if (finite(v)) {
      let d = v - mean;
      sq += d * d;
      var b = ${bins - 1}u;
      if (scale > 0.0) { b = min(u32((v - lo) * scale), ${bins - 1}u); }
      atomicAdd(&wHist[b], 1u);
    }
  }
  wSquares[t] = sq;
  workgroupBarrier();
  for (var half = ${WORKGROUP / 2}u; half > 0u; half = half / 2u) {
    if (t < half) { wSquares[t] += wSquares[t + half]; }
    workgroupBarrier();
  }
  if (t == 0u) { atomicStore(&R[P.base + ${squares}u + wid.x], bitcast<u32>(wSquares[0])); }
  for (var b = t; b < ${bins}u; b += ${WORKGROUP}u) {
    let n = atomicLoad(&wHist[b]);
    if (n > 0u) { atomicAdd(&R[P.base + ${histogram}u + b], n); }
  }
}`;
};

/** Records both passes for every tensor into one zeroed result buffer; returns it and each tensor's workgroups. */
export function recordSummaries(ctx: GpuContext, tensors: readonly { x: GpuTensor; size: number }[], bins: number): { result: GpuTensor; groups: number[] } {
  const { words } = layout(bins);
  const result = fill(ctx, Math.max(1, tensors.length * words), 0, 'int32');
  const range = rangeCode(bins),
    histogram = histogramCode(bins);
  const groups = tensors.map(({ x, size }, k) => {
    if (size === 0) return 0;
    const g = Math.min(MAX_GROUPS, Math.ceil(size / (WORKGROUP * PER_THREAD)));
    const params = [u(size), u(g), u(k * words)];
    ctx.dispatch(range, [x, result], params, g);
    ctx.dispatch(histogram, [x, result], params, g);
    return g;
  });
  return { result, groups };
}

/** The summaries from the result buffer's words: the partials added in float64, as the CPU summary adds. */
export function readSummaries(words: Int32Array, sizes: readonly number[], groups: readonly number[], bins: number): TensorSummary[] {
  const at = layout(bins);
  const bits = new Uint32Array(words.buffer, words.byteOffset, words.length);
  const floats = new Float32Array(words.buffer, words.byteOffset, words.length);
  return sizes.map((size, k) => {
    const base = k * at.words;
    let count = 0,
      sum = 0,
      min = Infinity,
      max = -Infinity,
      squares = 0;
    for (let g = 0; g < groups[k]; g++) {
      const o = base + 4 * g;
      count += bits[o];
      sum += floats[o + 1];
      min = Math.min(min, floats[o + 2]);
      max = Math.max(max, floats[o + 3]);
      squares += floats[base + at.squares + g];
    }
    const histogram = Array.from(bits.subarray(base + at.histogram, base + at.histogram + bins));
    if (count === 0) return { count, mean: 0, std: 0, min: 0, max: 0, histogram };
    const out: TensorSummary = { count, mean: sum / count, std: Math.sqrt(squares / count), min, max, histogram };
    if (size <= TINY_TENSOR) out.values = Array.from(floats.subarray(base + at.values, base + at.values + size));
    return out;
  });
}
