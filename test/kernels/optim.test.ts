/**
 * The WebAssembly SGD and Adam updates against the CPU backend's TypeScript ones: several steps in place (the
 * parameters and the momentum / moment buffers carried from step to step), every option, odd sizes around the
 * SIMD tail. Routing is set to 0 elements so small sizes run in WebAssembly too.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AdamHyper, SgdHyper } from '../../engine/backend/backend';
import { CpuBackend } from '../../engine/backend/cpu';
import * as wasm from '../../engine/backend/wasm/kernels';
import { assertClose, flavours, rand } from './fast';

const SIZES = [1, 3, 5, 17, 129, 1031];
const STEPS = 5;
const saved = wasm.routing.minElements;
before(() => {
  wasm.routing.minElements = 0;
});
after(() => {
  wasm.routing.minElements = saved;
});

const ts = new CpuBackend();
const st = (a: Float32Array) => a as never;

const SGD: Omit<SgdHyper, 'first'>[] = [
  { lr: 0.1, momentum: 0, weightDecay: 0, nesterov: false, dampening: 0 },
  { lr: 0.05, momentum: 0, weightDecay: 0.01, nesterov: false, dampening: 0 },
  { lr: 0.05, momentum: 0.9, weightDecay: 0, nesterov: false, dampening: 0 },
  { lr: 0.05, momentum: 0.9, weightDecay: 1e-3, nesterov: true, dampening: 0 },
  { lr: 0.02, momentum: 0.8, weightDecay: 0.1, nesterov: false, dampening: 0.3 },
];

const ADAM: Omit<AdamHyper, 'step'>[] = [
  { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false },
  { lr: 1e-2, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.05, decoupled: false },
  { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupled: true }, // AdamW
];

for (const f of flavours()) {
  test(`sgdStep (${f.name}) updates p and the momentum buffer in place as the TypeScript kernel, step after step`, () => {
    for (const n of SIZES) {
      for (const h of SGD) {
        const p = rand(n),
          want = p.slice();
        const buf = h.momentum ? new Float32Array(n) : null,
          wantBuf = buf && buf.slice();
        for (let step = 0; step < STEPS; step++) {
          const g = rand(n);
          const hyper = { ...h, first: step === 0 };
          assert.ok(wasm.sgdStep(f.kernels, p, g, buf, n, hyper));
          ts.sgdStep(st(want), st(g), wantBuf && st(wantBuf), n, hyper);
        }
        const what = `SGD ${JSON.stringify(h)} n=${n}`;
        assertClose(p, want, what, 1e-5, 1e-6);
        if (buf) assertClose(buf, wantBuf!, `${what} momentum buffer`, 1e-5, 1e-6);
      }
    }
  });

  test(`adamStep (${f.name}) updates p, m and v in place as the TypeScript kernel, Adam and AdamW`, () => {
    for (const n of SIZES) {
      for (const h of ADAM) {
        const p = rand(n),
          m = new Float32Array(n),
          v = new Float32Array(n);
        const [wp, wm, wv] = [p.slice(), m.slice(), v.slice()];
        for (let step = 1; step <= STEPS; step++) {
          const g = rand(n);
          assert.ok(wasm.adamStep(f.kernels, p, g, m, v, n, { ...h, step }));
          ts.adamStep(st(wp), st(g), st(wm), st(wv), n, { ...h, step });
        }
        const what = `Adam ${JSON.stringify(h)} n=${n}`;
        assertClose(p, wp, what, 1e-5, 1e-6);
        assertClose(m, wm, `${what} m`, 1e-5, 1e-7);
        assertClose(v, wv, `${what} v`, 1e-5, 1e-8);
      }
    }
  });

  test(`the optimizer kernels (${f.name}) update only the first size values of a longer storage`, () => {
    const p = rand(40),
      g = rand(40),
      before = p.slice();
    const want = p.slice();
    const h = { lr: 0.1, momentum: 0, weightDecay: 0, nesterov: false, dampening: 0, first: true };
    wasm.sgdStep(f.kernels, p, g, null, 33, h);
    ts.sgdStep(st(want), st(g), null, 33, h);
    assertClose(p, want, 'sgd on a prefix');
    assert.deepEqual(p.subarray(33), before.subarray(33));
  });
}
