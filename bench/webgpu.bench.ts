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

interface Workload {
  key: string;
  label: string;
  /** Builds the workload on the current backend; run() does one iteration and resolves when the GPU (or CPU) is done. */
  build(): { run: () => Promise<void> };
  /** FLOPs of one iteration where they are exact (the products), for GFLOP/s. */
  flops?: number;
}

const matmul = (n: number): Workload => ({
  key: `matmul${n}`,
  label: `matmul ${n}³`,
  flops: 2 * n ** 3,
  build() {
    const a = E.Tensor.fromData(M.randomMatrix(n, n, `mm${n}a`), [n, n]);
    const b = E.Tensor.fromData(M.randomMatrix(n, n, `mm${n}b`), [n, n]);
    return {
      run: () => {
        E.matmul(a, b);
        return drained();
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
    return {
      run: async () => {
        opt.zeroGrad();
        const l = loss();
        l.backward();
        E.noGrad(() => opt.step());
        // Queue order puts the read after the update: the GPU has done the whole step when it resolves.
        const v = await l.item();
        if (!Number.isFinite(v)) throw new Error(`${label}: non-finite loss ${v}`);
      },
    };
  },
});

const SIZES = smoke
  ? { mm: [64, 128], mlp: [8, 16], cnn: [2, 4] }
  : { mm: [1024, 4096], mlp: [64, 1024], cnn: [32, 256] };

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

/** Best of N after a warm-up: the GPU's figure least disturbed by the host. */
async function bestOf(w: Workload): Promise<{ bestMs: number; samples: number }> {
  const { run } = w.build();
  for (let i = 0; i < WARMUP; i++) await run();
  let best = Infinity, samples = 0;
  const started = performance.now();
  while (samples < ITERS && (samples < 3 || performance.now() - started < BUDGET_MS)) {
    // Buffers of collected tensors go back to the pool through a finalizer: collect between samples, not in them.
    globalThis.gc?.();
    const t0 = performance.now();
    await run();
    best = Math.min(best, performance.now() - t0);
    samples++;
  }
  return { bestMs: best, samples };
}

interface Result {
  key: string;
  label: string;
  webgpuMs: number;
  webgpuGflops: number | null;
  cpuMs: number | null;
  speedupVsCpu: number | null;
  samples: number;
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
    };
    results.push(r);
    console.log(row(r));
  }
  return results;
}

const fmt = (v: number | null, digits = 2) => (v === null ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(digits));
const HEADER = `${'workload'.padEnd(34)} ${'WebGPU ms'.padStart(10)} ${'GFLOP/s'.padStart(9)} ${'CPU ms'.padStart(9)} ${'× CPU'.padStart(7)}`;
const row = (r: Result) => `${r.label.padEnd(34)} ${fmt(r.webgpuMs, 3).padStart(10)} ${fmt(r.webgpuGflops, 1).padStart(9)} ${fmt(r.cpuMs, 3).padStart(9)} ${fmt(r.speedupVsCpu, 1).padStart(7)}`;

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
    }
  }
  if (write) {
    const dir = path.join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const json = { date: new Date().toISOString(), status, adapter, node: process.version, cpus: os.cpus()[0]?.model, cores: os.availableParallelism?.() ?? os.cpus().length, results };
    writeFileSync(path.join(dir, 'webgpu-latest.json'), JSON.stringify(json, null, 2) + '\n');
    console.log('wrote bench/results/webgpu-latest.json');
  }
  await releaseNodeWebGpu();
  return 0;
}

main().then(
  // Dawn can keep the event loop alive after its device is gone: end the process once the output is out.
  (code) => process.stdout.write('', () => process.exit(code)),
  (e) => {
    console.error(`webgpu bench: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
