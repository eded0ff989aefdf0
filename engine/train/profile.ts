/**
 * What a training step costs: measured time per phase (forward, backward, optimizer update) and per graph node, and
 * the analytic FLOPs of each node (the registry's `flops`) to hold the measurements against. The rule of thumb it
 * tests: backward ≈ 2 × forward (two products per forward product: the input's and the weight's gradients), a whole
 * step ≈ 3 × forward. The cost meter of the training panel (through the Trainer), `backprop-studio profile` and
 * `npm run bench`'s step / forward figures all time steps with the StepClock below.
 */
import { noGrad, type BackwardEvent } from '../autograd';
import { now } from '../clock';
import { upstream } from '../graph/algorithms';
import type { GraphAnalysis } from '../graph/analyze';
import type { GraphModel, ForwardPass } from '../graph/model';
import type { OpFlops } from '../graph/registry';
import type { OptimizerJson } from '../graph/types';
import { createOptimizer } from '../optim/fromJson';
import type { Optimizer } from '../optim/optimizer';
import type { Tensor } from '../tensor';

export type Phase = 'forward' | 'backward' | 'update';

/** Milliseconds of one step's phases; `stepMs` is their sum (work between them, such as the NaN guard, is left out). */
export interface PhaseTimes {
  forwardMs: number;
  backwardMs: number;
  updateMs: number;
  stepMs: number;
}

/** One node's share of a step, in milliseconds. */
export interface NodeTimes {
  forwardMs: number;
  backwardMs: number;
}

/**
 * The row of the backward ops recorded outside any graph node: the sum of several losses (or of the single output
 * taken as the loss) and, in dataset training with training.l1, the penalty's ops.
 */
export const UNSCOPED_ROW = '(loss sum)';

/**
 * Times one step, phase by phase: begin() then end(phase) around each. With `nodes`, its observers (pass them to
 * model.forward's `observe` and backward's `observe`) also time every node: the forward of each, and the backward
 * ops each recorded, summed (a Linear is one op, a loss several). The observers cost a clock read per node and per op.
 * With `device` (the default), a phase on a GPU backend ends when its work has run (the trainer awaits the backend's
 * idle()): a stall the training run pays only on the steps whose costs it posts. Without it the phases are the
 * host's time, which on a GPU is recording time (the step reads nothing until backward is recorded).
 */
export class StepClock {
  private started = 0;
  private readonly times = { forward: 0, backward: 0, update: 0 };
  /** Per node id (UNSCOPED_ROW for ops outside any node), in the order first seen; null unless timing nodes. */
  readonly nodes: Map<string, NodeTimes> | null;
  readonly observeForward: ((nodeId: string, output: Tensor, ms: number) => void) | undefined;
  readonly observeBackward: ((event: BackwardEvent) => void) | undefined;

  /** Whether the trainer waits for the device at each phase's end (see above). */
  readonly waitsForDevice: boolean;

  constructor(opts: { nodes?: boolean; device?: boolean } = {}) {
    this.waitsForDevice = opts.device ?? true;
    const nodes = opts.nodes ? new Map<string, NodeTimes>() : null;
    this.nodes = nodes;
    const row = (id: string) => {
      let r = nodes!.get(id);
      if (!r) nodes!.set(id, (r = { forwardMs: 0, backwardMs: 0 }));
      return r;
    };
    this.observeForward = nodes ? (id, _out, ms) => void (row(id).forwardMs += ms) : undefined;
    this.observeBackward = nodes ? (e) => void (row(e.node.scope ?? UNSCOPED_ROW).backwardMs += e.ms) : undefined;
  }

  begin(): void {
    this.started = now();
  }

  end(phase: Phase): void {
    this.times[phase] += now() - this.started;
  }

  phases(): PhaseTimes {
    const t = this.times;
    return { forwardMs: t.forward, backwardMs: t.backward, updateMs: t.update, stepMs: t.forward + t.backward + t.update };
  }
}

