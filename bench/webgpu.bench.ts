/**
 * The engine's WebGPU backend in Node (the npm package `webgpu`, Dawn): matmul 1024³ and 4096³ in GFLOP/s, and a
 * training step of the engine bench's MLP 784-256-128-10 at batch 64 and 1024 and its CNN conv8-conv16-fc10 at batch
 * 32 and 256, against the engine's CPU backend (WebAssembly kernels on every core) on the same machine.
 *
 *   node --expose-gc --experimental-wasm-relaxed-simd --import tsx bench/webgpu.bench.ts [options]
 *     --smoke       tiny sizes and a few iterations, numbers printed even on a software adapter: checks the code path
 *     --no-cpu      no CPU column
 *     --no-write    print only
 *
 * Figures only mean something on a hardware adapter. On a software one (SwiftShader, llvmpipe: WebGPU on the CPU)
 * the rows are not run and the table says why; without an adapter it says that. The Vulkan driver is the system's:
 * set VK_ICD_FILENAMES to choose one (docs/benchmarks.md). Every time waits for the GPU (the loss read back, or the
 * queue drained), after a warm-up; the figure is the best of N.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as E from '../engine';
import { WebGpuBackend } from '../engine/backend/webgpu';
import { enableFastKernels } from '../common/kernels';
import { describeAdapter, gpuIdle, nodeWebGpu, releaseNodeWebGpu, type AdapterInfo } from '../common/webgpu';
import * as M from './models';

const args = new Set(process.argv.slice(2));
const smoke = args.has('--smoke');
const withCpu = !args.has('--no-cpu');
const write = !args.has('--no-write') && !smoke;

interface Built {
  /** One iteration; resolves when the GPU (or CPU) has done it. */
  run: () => Promise<void>;
  /**
   * The result checked against an independent reference, after the timing: the product's sampled entries against
   * float64 sums of the operands; a model's first loss (before any update), compared across backends by the caller.
   */
  check: () => Promise<Check>;
}

/** `error`: the product's largest error relative to Σ|a·b| of its entry; `loss`: a model's loss before its first step. */
type Check = { error: number } | { loss: number };

interface Workload {
  key: string;
  label: string;
  /** Builds the workload on the current backend. */
  build(): Built;
  /** FLOPs of one iteration where they are exact (the products), for GFLOP/s. */
  flops?: number;
}

/** A product's entries checked: float32 sums of n products against float64; a few √n·ε is typical, n·ε the bound. */
const PRODUCT_TOLERANCE = 1e-4;
/** A model's first loss on WebGPU against the CPU's: the training-parity tolerance. */
const LOSS_TOLERANCE = 1e-4;

const matmul = (n: number): Workload => ({
  key: `matmul${n}`,
  label: `matmul ${n}³`,
  flops: 2 * n ** 3,
  build() {
    const ha = M.randomMatrix(n, n, `mm${n}a`),
      hb = M.randomMatrix(n, n, `mm${n}b`);
    const a = E.Tensor.fromData(ha, [n, n]);
    const b = E.Tensor.fromData(hb, [n, n]);
    let last: E.Tensor | null = null;
    return {
      run: () => {
        last = E.matmul(a, b);
        return drained();
      },
      check: async () => {
        const c = (await last!.data()) as Float32Array;
        const rng = new E.Random(M.SEED, 'bench', `check${n}`);
        let error = 0;
        for (let s = 0; s < 64; s++) {
          const i = rng.int(n),
            j = rng.int(n);
          let sum = 0,
            size = 0;
          for (let k = 0; k < n; k++) {
            sum += ha[i * n + k] * hb[k * n + j];
            size += Math.abs(ha[i * n + k] * hb[k * n + j]);
          }
          error = Math.max(error, Math.abs(c[i * n + j] - sum) / size);
        }
        return { error };
      },
    };
  },
});

