/**
 * Engine benchmark: this engine (its WebAssembly kernels on one thread and on every core, and its TypeScript
 * kernels) against TF.js's CPU (pure JavaScript) and WASM (SIMD) backends and PyTorch on one CPU thread, in one
 * run so the ratios share the machine's load. Workloads: matmul 256³ and 1024³, an MLP 784-256-128-10 (batch
 * 64) and a small CNN (batch 32); the engine's peak memory per workload and over 1 000 steps; the machine's
 * WebAssembly multiply-add ceiling.
 *
 *   npm run bench                               the full run (≈2 minutes); writes bench/results/
 *   node --expose-gc --import tsx bench/engine.bench.ts [options]
 *     --quick          about a third of the time budgets
 *     --engine-only    no TF.js and no PyTorch (for quick kernel work)
 *     --no-torch       no PyTorch
 *     --typescript-kernels  the engine on its TypeScript kernels only
 *     --rounds=N       measure every workload N times in turn (default 2), pooling the samples
 *     --no-write       print only
 *
 * Times are medians after warm-up. "× CPU" / "× WASM" / "× PyTorch" = the reference's time ÷ engine time:
 * above 1 the engine is faster. PyTorch runs in $PYTHON, else /usr/bin/python3 (bench/pytorch.ts). See
 * docs/benchmarks.md.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import {
  MemoryProbe,
  gc,
  hasGc,
  measure,
  measureEach,
  mergeTimings,
  resolveOptions,
  setBudgetScale,
  type MeasureOptions,
  type MemoryPeak,
  type Timing,
} from './harness';
import * as M from './models';
import { TorchSession, describeBlas, pythonInterpreter, usedSeveralCores, type BlasVerdict } from './pytorch';
import { WasmKernels, installKernels, summarizePhases, type KernelFlavour, type PhaseSummary, type PhaseTimes } from '../engine';
import { defaultKernelThreads, readKernelBinaries, startKernelWorkers } from '../common/kernels';

/**
 * engine: the WebAssembly kernels on one thread (what the ratio columns compare); engineMt: the same on every core
 * (worker threads); engineTs: the engine's TypeScript kernels, the reference the fast ones replace.
 */
type Fw = 'engine' | 'engineMt' | 'engineTs' | 'tfCpu' | 'tfWasm' | 'torch';
const ENGINES: Fw[] = ['engine', 'engineMt', 'engineTs'];
const isEngine = (fw: Fw) => ENGINES.includes(fw);
const FWS: Fw[] = ['engine', 'engineMt', 'engineTs', 'tfCpu', 'tfWasm', 'torch'];
const THREADS = defaultKernelThreads();
const FW_LABEL: Record<Fw, string> = {
  engine: 'engine 1T',
  engineMt: `engine ${THREADS}T`,
  engineTs: 'engine TS',
  tfCpu: 'TF.js CPU',
  tfWasm: 'TF.js WASM',
  torch: 'PyTorch',
};
/** The ratio columns: a reference against an engine variant. */
const REFS: { fw: Fw; engine: Fw; column: string; jsonKey: string }[] = [
  { fw: 'tfCpu', engine: 'engine', column: '× CPU', jsonKey: 'speedupVsTfCpu' },
  { fw: 'tfWasm', engine: 'engine', column: '× WASM', jsonKey: 'speedupVsTfWasm' },
  { fw: 'torch', engine: 'engine', column: '× PyTorch', jsonKey: 'speedupVsTorch' },
  { fw: 'torch', engine: 'engineMt', column: `${THREADS}T × PyTorch`, jsonKey: 'speedupAllCoresVsTorch' },
];

interface Cell {
  timing?: Timing;
  /** The reported number: GFLOP/s for matmul, ms otherwise. */
  value: number | null;
  /** Why there is no value ('n/a: ...'). */
  note?: string;
}

interface Row {
  key: string;
  label: string;
  unit: 'GFLOP/s' | 'ms';
  cells: Partial<Record<Fw, Cell>>;
}

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const option = (name: string) => argv.find((a) => a.startsWith(`${name}=`))?.split('=')[1];
const quick = flag('--quick');
const engineOnly = flag('--engine-only');
const noTorch = engineOnly || flag('--no-torch');
/** Only the TypeScript kernels (the engine before its WebAssembly kernels). */
const engineOnlyTs = flag('--typescript-kernels');
const MEMORY_STEPS = quick ? 300 : 1000;
const write = !flag('--no-write');
const ROUNDS = Math.max(1, Number(option('--rounds') ?? 2));
setBudgetScale(quick ? 0.3 : Number(process.env.BENCH_SCALE ?? 1));

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * A round's share of a measurement: budgets and minimum samples split over the rounds; warm-up only in
 * the first round (the code is compiled by then), less `done` iterations already run.
 */
