/**
 * The WebAssembly GEMM against the TypeScript one (itself checked against float64 loops in
 * test/engine/kernels.test.ts): every transpose, odd sizes around the 4×8 micro-tile and the cache blocks,
 * batches, and sizes big enough to be split over threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matmul as referenceMatmul } from '../../engine/backend/cpu/matmul';
import { matmul } from '../../engine/backend/wasm/kernels';
import { WasmKernels } from '../../engine';
import { readKernelBinaries } from '../../common/kernels';
import { assertClose, flavours, rand } from './fast';

const cases: [number, number, number, number][] = [];
for (const m of [1, 3, 4, 5, 17]) for (const n of [1, 7, 8, 9, 33]) for (const k of [1, 2, 9, 129]) cases.push([1, m, n, k]);
// Batches, blocks (MC 96, NC 1024, KC 256) crossed, and big enough to split over threads by rows or by columns.
cases.push([2, 5, 9, 17], [3, 1, 1, 1], [1, 97, 33, 257], [1, 13, 1030, 20], [1, 200, 64, 300], [1, 64, 300, 200], [2, 130, 129, 65]);
// Over the threads' threshold (4 M multiply-adds): split by rows, then by columns.
const SPLIT = [
  [1, 261, 70, 300],
  [1, 70, 261, 300],
] as const;
cases.push(...SPLIT.map((c) => [...c] as [number, number, number, number]));

for (const f of flavours()) {
  if (f.kernels.threads > 1) {
    test(`matmul (${f.name}) runs the largest cases on the worker threads`, () => {
      for (const [, m, n, k] of SPLIT) assert.notEqual(f.kernels.forWork(m * n * k), f.kernels, `${m}×${n}×${k} stays on one thread`);
      assert.equal(f.kernels.forWork(5 * 9 * 17), f.kernels, 'a small product stays on the calling thread');
    });
  }
  test(`matmul (${f.name}) equals the TypeScript kernel for every transpose and odd size`, () => {
    for (const [batch, m, n, k] of cases) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          const a = rand(batch * m * k),
            b = rand(batch * k * n);
          const want = referenceMatmul(a, b, batch, m, n, k, tA, tB);
          const got = matmul(f.kernels, a, b, batch, m, n, k, tA, tB);
          assertClose(got, want, `[${batch}] ${m}×${k}${tA ? 'ᵀ' : ''} @ ${k}×${n}${tB ? 'ᵀ' : ''}`);
        }
      }
    }
  });
}

test('a split planned for more threads than are ready runs the missing shares on the calling thread', () => {
  // Kernels created with threads but whose workers never start: jobs for absent workers must still run.
  const b = readKernelBinaries()!;
  const k = WasmKernels.create(b, { threads: 3, startWorkers: () => {} })!;
  const m = 96,
    n = 64,
    kk = 40;
  const a = rand(m * kk),
    bb = rand(kk * n);
  const pool = k.forWork(Number.MAX_SAFE_INTEGER, 0);
  assert.equal(pool, k, 'with no ready worker the work stays on the private instance');
  // Plan a 3-way split on the shared instance directly, as a retired worker would leave it.
  const shared = (k as unknown as { pool: WasmKernels }).pool;
  const mem = shared.mem;
  mem.reset();
  const pa = mem.put(a),
    pb = mem.put(bb),
    pc = mem.alloc(m * n * 4);
  shared.run(
    [0, 1, 2].map((t) => ({ kernel: 'gemm' as const, args: [32, n, kk, pa + t * 32 * kk * 4, kk, 1, pb, n, 1, pc + t * 32 * n * 4, n, 0, mem.scratch(t)] })),
  );
  assertClose(mem.takeF32(pc, m * n), referenceMatmul(a, bb, 1, m, n, kk, false, false), 'three shares, no workers');
});