/** A training step as the engine bench times it: zeroGrad, forward, backward, SGD update, the loss read back. */
const step = (key: string, label: string, model: () => M.EngineModel): Workload => ({
  key,
  label,
  build() {
    const { loss, opt } = model();
    let first: number | null = null;
    return {
      check: async () => ({ loss: first! }),
      run: async () => {
        opt.zeroGrad();
        const l = loss();
        l.backward();
        E.noGrad(() => opt.step());
        // Queue order puts the read after the update: the GPU has done the whole step when it resolves.
        const v = await l.item();
        if (!Number.isFinite(v)) throw new Error(`${label}: non-finite loss ${v}`);
        first ??= v;
      },
    };
  },
});

const SIZES = smoke ? { mm: [64, 128], mlp: [8, 16], cnn: [2, 4] } : { mm: [1024, 4096], mlp: [64, 1024], cnn: [32, 256] };

const WORKLOADS: Workload[] = [
  ...SIZES.mm.map(matmul),
  ...SIZES.mlp.map((b) => step(`mlp${b}`, `MLP 784-256-128-10, batch ${b}`, () => M.engineMlpModel(M.mlpSpec(b)))),
  ...SIZES.cnn.map((b) => step(`cnn${b}`, `CNN conv8-conv16-fc10, batch ${b}`, () => M.engineCnnModel(M.cnnSpec(b)))),
];

let gpu: WebGpuBackend | null = null;
/** Resolves when the work so far is done: the GPU's queue drained; the CPU's ops are done when they return. */
const drained = (): Promise<void> => (gpu && E.backend() === gpu ? gpuIdle(gpu) : Promise.resolve());

const WARMUP = smoke ? 1 : 3;
const ITERS = smoke ? 2 : 10;
/** Stop sampling a slow workload (the CPU's CNN at batch 256) after this long, once 3 samples are in. */
const BUDGET_MS = smoke ? 2_000 : 10_000;

/** Best of N after a warm-up: the GPU's figure least disturbed by the host. Then the result's check. */
async function bestOf(w: Workload): Promise<{ bestMs: number; samples: number; check: Check }> {
  const { run, check } = w.build();
  for (let i = 0; i < WARMUP; i++) await run();
  let best = Infinity,
    samples = 0;
  const started = performance.now();
  while (samples < ITERS && (samples < 3 || performance.now() - started < BUDGET_MS)) {
    // Buffers of collected tensors go back to the pool through a finalizer: collect between samples, not in them.
    globalThis.gc?.();
    const t0 = performance.now();
    await run();
    best = Math.min(best, performance.now() - t0);
    samples++;
  }
  return { bestMs: best, samples, check: await check() };
}

/** "ok 3e-7" or "WRONG 0.1": the product's error, or the model's first loss on WebGPU against the CPU's. */
function verdict(gpu: Check, cpu: Check | undefined): { text: string; ok: boolean | null } {
  if ('error' in gpu) {
    const ok = gpu.error <= PRODUCT_TOLERANCE;
    return { text: `${ok ? 'ok' : 'WRONG'} ${gpu.error.toExponential(0)}`, ok };
  }
  if (!cpu || !('loss' in cpu)) return { text: `loss ${gpu.loss.toFixed(6)}`, ok: null };
  const rel = Math.abs(gpu.loss - cpu.loss) / Math.abs(cpu.loss);
  const ok = rel <= LOSS_TOLERANCE;
  return { text: `${ok ? 'ok' : 'WRONG'} ${rel.toExponential(0)}`, ok };
}

interface Result {
  key: string;
  label: string;
  webgpuMs: number;
  webgpuGflops: number | null;
  cpuMs: number | null;
  speedupVsCpu: number | null;
  samples: number;
  /** The result's check (see verdict): the product's relative error, or the first loss's against the CPU's. */
  check: string;
  checkOk: boolean | null;
}

