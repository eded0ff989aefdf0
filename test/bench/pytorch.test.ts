// The benchmark's PyTorch reference (bench/pytorch.ts, bench/pytorch_bench.py): how it finds the interpreter, names
// the BLAS torch really calls, hands over the workloads' tensors and reads the script's answers. Where an interpreter
// with torch is installed, the script's initial losses are checked against the engine's (same weights and data).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveOptions, summarise } from '../../bench/harness';
import * as M from '../../bench/models';
import {
  TorchSession,
  TorchUnavailable,
  describeBlas,
  parseLine,
  pythonInterpreter,
  timingOf,
  usedSeveralCores,
  writeTorchInputs,
  type BlasReport,
} from '../../bench/pytorch';

test("the interpreter is $PYTHON when set, else Debian's /usr/bin/python3 (not whatever python3 is first on PATH)", () => {
  assert.equal(pythonInterpreter({ PYTHON: '/opt/venv/bin/python' }), '/opt/venv/bin/python');
  assert.equal(pythonInterpreter({}), '/usr/bin/python3');
  assert.equal(pythonInterpreter({ PYTHON: '  ' }), '/usr/bin/python3');
});

const report = (over: Partial<BlasReport>): BlasReport => ({
  sgemmLibrary: null,
  torchLibrary: '/usr/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13.0',
  openblas: null,
  mapped: [],
  configBlasInfo: 'generic',
  ...over,
});

test('describeBlas: OpenBLAS, told by its own configuration string, needs no warning', () => {
  const v = describeBlas(
    report({
      sgemmLibrary: '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3',
      openblas: { config: 'OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64', core: 'Cooperlake', threads: 1 },
    }),
  );
  assert.equal(v.kind, 'openblas');
  assert.match(v.label, /OpenBLAS 0\.3\.21/);
  assert.equal(v.warning, undefined);
});

test("describeBlas: Debian's reference libblas.so.3 (torch says only BLAS_INFO=generic) gets a warning saying how to install OpenBLAS", () => {
  const v = describeBlas(report({ sgemmLibrary: '/usr/lib/x86_64-linux-gnu/blas/libblas.so.3' }));
  assert.equal(v.kind, 'reference');
  assert.match(v.warning ?? '', /reference BLAS/);
  assert.match(v.warning ?? '', /libopenblas0-pthread/);
});

test('describeBlas: other libraries by their path; BLAS linked into libtorch_cpu (pip wheels); unknown ones warn', () => {
  assert.equal(describeBlas(report({ sgemmLibrary: '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3' })).kind, 'openblas');
  assert.equal(describeBlas(report({ sgemmLibrary: '/opt/intel/oneapi/mkl/lib/libmkl_rt.so.2' })).kind, 'mkl');
  assert.equal(describeBlas(report({ sgemmLibrary: '/usr/lib/x86_64-linux-gnu/blis-openmp/libblas.so.3' })).kind, 'blis');
  const wheel = '/venv/lib/python3.11/site-packages/torch/lib/libtorch_cpu.so';
  const bundled = describeBlas(report({ sgemmLibrary: wheel, torchLibrary: wheel, configBlasInfo: 'mkl' }));
  assert.equal(bundled.kind, 'bundled');
  assert.match(bundled.label, /BLAS_INFO=mkl/);
  for (const r of [report({ error: 'cannot read /proc/self/maps' }), report({ sgemmLibrary: '/usr/lib/libsomething.so' })]) {
    const v = describeBlas(r);
    assert.equal(v.kind, 'unknown');
    assert.ok(v.warning, `a warning for ${JSON.stringify(r)}`);
  }
});

test('parseLine: a stray print or a traceback is an error that quotes it', () => {
  assert.deepEqual(parseLine('{"ok": false, "error": "boom"}'), { ok: false, error: 'boom' });
  assert.throws(() => parseLine('Traceback (most recent call last):'), /not its protocol: Traceback/);
  assert.throws(() => parseLine('[1, 2]'), /unexpected message/);
});