function perRound(o: MeasureOptions, r: number, done = 0): MeasureOptions {
  return {
    ...o,
    warmup: r === 0 ? Math.max(0, (o.warmup ?? 2) - done) : 0,
    warmupMs: r === 0 ? o.warmupMs : 0,
    minIters: Math.max(1, Math.ceil((o.minIters ?? 5) / ROUNDS)),
    budgetMs: (o.budgetMs ?? 2500) / ROUNDS,
  };
}

interface TfHandle {
  tf: typeof TF;
  wasm: boolean;
  wasmNote?: string;
  wasmFlavor?: string;
}

async function loadTf(): Promise<TfHandle | null> {
  if (engineOnly) return null;
  const tf = await import('@tensorflow/tfjs');
  const wasmMod = await import('@tensorflow/tfjs-backend-wasm');
  // Production mode: TF.js's setting for speed. It also silences its suggestion to install tfjs-node,
  // which this benchmark leaves out on purpose (it compares the JS and WASM backends).
  tf.enableProdMode();
  // The .wasm binaries ship in the package's dist folder: load them from there, never from a CDN.
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  wasmMod.setWasmPaths(wasmDir + path.sep);
  let wasm = false;
  let wasmNote: string | undefined;
  let wasmFlavor: string | undefined;
  try {
    wasm = await tf.setBackend('wasm');
    if (wasm) {
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
      wasmFlavor = `${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'multi-threaded' : 'single thread'}`;
    } else wasmNote = 'the WASM backend did not initialise';
  } catch (e) {
    wasmNote = `the WASM backend failed: ${(e as Error).message}`;
  }
  await tf.setBackend('cpu');
  return { tf, wasm, wasmNote, wasmFlavor };
}

interface TorchHandle {
  session: TorchSession | null;
  /** Why there is no PyTorch column (n/a), when there is none. */
  note?: string;
  blas?: BlasVerdict;
}

async function startTorch(mlp: M.MlpSpec, cnn: M.CnnSpec, matmulSizes: readonly number[]): Promise<TorchHandle | null> {
  if (noTorch) return null;
  try {
    const session = await TorchSession.start(pythonInterpreter(), mlp, cnn, matmulSizes);
    return { session, blas: describeBlas(session.info.blas) };
  } catch (e) {
    return { session: null, note: (e as Error).message };
  }
}

interface EngineKernels {
  one: WasmKernels;
  all: WasmKernels;
  flavour: KernelFlavour;
}

/** Blocks until k's worker threads have started, so a measurement never runs short of threads. */
function waitForThreads(k: WasmKernels): void {
  const until = Date.now() + 10_000;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (k.available() < k.threads && Date.now() < until) Atomics.wait(nap, 0, 0, 5);
}

/** The engine's WebAssembly kernels on one thread and on every core; null without dist/kernels or SIMD. */
function startKernels(): EngineKernels | null {
  const b = readKernelBinaries();
  const one = b && WasmKernels.create(b);
  const all = b && WasmKernels.create(b, { threads: THREADS, startWorkers: startKernelWorkers });
  if (!one || !all) return null;
  waitForThreads(all);
  return { one, all, flavour: one.flavour };
}

interface Ceiling {
  simd1: number;
  simdAll: number;
  relaxed1: number | null;
  relaxedAll: number | null;
  threads: number;
}

/** The multiply-add ceiling of this machine: registers only, plain and relaxed SIMD, one thread and every core. */
function measureCeiling(k: EngineKernels): Ceiling {
  const b = readKernelBinaries()!;
  const plain = WasmKernels.create({ simd: b.simd, simdShared: b.simdShared }, { threads: THREADS, startWorkers: startKernelWorkers })!;
  waitForThreads(plain);
  const now = () => performance.now();
  const relaxed = k.flavour === 'relaxed-simd' ? k.all : null;
  // Best of three: the ceiling is what the core can do, not what a noisy neighbour left.
  const best = (f: () => number) => Math.max(f(), f(), f());
  return {
    simd1: best(() => plain.ceiling(now, 200, 1)),
    simdAll: best(() => plain.ceiling(now, 200, THREADS)),
    relaxed1: relaxed && best(() => relaxed.ceiling(now, 200, 1)),
    relaxedAll: relaxed && best(() => relaxed.ceiling(now, 200, THREADS)),
    threads: Math.min(THREADS, plain.available()),
  };
}

