/**
 * The WebAssembly GEMM against the TypeScript one (itself checked against float64 loops in
 * test/engine/kernels.test.ts): every transpose, odd sizes around the 4×8 micro-tile and the cache blocks,
 * batches, and sizes big enough to be split over threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matmul as referenceMatmul } from '../../engine/backend/cpu/matmul';
import { matmul } from '../../engine/backend/wasm/kernels';
import { assertClose, flavours, rand } from './fast';

const cases: [number, number, number, number][] = [];
for (const m of [1, 3, 4, 5, 17]) for (const n of [1, 7, 8, 9, 33]) for (const k of [1, 2, 9, 129]) cases.push([1, m, n, k]);
// Batches, blocks (MC 96, NC 1024, KC 256) crossed, and big enough to split over threads by rows or by columns.
cases.push([2, 5, 9, 17], [3, 1, 1, 1], [1, 97, 33, 257], [1, 13, 1030, 20], [1, 200, 64, 300], [1, 64, 300, 200], [2, 130, 129, 65]);
// Over the threads' threshold (4 M multiply-adds): split by rows, then by columns.
const SPLIT = [[1, 261, 70, 300], [1, 70, 261, 300]] as const;
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
          const a = rand(batch * m * k), b = rand(batch * k * n);
          const want = referenceMatmul(a, b, batch, m, n, k, tA, tB);
          const got = matmul(f.kernels, a, b, batch, m, n, k, tA, tB);
          assertClose(got, want, `[${batch}] ${m}×${k}${tA ? 'ᵀ' : ''} @ ${k}×${n}${tB ? 'ᵀ' : ''}`);
        }
      }
    }
  });
}
