/**
 * The live view's tensor summary in WebAssembly against the TypeScript summarize (engine/train/stats.ts): the same
 * count, range and histogram bins exactly, mean and std to float64 rounding; non-finite values left out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useTypeScriptKernels } from '../../engine';
import { tensorSummary } from '../../engine/backend/wasm/kernels';
import { HISTOGRAM_BINS, summarize } from '../../engine/train/stats';
import { flavours, rand } from './fast';

function inputs(): [string, Float32Array][] {
  const mixed = rand(10_007, -3, 5);
  for (let i = 0; i < mixed.length; i += 97) mixed[i] = [NaN, Infinity, -Infinity][i % 3];
  return [
    ['uniform, odd length', rand(4099)],
    ['with NaN and ±Infinity', mixed],
    ['constant', new Float32Array(5000).fill(0.25)],
    ['nothing finite', new Float32Array(4100).fill(NaN)],
    ['three values on the bin edges', Float32Array.from({ length: 6000 }, (_, i) => [0, 0.5, 1][i % 3])],
  ];
}

for (const f of flavours()) {
  test(`tensor summary (${f.name}) equals summarize's figures and bins`, () => {
    useTypeScriptKernels();
    for (const [what, x] of inputs()) {
      const want = summarize(x);
      const got = tensorSummary(f.kernels, x, HISTOGRAM_BINS);
      assert.equal(got.count, want.count, `${what}: count`);
      assert.deepEqual(Array.from(got.counts), want.histogram, `${what}: histogram`);
      if (want.count === 0) continue;
      assert.equal(got.min, want.min, `${what}: min`);
      assert.equal(got.max, want.max, `${what}: max`);
      const mean = got.sum / got.count;
      assert.ok(Math.abs(mean - want.mean) <= 1e-12 * Math.max(1, Math.abs(want.mean)), `${what}: mean ${mean} vs ${want.mean}`);
      const std = Math.sqrt(got.squares / got.count);
      assert.ok(Math.abs(std - want.std) <= 1e-12 * Math.max(1, want.std), `${what}: std ${std} vs ${want.std}`);
    }
  });
}