function memoryNow(): { rssMiB: number; heapMiB: number } {
  gc();
  const m = process.memoryUsage();
  return { rssMiB: m.rss / 2 ** 20, heapMiB: (m.heapUsed + m.arrayBuffers) / 2 ** 20 };
}

interface MemoryFlat {
  steps: number;
  at100: { rssMiB: number; heapMiB: number };
  atEnd: { rssMiB: number; heapMiB: number };
}

/** Memory after 100 steps and after `steps`: flat when buffers are reused and nothing accumulates. */
function memoryOverSteps(runner: M.Runner, steps: number): MemoryFlat {
  for (let i = 0; i < 100; i++) runner.step();
  const at100 = memoryNow();
  for (let i = 100; i < steps; i++) runner.step();
  return { steps, at100, atEnd: memoryNow() };
}

function gitCommit(): string | null {
  try {
    const head = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const dirty =
      execSync('git status --porcelain -- engine', { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim() !== '';
    return dirty ? `${head} (engine/ modified)` : head;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  if (!hasGc()) console.warn('bench: run with node --expose-gc for memory figures between workloads');
  const tfl = await loadTf();
  const tf = tfl?.tf;
  const mlp = M.mlpSpec();
  const cnn = M.cnnSpec();
  const MATMUL_SIZES = [256, 1024];
  const torch = await startTorch(mlp, cnn, MATMUL_SIZES);
  const kernels = engineOnlyTs ? null : startKernels();
  const ceiling = kernels ? measureCeiling(kernels) : null;
  const available: Fw[] = [
    ...(kernels ? (['engine', 'engineMt'] as Fw[]) : []),
    'engineTs',
    ...(tf ? (['tfCpu'] as Fw[]) : []),
    ...(tfl?.wasm ? (['tfWasm'] as Fw[]) : []),
    ...(torch?.session ? (['torch'] as Fw[]) : []),
  ];
  /** Frameworks with a column (a value or n/a): PyTorch has one when it was asked for, even if missing. */
  const shown = (fw: Fw) => available.includes(fw) || (fw === 'torch' && torch !== null);
  const useBackend = async (fw: Fw) => {
    if (fw === 'engine') installKernels(kernels!.one);
    if (fw === 'engineMt') installKernels(kernels!.all);
    if (fw === 'engineTs') installKernels(null);
    if (fw === 'tfCpu') await tf!.setBackend('cpu');
    if (fw === 'tfWasm') await tf!.setBackend('wasm');
  };
  const progress = (msg: string) => {
    if (process.stderr.isTTY) process.stderr.write(`  ${msg.padEnd(70)}\r`);
  };

  const rows: Row[] = [];
  const memory: Record<string, MemoryPeak> = {};
  const lossAtStart: Record<string, Partial<Record<Fw, number>>> = {};
  const stepFwd: Partial<Record<Fw, { mlp?: number; cnn?: number }>> = {};
  /** The engine's steps timed phase by phase by its profiler: its step / forward row comes from these. */
  const enginePhases: Partial<Record<Fw, Partial<Record<'mlp' | 'cnn', PhaseTimes[]>>>> = {};

  // ------------------------------------------------------------ matmul
  for (const n of MATMUL_SIZES) {
    const row: Row = { key: `matmul${n}`, label: `matmul ${n}³`, unit: 'GFLOP/s', cells: {} };
    const flops = 2 * n * n * n;
    // TF.js CPU needs seconds for one 1024³ product: few iterations there, the time budget fills the rest.
    const opts: MeasureOptions = n >= 1024 ? { warmup: 1, maxWarmup: 1, minIters: 2, budgetMs: 3000 } : { warmup: 3, budgetMs: 1500 };
    const parts: Partial<Record<Fw, Timing[]>> = {};
    for (let r = 0; r < ROUNDS; r++) {
      for (const fw of available) {
        if (row.cells[fw]) continue; // failed in an earlier round
        progress(`${row.label} · ${FW_LABEL[fw]} · round ${r + 1}/${ROUNDS}`);
        gc();
        let t: Timing;
        if (fw === 'torch') {
          try {
            t = await torch!.session!.matmul(n, resolveOptions(perRound(opts, r)));
          } catch (e) {
            row.cells[fw] = { value: null, note: `n/a: ${(e as Error).message}` };
            continue;
          }
        } else if (isEngine(fw)) {
          await useBackend(fw);
          const probe = fw === 'engine' ? new MemoryProbe() : null;
          const mm = M.engineMatmul(n, probe?.sample);
          // The TypeScript kernels take ~0.7 s for one 1024³ product: a shorter budget there.
          t = measure(mm.run, perRound(fw === 'engineTs' && n >= 1024 ? { ...opts, budgetMs: 1500 } : opts, r));
          if (probe) memory[row.key] = MemoryProbe.max(memory[row.key], probe.result());
        } else {
          await useBackend(fw);
          const mm = M.tfMatmul(tf!, n);
          t = measure(mm.run, perRound(opts, r));
          mm.dispose();
        }
        (parts[fw] ??= []).push(t);
      }
    }
    for (const fw of available) {
      if (row.cells[fw]) continue;
      const t = mergeTimings(parts[fw]!);
      row.cells[fw] = { timing: t, value: flops / (t.medianMs * 1e6) };
    }
    rows.push(row);
  }

  // ------------------------------------------------------------ MLP and CNN
  interface Model {
    key: 'mlp' | 'cnn';
    label: string;
    engine: (probe: () => void) => M.Runner;
    /** The model's name for bench/pytorch_bench.py. */
    torch: 'mlp' | 'cnn';
    tf: (t: typeof TF) => M.Runner;
    opts: MeasureOptions;
    /** Why this framework cannot train the model, or null. */
    cannotTrain: (fw: Fw) => string | null;
  }
  const models: Model[] = [
    {
      key: 'mlp',
      label: 'MLP 784-256-128-10 b64',
      engine: (p) => M.engineMlp(mlp, p),
      torch: 'mlp',
      tf: (t) => M.tfMlp(t, mlp),
      opts: { warmup: 5, budgetMs: 2500 },
      cannotTrain: () => null,
    },
    {
      key: 'cnn',
      label: 'CNN conv8-conv16-fc10 b32',
      engine: (p) => M.engineCnn(cnn, p),
      torch: 'cnn',
      tf: (t) => M.tfCnn(t, cnn),
      opts: { warmup: 2, maxWarmup: 3, minIters: 4, budgetMs: 2500 },
      // TF.js WASM registers no Conv2DBackpropFilter kernel (4.22), so it cannot train a conv net.
      cannotTrain: (fw) => (fw === 'tfWasm' && !tf!.getKernel('Conv2DBackpropFilter', 'wasm') ? 'n/a: TF.js WASM has no Conv2DBackpropFilter kernel' : null),
    },
  ];

  for (const m of models) {
    const fwdRow: Row = { key: `${m.key}Forward`, label: `${m.label} forward`, unit: 'ms', cells: {} };
    const stepRow: Row = { key: `${m.key}Step`, label: `${m.label} train step`, unit: 'ms', cells: {} };
    const fwdParts: Partial<Record<Fw, Timing[]>> = {};
    const stepParts: Partial<Record<Fw, Timing[]>> = {};
    lossAtStart[m.key] = {};
    for (let r = 0; r < ROUNDS; r++) {
      for (const fw of available) {
        progress(`${m.label} · ${FW_LABEL[fw]} · round ${r + 1}/${ROUNDS}`);
        gc();
        if (fw === 'torch') {
          if (fwdRow.cells.torch) continue; // failed in an earlier round
          try {
            // The script mirrors the loop below: the loss, one step, then forward and step alternating.
            const t = await torch!.session!.model(m.torch, resolveOptions(perRound(m.opts, r, 1)));
            if (r === 0) lossAtStart[m.key][fw] = t.loss;
            (fwdParts[fw] ??= []).push(t.forward);
            (stepParts[fw] ??= []).push(t.step);
          } catch (e) {
            fwdRow.cells[fw] = stepRow.cells[fw] = { value: null, note: `n/a: ${(e as Error).message}` };
          }
          continue;
        }
        const probe = fw === 'engine' ? new MemoryProbe() : null;
        await useBackend(fw);
        const runner = isEngine(fw) ? m.engine(() => probe?.sample()) : m.tf(tf!);
        try {
          const loss = runner.forward();
          if (r === 0) lossAtStart[m.key][fw] = loss;
          const forward = () => {
            runner.forward();
            probe?.sample();
          };
          let why = m.cannotTrain(fw);
          if (!why) {
            try {
              runner.step(); // a framework that cannot train this model fails here, before any timing
            } catch (e) {
              why = `n/a: ${(e as Error).message.split('\n')[0]}`;
            }
          }
          if (why) {
            stepRow.cells[fw] = { value: null, note: why };
            (fwdParts[fw] ??= []).push(measure(forward, perRound(m.opts, r, 1)));
          } else {
            // Forward and step alternate, so the step/forward ratio compares like with like. The
            // forward and step above count as the first warm-up iteration. The engine's step is timed phase by
            // phase (the profiler of engine/train/profile.ts), its samples kept for the step / forward row.
            const phases = runner.timedStep ? ((enginePhases[fw] ??= {})[m.key] ??= []) : null;
            const warm = phases?.length ?? 0;
            const step = runner.timedStep ? () => void phases!.push(runner.timedStep!()) : () => void runner.step();
            const [tf_, ts] = measureEach([forward, step], perRound(m.opts, r, 1));
            // Warm-up steps are not samples.
            phases?.splice(warm, phases.length - warm - ts.samples);
            (fwdParts[fw] ??= []).push(tf_);
            (stepParts[fw] ??= []).push(ts);
          }
        } finally {
          runner.dispose();
        }
        if (probe) memory[m.key] = MemoryProbe.max(memory[m.key], probe.result());
      }
    }
    for (const fw of available) {
      if (fwdRow.cells[fw]) continue;
      const tf_ = mergeTimings(fwdParts[fw]!);
      fwdRow.cells[fw] = { timing: tf_, value: tf_.medianMs };
      if (stepParts[fw]) {
        const ts = mergeTimings(stepParts[fw]!);
        stepRow.cells[fw] = { timing: ts, value: ts.medianMs };
        const phases = enginePhases[fw]?.[m.key];
        // The engine's ratio is the profiler's (median step ÷ median forward, both timed inside the same steps);
        // TF.js's and PyTorch's, the step row over the forward row.
        (stepFwd[fw] ??= {})[m.key] = phases?.length ? summarizePhases(phases).stepOverForward : ts.medianMs / tf_.medianMs;
      }
    }
    rows.push(fwdRow, stepRow);
  }
  if (process.stderr.isTTY) process.stderr.write(' '.repeat(74) + '\r');
  torch?.session?.close();

  // ------------------------------------------------------------ memory over many steps
  const flat: Partial<Record<'mlp' | 'cnn', MemoryFlat>> = {};
  if (kernels) {
    await useBackend('engine');
    for (const m of models) {
      progress(`${m.label} · memory over ${MEMORY_STEPS} steps`);
      const runner = m.engine(() => {});
      flat[m.key] = memoryOverSteps(runner, MEMORY_STEPS);
      runner.dispose();
    }
    if (process.stderr.isTTY) process.stderr.write(' '.repeat(74) + '\r');
  }

  // ------------------------------------------------------------ report
  const speedup = (row: Row, fw: Fw, engine: Fw = 'engine'): number | null => {
    const e = row.cells[engine]?.value,
      o = row.cells[fw]?.value;
    if (e == null || o == null) return null;
    return row.unit === 'GFLOP/s' ? e / o : o / e; // >1: the engine is faster
  };
  const fmt = (v: number | null | undefined) => (v == null ? 'n/a' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const header = ['workload', 'unit', ...FWS.map((f) => FW_LABEL[f]), ...REFS.map((x) => x.column)];
  const table: string[][] = rows.map((r) => [
    r.label,
    r.unit,
    ...FWS.map((f) => (shown(f) ? fmt(r.cells[f]?.value) : '—')),
    ...REFS.map((x) => (shown(x.fw) && available.includes(x.engine) ? fmt(speedup(r, x.fw, x.engine)) : '—')),
  ]);
  for (const k of ['mlp', 'cnn'] as const) {
    table.push([`${k.toUpperCase()} step / forward`, 'ratio', ...FWS.map((f) => (shown(f) ? fmt(stepFwd[f]?.[k]) : '—')), ...REFS.map(() => '')]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out: string[] = [];
  out.push('', line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...table.map(line));
  out.push('', '× CPU, × WASM, × PyTorch: the reference time ÷ engine time (for GFLOP/s: engine ÷ reference). Above 1 the engine is faster.');
  const notes = rows.flatMap((r) => FWS.filter((f) => r.cells[f]?.note).map((f) => `${r.label} on ${FW_LABEL[f]}: ${r.cells[f]!.note}`));
  if (notes.length) out.push(...notes);
  const torchWarnings: string[] = [];
  if (torch?.session) {
    const i = torch.session.info;
    const ob = i.blas.openblas;
    out.push(
      `PyTorch: torch ${i.torch} in ${i.python} (Python ${i.pythonVersion}, numpy ${i.numpy}); BLAS: ${torch.blas!.label}; ` +
        `threads: ${i.threads.intraOp} intra-op, ${i.threads.interOp} inter-op${ob ? `, OpenBLAS ${ob.threads}` : ''}; convolutions: ${i.onednn ? 'oneDNN' : 'no oneDNN'}`,
    );
    if (torch.blas!.warning) torchWarnings.push(torch.blas!.warning);
    if (i.threads.intraOp !== 1 || i.threads.interOp !== 1 || (ob && ob.threads !== 1))
      torchWarnings.push('PyTorch is not on one thread: its figures are not the one-thread reference');
    const multi = rows.filter((r) => r.cells.torch?.timing && usedSeveralCores(r.cells.torch.timing)).map((r) => r.label);
    if (multi.length) torchWarnings.push(`PyTorch used more than one core (CPU time over 1.5× wall time) on: ${multi.join(', ')}`);
  } else if (torch?.note) out.push(`PyTorch: n/a: ${torch.note}`);
  for (const w of torchWarnings) out.push(`WARNING: ${w}`);
  if (ceiling) {
    const pct = (v: number | null | undefined, c: number | null) => (v == null || !c ? 'n/a' : `${Math.round((100 * v) / c)} %`);
    const mm = rows.find((r) => r.key === 'matmul1024');
    out.push(
      '',
      `WebAssembly multiply-add ceiling (registers only), GFLOP/s: SIMD ${fmt(ceiling.simd1)} on 1 thread, ${fmt(ceiling.simdAll)} on ${ceiling.threads}; ` +
        `relaxed SIMD ${ceiling.relaxed1 == null ? 'n/a (not in this runtime)' : `${fmt(ceiling.relaxed1)} on 1 thread, ${fmt(ceiling.relaxedAll)} on ${ceiling.threads}`}`,
      `engine kernels: ${kernels!.flavour}; matmul 1024³ reaches ${pct(mm?.cells.engine?.value, kernels!.flavour === 'relaxed-simd' ? ceiling.relaxed1 : ceiling.simd1)} of its ceiling on 1 thread, ` +
        `${pct(mm?.cells.engineMt?.value, kernels!.flavour === 'relaxed-simd' ? ceiling.relaxedAll : ceiling.simdAll)} on ${ceiling.threads}`,
    );
  }
  if (Object.keys(flat).length) {
    out.push('', `engine memory over ${MEMORY_STEPS} training steps (1 thread), MiB after step 100 → after step ${MEMORY_STEPS}: RSS | heap + typed arrays`);
    for (const [k, v] of Object.entries(flat)) {
      const d = (a: number, b: number) => `${a.toFixed(1)} → ${b.toFixed(1)} (${b - a >= 0 ? '+' : ''}${(b - a).toFixed(1)})`;
      out.push(`  ${k.padEnd(11)} ${d(v.at100.rssMiB, v.atEnd.rssMiB)}  |  ${d(v.at100.heapMiB, v.atEnd.heapMiB)}`);
    }
  }
  out.push('', 'engine memory per workload, MiB: peak RSS (growth over the start) | peak heap + typed arrays (growth)');
  for (const [k, v] of Object.entries(memory)) {
    out.push(
      `  ${k.padEnd(11)} ${v.peakRssMiB.toFixed(1).padStart(7)} (+${v.rssGrowthMiB.toFixed(1)})  |  ${v.peakHeapMiB.toFixed(1).padStart(7)} (+${v.heapGrowthMiB.toFixed(1)})`,
    );
  }
  const lossNotes = Object.entries(lossAtStart).map(
    ([k, v]) =>
      `${k} ${FWS.filter((f) => v[f] !== undefined)
        .map((f) => `${FW_LABEL[f]} ${v[f]!.toFixed(6)}`)
        .join(', ')}`,
  );
  out.push('', `initial loss, same weights and data everywhere: ${lossNotes.join('; ')}`);
  // Float32 sums in another order differ by ~1e-6; more means a framework got other weights or data.
  for (const [k, v] of Object.entries(lossAtStart)) {
    for (const f of FWS) {
      const d = v[f] !== undefined && v.engine !== undefined ? Math.abs(v[f]! - v.engine) : 0;
      if (d > 1e-4) out.push(`WARNING: ${k}: ${FW_LABEL[f]}'s initial loss differs from the engine's by ${d.toExponential(1)}: not the same weights or data`);
    }
  }
  if (tfl?.wasmFlavor) out.push(`TF.js WASM: ${tfl.wasmFlavor}`);
  if (tfl?.wasmNote) out.push(`TF.js WASM: ${tfl.wasmNote}`);
  const seconds = (performance.now() - started) / 1000;
  const cpus = os.cpus();
  out.push(
    `${ROUNDS} round(s), ${seconds.toFixed(0)} s on ${cpus.length}× ${cpus[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(out.join('\n'));

  if (!write) return;
  const date = new Date();
  const result = {
    date: date.toISOString(),
    commit: gitCommit(),
    quick,
    rounds: ROUNDS,
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim(),
      platform: `${os.platform()} ${os.arch()} ${os.release()}`,
      node: process.version,
      totalMemGiB: round(os.totalmem() / 2 ** 30, 1),
      loadavgAtEnd: os.loadavg().map((l) => round(l)),
    },
    tfjs: tf ? { version: tf.version.tfjs, wasm: tfl?.wasmFlavor ?? tfl?.wasmNote ?? null } : null,
    pytorch: !torch
      ? null
      : torch.session
        ? { ...torch.session.info, blasKind: torch.blas!.kind, blasLabel: torch.blas!.label, warnings: torchWarnings }
        : { available: false, note: torch.note },
    note: 'value: GFLOP/s for matmul, median wall ms otherwise (cpuMs: median process CPU time); speedup = reference time / engine time (>1: engine faster)',
    workloads: Object.fromEntries(
      rows.map((r) => [
        r.key,
        {
          label: r.label,
          unit: r.unit,
          ...Object.fromEntries(
            FWS.filter((f) => r.cells[f]).map((f) => {
              const c = r.cells[f]!;
              const t = c.timing;
              if (c.value == null || !t) return [f, { value: null, note: c.note }];
              return [
                f,
                {
                  value: round(c.value, 3),
                  medianMs: round(t.medianMs, 3),
                  p25Ms: round(t.p25Ms, 3),
                  p75Ms: round(t.p75Ms, 3),
                  cpuMs: round(t.cpuMedianMs, 3),
                  samples: t.samples,
                },
              ];
            }),
          ),
          ...Object.fromEntries(REFS.map((x) => [x.jsonKey, speedup(r, x.fw, x.engine) == null ? null : round(speedup(r, x.fw, x.engine)!, 3)])),
        },
      ]),
    ),
    stepOverForward: Object.fromEntries(
      Object.entries(stepFwd).map(([f, v]) => [f, { mlp: v.mlp == null ? null : round(v.mlp, 3), cnn: v.cnn == null ? null : round(v.cnn, 3) }]),
    ),
    enginePhases: Object.fromEntries(
      Object.entries(enginePhases).map(([fw, byModel]) => [
        fw,
        Object.fromEntries(
          Object.entries(byModel).map(([k, v]) => {
            const p: PhaseSummary = summarizePhases(v);
            return [k, Object.fromEntries(Object.entries(p).map(([f, x]) => [f, round(x, 3)]))];
          }),
        ),
      ]),
    ),
    kernels: kernels ? { flavour: kernels.flavour, threads: THREADS } : null,
    ceilingGflops: ceiling,
    memoryOverSteps: flat,
    engineMemoryMiB: memory,
    initialLoss: lossAtStart,
    seconds: round(seconds, 1),
  };
  const dir = path.resolve(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = date.toISOString().replace(/:/g, '-').replace(/\..*$/, '');
  const json = JSON.stringify(result, null, 2) + '\n';
  writeFileSync(path.join(dir, `engine-${stamp}.json`), json);
  writeFileSync(path.join(dir, 'latest.json'), json);
  console.log(`wrote bench/results/engine-${stamp}.json and bench/results/latest.json`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
