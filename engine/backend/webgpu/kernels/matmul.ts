/**
 * Batched matrix product C[b] = op(A[b]) · op(B[b]), op transposing where asked: the forward of Linear and
 * MatMul and, with the transposed forms, both of their gradients (dX = dY·W, dW = dYᵀ·X). Tiled in workgroup
 * memory: a workgroup of 16×16 threads computes a 64×64 tile of C, each thread a 4×4 block, stepping through K
 * sixteen at a time so each value of A and B is read from device memory once per tile.
 */
import { u, type GpuContext, type GpuTensor } from '../context';

const TILE = 64;
const DEPTH = 16;

function source(transA: boolean, transB: boolean): string {
  // Where op(A)[i, k] and op(B)[k, j] live in batch b's matrices.
  const a = transA ? 'aBase + k * P.m + i' : 'aBase + i * P.k + k';
  const b = transB ? 'bBase + j * P.k + k' : 'bBase + k * P.n + j';
  // A [M, K] and Bᵀ ([N, K]) are stored with k the fastest index.
  const aAlongK = !transA;
  const bAlongK = transB;
  return /* wgsl */ `
struct Params { m: u32, n: u32, k: u32 }
@group(0) @binding(0) var<storage, read> P: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
var<workgroup> As: array<array<f32, ${TILE}>, ${DEPTH}>;
var<workgroup> Bs: array<array<f32, ${TILE}>, ${DEPTH}>;

fn loadA(aBase: u32, i: u32, k: u32) -> f32 {
  if (i < P.m && k < P.k) { return A[${a}]; }
  return 0.0;
}
fn loadB(bBase: u32, k: u32, j: u32) -> f32 {
  if (k < P.k && j < P.n) { return B[${b}]; }
  return 0.0;
}

@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let batch = wid.z;
  let aBase = batch * P.m * P.k;
  let bBase = batch * P.k * P.n;
  let row0 = wid.y * ${TILE}u;
  let col0 = wid.x * ${TILE}u;
  let t = lid.y * 16u + lid.x;
  var acc: array<array<f32, 4>, 4>;
  for (var k0 = 0u; k0 < P.k; k0 += ${DEPTH}u) {
    // 256 threads load the 16×64 slices of op(A) (as [k][i]) and op(B) (as [k][j]), four values each; neighbouring
    // threads take neighbouring addresses in memory (along k where a matrix is stored k-minor), so loads coalesce.
    for (var q = 0u; q < 4u; q++) {
      let e = t + q * 256u;
      ${
        aAlongK
          ? `let ka = e % ${DEPTH}u;
      let ia = e / ${DEPTH}u;`
          : `let ka = e / ${TILE}u;
      let ia = e % ${TILE}u;`
      }
      As[ka][ia] = loadA(aBase, row0 + ia, k0 + ka);
      ${
        bAlongK
          ? `let kb = e % ${DEPTH}u;
      let jb = e / ${DEPTH}u;`
          : `let kb = e / ${TILE}u;
      let jb = e % ${TILE}u;`
      }
      Bs[kb][jb] = loadB(bBase, k0 + kb, col0 + jb);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${DEPTH}u; kk++) {
      var av: array<f32, 4>;
      var bv: array<f32, 4>;
      for (var r = 0u; r < 4u; r++) {
        av[r] = As[kk][lid.y * 4u + r];
        bv[r] = Bs[kk][lid.x * 4u + r];
      }
      for (var r = 0u; r < 4u; r++) {
        for (var c = 0u; c < 4u; c++) {
          acc[r][c] = fma(av[r], bv[c], acc[r][c]);
        }
      }
    }
    workgroupBarrier();
  }
  let cBase = batch * P.m * P.n;
  for (var r = 0u; r < 4u; r++) {
    let i = row0 + lid.y * 4u + r;
    for (var c = 0u; c < 4u; c++) {
      let j = col0 + lid.x * 4u + c;
      if (i < P.m && j < P.n) { C[cBase + i * P.n + j] = acc[r][c]; }
    }
  }
}`;
}

const SOURCES = new Map<string, string>();

export function matmul(
  ctx: GpuContext,
  a: GpuTensor,
  b: GpuTensor,
  batch: number,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
): GpuTensor {
  const c = ctx.tensor(batch * m * n, 'float32');
  const key = `${transA}${transB}`;
  let code = SOURCES.get(key);
  if (!code) SOURCES.set(key, (code = source(transA, transB)));
  ctx.dispatch(code, [a, b, c], [u(m), u(n), u(k)], [Math.ceil(n / TILE), Math.ceil(m / TILE), batch]);
  return c;
}