async function measureAll(b: WebGpuBackend): Promise<Result[]> {
  const cpu = E.backend();
  const results: Result[] = [];
  for (const w of WORKLOADS) {
    E.setBackend(b);
    const g = await bestOf(w);
    E.setBackend(cpu);
    const c = withCpu ? await bestOf(w) : null;
    const r: Result = {
      key: w.key,
      label: w.label,
      webgpuMs: g.bestMs,
      webgpuGflops: w.flops ? w.flops / g.bestMs / 1e6 : null,
      cpuMs: c?.bestMs ?? null,
      speedupVsCpu: c ? c.bestMs / g.bestMs : null,
      samples: g.samples,
      ...(({ text, ok }) => ({ check: text, checkOk: ok }))(verdict(g.check, c?.check)),
    };
    results.push(r);
    console.log(row(r));
  }
  return results;
}

const fmt = (v: number | null, digits = 2) => (v === null ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(digits));
const HEADER = `${'workload'.padEnd(34)} ${'WebGPU ms'.padStart(10)} ${'GFLOP/s'.padStart(9)} ${'CPU ms'.padStart(9)} ${'× CPU'.padStart(7)}  check`;
const row = (r: Result) =>
  `${r.label.padEnd(34)} ${fmt(r.webgpuMs, 3).padStart(10)} ${fmt(r.webgpuGflops, 1).padStart(9)} ${fmt(r.cpuMs, 3).padStart(9)} ${fmt(r.speedupVsCpu, 1).padStart(7)}  ${r.check}`;

let exitCode = 0;

async function main(): Promise<number> {
  // Without a runtime folder the Vulkan loader warns on every start.
  process.env.XDG_RUNTIME_DIR ??= mkdtempSync(path.join(os.tmpdir(), 'bps-xdg-'));
  console.log(`WebGPU benchmark${smoke ? ' (smoke: tiny sizes, numbers not meaningful)' : ''}`);
  const device = await nodeWebGpu();
  let status: 'hardware' | 'software' | 'none';
  let results: Result[] = [];
  let adapter: AdapterInfo | null = null;
  if (!device.ok) {
    status = 'none';
    console.log(`No WebGPU rows: ${device.message}.`);
  } else {
    adapter = device.adapter;
    status = adapter.software ? 'software' : 'hardware';
    console.log(`adapter: ${describeAdapter(adapter)}`);
    if (adapter.software && !smoke) {
      console.log('No WebGPU figures: a software adapter runs WebGPU on the CPU, so its times are not meaningful for a GPU.');
      console.log('Run this on a machine with a GPU and its Vulkan driver (docs/benchmarks.md).');
    } else {
      gpu = new WebGpuBackend(device.device);
      if (withCpu) console.log(`CPU column: the engine's CPU backend, ${E.describeKernels(enableFastKernels())}`);
      console.log(`\n${HEADER}\n${'-'.repeat(HEADER.length)}`);
      results = await measureAll(gpu);
      console.log(`best of ${ITERS} after ${WARMUP} warm-up; the CPU rows stop after ${BUDGET_MS / 1000} s once 3 samples are in`);
      console.log(
        `check: matmul, 64 sampled entries against float64 sums (error relative to Σ|a·b|, at most ${PRODUCT_TOLERANCE}); models, the first loss against the CPU's (relative, at most ${LOSS_TOLERANCE})`,
      );
      if (results.some((r) => r.checkOk === false)) {
        console.log('WARNING: a WebGPU result disagrees with its reference (the check column)');
        exitCode = 1;
      }
    }
  }
  if (write) {
    const dir = path.join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const json = {
      date: new Date().toISOString(),
      status,
      adapter,
      node: process.version,
      cpus: os.cpus()[0]?.model,
      cores: os.availableParallelism?.() ?? os.cpus().length,
      results,
    };
    writeFileSync(path.join(dir, 'webgpu-latest.json'), JSON.stringify(json, null, 2) + '\n');
    console.log('wrote bench/results/webgpu-latest.json');
  }
  await releaseNodeWebGpu();
  return exitCode;
}

main().then(
  // Dawn can keep the event loop alive after its device is gone: end the process once the output is out.
  (code) => process.stdout.write('', () => process.exit(code)),
  (e) => {
    console.error(`webgpu bench: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