test("timingOf: the script's samples make the same Timing as the JS side's; none is an error", () => {
  const wall = [3, 1, 2, 10],
    cpu = [3, 1, 2, 9];
  assert.deepEqual(timingOf({ wall, cpu, warmup: 2 }), summarise(wall, cpu, 2));
  assert.equal(timingOf({ wall, cpu, warmup: 2 }).medianMs, 2.5);
  assert.throws(() => timingOf({ wall: [], cpu: [], warmup: 0 }), /without samples/);
});

test('usedSeveralCores: CPU time well above wall time', () => {
  assert.equal(usedSeveralCores(summarise([10, 10, 10], [19, 20, 21], 0)), true);
  assert.equal(usedSeveralCores(summarise([10, 10, 10], [10, 11, 9], 0)), false);
});

test("writeTorchInputs: raw little-endian tensors in PyTorch's layouts (Linear [out, in], Conv2d OIHW) and a manifest", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'torch-inputs-'));
  try {
    const mlp = M.mlpSpec(),
      cnn = M.cnnSpec();
    writeTorchInputs(dir, mlp, cnn, [4]);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    const read = (t: { file: string; dtype: string; shape: number[] }) => {
      const b = readFileSync(path.join(dir, t.file));
      const n = t.shape.reduce((a, c) => a * c, 1);
      assert.equal(b.length, n * 4, t.file);
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      return Array.from({ length: n }, (_, i) => (t.dtype === '<i4' ? dv.getInt32(i * 4, true) : dv.getFloat32(i * 4, true)));
    };
    assert.equal(manifest.lr, M.LR);
    assert.deepEqual(
      manifest.mlp.layers.map((l: { weight: { shape: number[] } }) => l.weight.shape),
      [
        [256, 784],
        [128, 256],
        [10, 128],
      ],
    );
    assert.deepEqual(read(manifest.mlp.layers[1].weight), Array.from(mlp.layers[1].w));
    assert.deepEqual(read(manifest.mlp.labels), Array.from(mlp.batch.labels));
    assert.equal(manifest.mlp.labels.dtype, '<i4');
    assert.deepEqual(manifest.cnn.convs[1].weight.shape, [16, 8, 3, 3]);
    assert.deepEqual(read(manifest.cnn.convs[1].weight), Array.from(cnn.conv2.w));
    assert.deepEqual(manifest.cnn.x.shape, [32, 1, 28, 28]);
    assert.deepEqual(read(manifest.cnn.fc.bias), Array.from(cnn.fc.b));
    assert.deepEqual(read(manifest.matmul['4'].b), Array.from(M.randomMatrix(4, 4, 'mm4b')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an interpreter without torch is reported as unavailable, saying how to install it', async () => {
  await assert.rejects(TorchSession.start(path.join(os.tmpdir(), 'no-such-python'), M.mlpSpec(), M.cnnSpec(), []), (e: Error) => {
    assert.ok(e instanceof TorchUnavailable);
    assert.match(e.message, /no Python interpreter at .*no-such-python/);
    assert.match(e.message, /apt-get install python3-torch libopenblas0-pthread/);
    return true;
  });
});

const python = pythonInterpreter();
const hasTorch = spawnSync(python, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;

test(
  "PyTorch starts from the engine's weights and batches: the same initial losses, on one thread",
  { skip: hasTorch ? false : `no torch in ${python}` },
  async () => {
    const mlp = M.mlpSpec(),
      cnn = M.cnnSpec();
    const session = await TorchSession.start(python, mlp, cnn, [8]);
    try {
      const { threads, blas } = session.info;
      assert.deepEqual(threads, { intraOp: 1, interOp: 1 });
      if (blas.openblas) assert.equal(blas.openblas.threads, 1);
      const few = resolveOptions({ warmup: 0, maxWarmup: 0, minIters: 2, maxIters: 2, budgetMs: 0 });
      const mm = await session.matmul(8, few);
      assert.equal(mm.samples, 2);
      for (const [key, engine] of [
        ['mlp', M.engineMlp(mlp)],
        ['cnn', M.engineCnn(cnn)],
      ] as const) {
        const r = await session.model(key, few);
        assert.ok(Math.abs(r.loss - engine.forward()) < 1e-5, `${key}: PyTorch ${r.loss}, engine ${engine.forward()}`);
        assert.equal(r.forward.samples, 2);
        assert.equal(r.step.samples, 2);
      }
    } finally {
      session.close();
    }
  },
);