/** Medians over several steps, and the ratios of the medians. */
export interface PhaseSummary extends PhaseTimes {
  /** backwardMs / forwardMs (the rule of thumb: about 2). */
  backwardOverForward: number;
  /** stepMs / forwardMs (about 3). */
  stepOverForward: number;
  samples: number;
}

export function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function summarizePhases(samples: readonly PhaseTimes[]): PhaseSummary {
  const pick = (k: keyof PhaseTimes) => median(samples.map((s) => s[k]));
  const forwardMs = pick('forwardMs'),
    backwardMs = pick('backwardMs'),
    updateMs = pick('updateMs'),
    stepMs = pick('stepMs');
  return { forwardMs, backwardMs, updateMs, stepMs, backwardOverForward: backwardMs / forwardMs, stepOverForward: stepMs / forwardMs, samples: samples.length };
}

// ------------------------------------------------------------------------------------------------ analytic FLOPs

/**
 * Every computed node's analytic FLOPs for a training step over `batch` samples, in forward order: the registry's
 * `flops` with each input's need for a gradient worked out from the graph (an input needs one when a parameter lies
 * upstream of it), and no backward for a node the loss does not depend on (the engine runs none there).
 */
export function nodeFlops(analysis: GraphAnalysis, batch: number): Map<string, OpFlops> {
  const wants = new Map<string, boolean>();
  for (const id of analysis.order) {
    const n = analysis.nodes.get(id)!;
    const own = n.params.some((p) => !p.buffer);
    wants.set(id, !n.spec!.isSource && (own || n.inputs.some((src) => src !== undefined && wants.get(src))));
  }
  const roots = analysis.losses.length ? analysis.losses : analysis.sinks.slice(0, 1);
  const feedsLoss = upstream(analysis.model?.edges ?? [], roots);
  const out = new Map<string, OpFlops>();
  for (const id of analysis.order) {
    const n = analysis.nodes.get(id)!;
    if (n.spec!.isSource) continue;
    const inputs = n.inputs.map((src) => analysis.nodes.get(src!)!.type!);
    const needsGrad = n.inputs.map((src) => !!wants.get(src!));
    const f = n.spec!.flops(inputs, n.attrs, n.type!, batch, needsGrad);
    out.set(id, { forward: f.forward, backward: feedsLoss.has(id) && wants.get(id) ? f.backward : 0 });
  }
  return out;
}

/**
 * FLOPs of one optimizer update of `values` parameter values (the engine's kernels, per value): SGD 2 (p −= lr·g),
 * weight decay +2, momentum +3, Nesterov +2; Adam 13 (the two moments 3 + 4, the step 6), weight decay +2 (AdamW's
 * decoupled decay +1).
 */
export function updateFlops(optimizer: OptimizerJson | undefined, values: number): number {
  const o = optimizer ?? { type: 'Adam' };
  const wd = o.weightDecay ?? (o.type === 'AdamW' ? 0.01 : 0);
  let per: number;
  if (o.type === 'SGD') per = 2 + (wd ? 2 : 0) + (o.momentum ? 3 : 0) + (o.nesterov ? 2 : 0);
  else per = 13 + (wd ? (o.type === 'AdamW' ? 1 : 2) : 0);
  return per * values;
}

