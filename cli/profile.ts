/**
 * `backprop-studio profile MODEL.nn.json [--feed FEED.json] [--steps N] [--out FILE.json]`: what a training step of
 * the model costs, phase by phase and node by node, measured with the engine's profiler (engine/train/profile.ts)
 * and held against the analytic FLOPs. Prints a table; writes the JSON to --out (docs/cli.md lists its fields).
 */
import {
  describeKernels,
  formatFlops,
  kernelInfo,
  profileTraining,
  type KernelInfo,
  UNSCOPED_ROW,
  type GraphModel,
  type NodeProfile,
  type PhaseSummary,
  type ProfileReport,
  type Tensor,
} from '../engine';
import { guardFinite } from './commands';
import { backendSync, describeBackend, type BackendReport } from './backend';

export interface ProfileResult {
  /** Where the batch came from. */
  source: 'feed' | 'dataset';
  batch: number;
  steps: number;
  warmup: number;
  phases: PhaseJson;
  observedPhases: PhaseJson;
  flops: ProfileReport['flops'];
  nodes: NodeProfile[];
  /** Which backend ran the steps: the CPU, or WebGPU and its adapter. */
  backend: BackendReport;
  /** The CPU's kernels: WebAssembly (relaxed or plain SIMD) on how many threads, or TypeScript (what ran the steps on the CPU backend). */
  kernels: KernelInfo;
}

type PhaseJson = Omit<PhaseSummary, 'samples'>;

export async function profileCommand(
  model: GraphModel,
  feeds: Record<string, Tensor>,
  steps: number,
  source: ProfileResult['source'],
  backend: BackendReport = { name: 'cpu' },
): Promise<ProfileResult> {
  const problem = model.lossProblem();
  if (problem) throw new Error(problem);
  const r = await profileTraining(model, feeds, {
    steps,
    sync: backendSync(),
    onStep: async (pass, loss, step) => {
      if (!Number.isFinite(loss)) await guardFinite(model, pass, `non-finite loss at profile step ${step}`);
    },
  });
  const phase = ({ samples: _s, ...p }: PhaseSummary): PhaseJson => roundAll(p);
  return {
    source,
    batch: r.batch,
    steps: r.steps,
    warmup: r.warmup,
    phases: phase(r.phases),
    observedPhases: phase(r.observedPhases),
    flops: { ...r.flops, backwardOverForward: sig(r.flops.backwardOverForward), stepOverForward: sig(r.flops.stepOverForward) },
    nodes: r.nodes.map((n) => ({ ...n, forwardMs: ms(n.forwardMs), backwardMs: ms(n.backwardMs), flopRatio: n.flopRatio === null ? null : sig(n.flopRatio) })),
    backend,
    kernels: kernelInfo(),
  };
}

/** Milliseconds to 0.1 µs; ratios to 4 significant digits. */
const ms = (v: number) => Math.round(v * 1e4) / 1e4;
const sig = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)) : v);
function roundAll<T extends Record<string, number>>(p: T): T {
  const out = {} as Record<string, number>;
  for (const [k, v] of Object.entries(p)) out[k] = k.endsWith('Ms') ? ms(v) : sig(v);
  return out as T;
}

// ------------------------------------------------------------------------------------------------ the table

const fmtMs = (v: number) => (v >= 100 ? v.toFixed(1) : v >= 1 ? v.toFixed(3) : v.toFixed(4));
const fmtRatio = (v: number | null) => (v === null || !Number.isFinite(v) ? '—' : v.toFixed(2));

function table(header: string[], rows: string[][], leftColumns: number): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < leftColumns ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export function profileTable(r: ProfileResult, modelPath: string): string {
  const p = r.phases,
    f = r.flops;
  const out: string[] = [];
  const from = r.source === 'feed' ? 'the feed' : "the model's dataset, seeded";
  out.push(`${modelPath}: one training step on a batch of ${r.batch} (${from}); medians of ${r.steps} steps after ${r.warmup} warm-up`);
  out.push(`backend: ${describeBackend(r.backend)}`);
  if (r.backend.name === 'cpu') out.push(`kernels: ${describeKernels(r.kernels)}`);
  else {
    if (r.backend.adapter?.software) out.push('A software adapter runs WebGPU on the CPU: these times say nothing of a GPU.');
    out.push("Phases wait for the GPU; per-node times are the time to record each node's commands, not GPU time.");
  }
  out.push('');
  out.push(
    ...table(
      ['phase', 'ms', '× forward', 'analytic × forward'],
      [
        ['forward', fmtMs(p.forwardMs), '1.00', '1.00'],
        ['backward', fmtMs(p.backwardMs), fmtRatio(p.backwardOverForward), fmtRatio(f.backwardOverForward)],
        ['update', fmtMs(p.updateMs), fmtRatio(p.updateMs / p.forwardMs), fmtRatio(f.update / f.forward)],
        ['step', fmtMs(p.stepMs), fmtRatio(p.stepOverForward), fmtRatio(f.stepOverForward)],
      ],
      1,
    ),
  );
  out.push(
    '',
    `Rule of thumb: backward ≈ 2 × forward, step ≈ 3 × forward. Measured here ${fmtRatio(p.backwardOverForward)} and ${fmtRatio(p.stepOverForward)}; the FLOP counts give ${fmtRatio(f.backwardOverForward)} and ${fmtRatio(f.stepOverForward)}.`,
  );
  out.push(
    '',
    `Per node (medians of ${r.steps} other steps, timed with per-node observers: forward ${fmtMs(r.observedPhases.forwardMs)} ms, backward ${fmtMs(r.observedPhases.backwardMs)} ms in those steps):`,
    '',
  );
  const rows = r.nodes.map((n) => [
    n.id,
    n.op,
    fmtMs(n.forwardMs),
    fmtMs(n.backwardMs),
    fmtRatio(n.forwardMs > 0 ? n.backwardMs / n.forwardMs : null),
    n.id === UNSCOPED_ROW ? '—' : formatFlops(n.forwardFlops),
    n.id === UNSCOPED_ROW ? '—' : formatFlops(n.backwardFlops),
    fmtRatio(n.flopRatio),
  ]);
  const sum = (k: 'forwardMs' | 'backwardMs') => r.nodes.reduce((s, n) => s + n[k], 0);
  rows.push([
    'total',
    '',
    fmtMs(sum('forwardMs')),
    fmtMs(sum('backwardMs')),
    fmtRatio(sum('backwardMs') / sum('forwardMs')),
    formatFlops(f.forward),
    formatFlops(f.backward),
    fmtRatio(f.backwardOverForward),
  ]);
  out.push(...table(['node', 'op', 'forward ms', 'backward ms', 'b / f', 'forward FLOPs', 'backward FLOPs', 'b / f'], rows, 2));
  out.push('', `Update: ${formatFlops(f.update)} FLOPs (the optimizer, over every parameter).`);
  return out.join('\n') + '\n';
}