/** A FLOP count for people: 1234567 → "1.23 M" (3 significant digits, SI prefixes). */
export function formatFlops(v: number): string {
  if (v === 0) return '0';
  const units = ['', ' k', ' M', ' G', ' T'];
  let i = 0;
  // On the rounded value, so 999 960 reads "1.00 M", not "1.00e+3 k".
  while (Number(v.toPrecision(3)) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? String(Math.round(v)) : v.toPrecision(3)}${units[i]}`;
}

// ------------------------------------------------------------------------------------------------ one step's costs

/** One row of a step's costs: a graph node (or UNSCOPED_ROW) with its measured times and analytic FLOPs. */
export interface NodeCost extends NodeTimes {
  id: string;
  /** The node's op; '' for UNSCOPED_ROW. */
  op: string;
  forwardFlops: number;
  backwardFlops: number;
}

/** What one step cost, measured and analytic: the cost meter's figures. */
export interface StepCosts {
  batch: number;
  forwardMs: number;
  backwardMs: number;
  updateMs: number;
  /** Analytic FLOPs of the whole step: the nodes' sums, and the optimizer's update. */
  flops: { forward: number; backward: number; update: number };
  /** Every computed node in forward order (times 0 where the clock did not time nodes), then UNSCOPED_ROW if timed. */
  nodes: NodeCost[];
}

/** The costs of a step `clock` timed, over a batch of `batch` samples. */
export function stepCosts(model: GraphModel, clock: StepClock, batch: number): StepCosts {
  const p = clock.phases();
  const flops = nodeFlops(model.analysis, batch);
  const timed = (id: string) => clock.nodes?.get(id) ?? { forwardMs: 0, backwardMs: 0 };
  const nodes: NodeCost[] = [...flops].map(([id, f]) => ({
    id,
    op: model.nodes.get(id)!.spec!.op,
    ...timed(id),
    forwardFlops: f.forward,
    backwardFlops: f.backward,
  }));
  if (clock.nodes?.has(UNSCOPED_ROW)) nodes.push({ id: UNSCOPED_ROW, op: '', ...timed(UNSCOPED_ROW), forwardFlops: 0, backwardFlops: 0 });
  return {
    batch,
    forwardMs: p.forwardMs,
    backwardMs: p.backwardMs,
    updateMs: p.updateMs,
    flops: {
      forward: sum(nodes.map((n) => n.forwardFlops)),
      backward: sum(nodes.map((n) => n.backwardFlops)),
      update: updateFlops(model.json.training?.optimizer, sum(model.parameters().map((t) => t.size))),
    },
    nodes,
  };
}

// ------------------------------------------------------------------------------------------------ the profiler

/** One node's row of a profile. */
export interface NodeProfile {
  /** The node's id, or UNSCOPED_ROW. */
  id: string;
  /** Its op ('' for UNSCOPED_ROW). */
  op: string;
  /** Medians over the observed steps. */
  forwardMs: number;
  backwardMs: number;
  forwardFlops: number;
  backwardFlops: number;
  /** backwardFlops / forwardFlops; null when the forward has none. */
  flopRatio: number | null;
}

export interface FlopTotals {
  forward: number;
  backward: number;
  update: number;
  /** backward / forward: the ratio the measured backward / forward is held against. */
  backwardOverForward: number;
  /** (forward + backward + update) / forward. */
  stepOverForward: number;
}

export interface ProfileReport {
  batch: number;
  /** Timed steps of each kind (plain and observed), after `warmup` of each. */
  steps: number;
  warmup: number;
  /** Medians over the plain steps (no per-node observers): the honest phase times and ratios. */
  phases: PhaseSummary;
  /** The same over the observed steps, whose per-node times are in `nodes`: the observers' overhead shows as the difference. */
  observedPhases: PhaseSummary;
  /** Every computed node in forward order, then UNSCOPED_ROW when a backward op ran outside the nodes. */
  nodes: NodeProfile[];
  flops: FlopTotals;
}

export interface ProfileOptions {
  /** Timed steps of each kind (default 20). */
  steps?: number;
  /** Untimed steps of each kind first (default 3). */
  warmup?: number;
  /** Default: the model's training.optimizer. */
  optimizer?: Optimizer;
  /** Called after each step with its pass and loss (a NaN guard); throwing ends the profile. */
  onStep?: (pass: ForwardPass, loss: number, step: number) => Promise<void> | void;
  /**
   * Waits until the backend has done the work queued so far. A GPU backend only records commands when an op runs:
   * without this, backward's and the update's times would be the time to record them, their GPU time landing in the
   * next forward's read-back. Not needed on the CPU, whose ops finish before they return.
   */
  sync?: () => Promise<void>;
}

/**
 * One training step on `feeds` as the Trainer takes it (zero the gradients, forward in training mode with the loss
 * read back, backward, the optimizer's update), timed by `clock`. Returns the pass and the loss.
 */
export async function timedStep(
  model: GraphModel,
  feeds: Record<string, Tensor>,
  optimizer: Optimizer,
  clock: StepClock,
  step: number,
  sync?: () => Promise<void>,
): Promise<{ pass: ForwardPass; loss: number }> {
  optimizer.zeroGrad();
  clock.begin();
  const pass = model.forward(feeds, { training: true, step, observe: clock.observeForward });
  const loss = await pass.loss!.item();
  clock.end('forward');
  clock.begin();
  if (pass.loss!.requiresGrad) pass.loss!.backward(undefined, { observe: clock.observeBackward });
  await sync?.();
  clock.end('backward');
  clock.begin();
  noGrad(() => optimizer.step());
  await sync?.();
  clock.end('update');
  return { pass, loss };
}

/**
 * Profiles training steps on one batch: `steps` plain steps for the phase times, alternating with as many observed
 * steps for the per-node times (the observers' own cost stays out of the phase figures), after a warm-up of each.
 * The parameters are updated as in training: profile a copy of a model whose weights matter.
 */
export async function profileTraining(model: GraphModel, feeds: Record<string, Tensor>, opts: ProfileOptions = {}): Promise<ProfileReport> {
  const problem = model.lossProblem();
  if (problem) throw new Error(problem);
  const steps = opts.steps ?? 20;
  const warmup = opts.warmup ?? 3;
  if (!(Number.isInteger(steps) && steps >= 1)) throw new RangeError(`profile: steps must be a positive integer, found ${steps}`);
  const optimizer = opts.optimizer ?? createOptimizer(model.json.training?.optimizer, model.parameters());
  const plain: PhaseTimes[] = [],
    observed: PhaseTimes[] = [];
  const nodeSamples = new Map<string, NodeTimes[]>();
  let k = 0;
  for (let i = 0; i < warmup + steps; i++) {
    for (const nodes of [false, true]) {
      const clock = new StepClock({ nodes });
      const { pass, loss } = await timedStep(model, feeds, optimizer, clock, k, opts.sync);
      await opts.onStep?.(pass, loss, ++k);
      if (i < warmup) continue;
      (nodes ? observed : plain).push(clock.phases());
      for (const [id, t] of clock.nodes ?? []) {
        let s = nodeSamples.get(id);
        if (!s) nodeSamples.set(id, (s = []));
        s.push(t);
      }
    }
  }
  const batch = batchOf(model, feeds);
  const flops = nodeFlops(model.analysis, batch);
  const row = (id: string, op: string, f: OpFlops): NodeProfile => {
    const s = nodeSamples.get(id) ?? [];
    return {
      id,
      op,
      forwardMs: s.length ? median(s.map((t) => t.forwardMs)) : 0,
      backwardMs: s.length ? median(s.map((t) => t.backwardMs)) : 0,
      forwardFlops: f.forward,
      backwardFlops: f.backward,
      flopRatio: f.forward > 0 ? f.backward / f.forward : null,
    };
  };
  const nodes = [...flops].map(([id, f]) => row(id, model.nodes.get(id)!.spec!.op, f));
  if (nodeSamples.has(UNSCOPED_ROW)) nodes.push(row(UNSCOPED_ROW, '', { forward: 0, backward: 0 }));
  const forward = sum(nodes.map((n) => n.forwardFlops)),
    backward = sum(nodes.map((n) => n.backwardFlops));
  const update = updateFlops(model.json.training?.optimizer, sum(model.parameters().map((t) => t.size)));
  return {
    batch,
    steps,
    warmup,
    phases: summarizePhases(plain),
    observedPhases: summarizePhases(observed),
    nodes,
    flops: { forward, backward, update, backwardOverForward: backward / forward, stepOverForward: (forward + backward + update) / forward },
  };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

function batchOf(model: GraphModel, feeds: Record<string, Tensor>): number {
  for (const id of [...model.inputIds, ...model.targetIds]) if (Object.hasOwn(feeds, id)) return feeds[id].shape[0];
  return 1;
}
