/**
 * A training run over a dataset: minibatches, epochs, validation, metrics, and on request the gradient
 * magnitude each edge carried. UI-agnostic: the command line, the extension's worker and the tests drive
 * it one step at a time.
 */
import { backend, type Storage } from '../backend/backend';
import { allFiniteEach, readScalars } from '../backend/readback';
import { noGrad } from '../autograd';
import { ActivationBudgetError, type GraphModel, type ForwardPass } from '../graph/model';
import { LIMITS } from '../graph/analyze';
import { activationBudgetExcess, largestBatchWithin } from '../graph/activations';
import type { Optimizer } from '../optim/optimizer';
import { createOptimizer } from '../optim/fromJson';
import type { Tensor } from '../tensor';
import { batches, type Batch, type Dataset } from '../data/dataset';
import { nodeStatsOf, ParamStatsRecorder, type NodeStats, type ParamStats } from './stats';
import { add } from '../ops/binary';
import { l1Penalty, readL1 } from './regularization';
import type { StepClock } from './profile';
import { StepRecorder, TRACE_LIMITS, type StepObserver, type StepTrace, type TraceLimits } from './walkthrough';

export interface StepResult {
  epoch: number;
  /** Global step, 1-based. */
  step: number;
  loss: number;
  /** Fraction correct in this batch (classification), else undefined. */
  accuracy?: number;
  /** training.l1's penalty λ·Σ|w| at this step, when set. Not part of `loss` (the data loss, as validation's). */
  l1Penalty?: number;
  samples: number;
  epochEnd: boolean;
}

export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  trainAccuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
}

/**
 * Where a run stands between two steps: with the weights and the optimizer's state, what another trainer needs to go
 * on exactly as this one would (a run handed from WebGPU to the CPU).
 */
export interface TrainerPosition {
  /** Steps done (the epoch follows from it). */
  step: number;
  /** The metrics of the epochs done. */
  history: EpochMetrics[];
  /** The epoch under way so far: its batches' summed loss and correct predictions, and their samples. */
  partial: { loss: number; correct: number; samples: number };
}

/** Gradient magnitudes for the overlay. */
export interface GradientSnapshot {
  step: number;
  /** Per edge index: root-mean-square of the gradient the edge carried (0 where none flowed). */
  edges: number[];
  /** Per node id: L2 norm of its parameters' gradients (nodes with parameters only). */
  paramNorms: Record<string, number>;
  /** Per parameterised node: gradient, weight and update statistics, when the step recorded them (`stats`). */
  params?: Record<string, ParamStats>;
}

/** The largest batch evaluate() runs at once. */
const EVAL_BATCH = 256;

export class NonFiniteError extends Error {
  constructor(
    readonly step: number,
    readonly nodeId: string,
    readonly detail: string,
  ) {
    super(`step ${step}: non-finite value in ${detail}`);
    this.name = 'NonFiniteError';
  }
}

export interface TrainerOptions {
  batchSize: number;
  epochs: number;
  seed: number;
  /** Record edge gradients for snapshots. */
  edgeGrads?: boolean;
  optimizer?: Optimizer;
}

export class Trainer {
  readonly optimizer: Optimizer;
  epoch = 0;
  step = 0;
  private iter: Generator<Batch> | null = null;
  private pending: Batch | null = null;
  private lastPass: ForwardPass | null = null;
  private epochLoss = 0;
  private epochCorrect = 0;
  private epochSamples = 0;
  readonly history: EpochMetrics[] = [];
  /** The batch evaluate() uses: up to EVAL_BATCH, as large as fits in the activation budget. */
  private readonly evalBatch: number;
  private readonly paramStats: ParamStatsRecorder;

  /** Throws ActivationBudgetError when a minibatch's pass would exceed LIMITS.activationBytes, so a run fails at its start. */
  constructor(
    readonly model: GraphModel,
    readonly train: Dataset,
    readonly validation: Dataset | null,
    readonly options: TrainerOptions,
  ) {
    const batch = Math.max(1, Math.min(options.batchSize, train.n));
    const excess = activationBudgetExcess(model.analysis, batch, LIMITS.activationBytes, { loss: true });
    if (excess) throw new ActivationBudgetError(excess);
    // A training batch fits, so a batch of min(it, EVAL_BATCH) does too: evaluation never goes over.
    this.evalBatch = Math.max(1, largestBatchWithin(model.analysis, EVAL_BATCH, LIMITS.activationBytes, { loss: true }));
    this.optimizer = options.optimizer ?? createOptimizer(model.json.training?.optimizer, model.parameters());
    this.paramStats = new ParamStatsRecorder(model);
  }

  get done(): boolean {
    return this.epoch >= this.options.epochs;
  }

  get stepsPerEpoch(): number {
    return Math.ceil(this.train.n / this.options.batchSize);
  }

  private feeds(b: Batch): Record<string, Tensor> {
    return { [this.inputId]: b.inputs, [this.targetId]: b.targets };
  }

  get inputId(): string {
    return (this.model.json.training?.dataset as { input?: string } | undefined)?.input ?? this.model.inputIds[0];
  }

  get targetId(): string {
    return (this.model.json.training?.dataset as { target?: string } | undefined)?.target ?? this.model.targetIds[0];
  }

  position(): TrainerPosition {
    return { step: this.step, history: this.history.slice(), partial: { loss: this.epochLoss, correct: this.epochCorrect, samples: this.epochSamples } };
  }

  /**
   * Goes on from `at` (before the first step): the batches after it are those an uninterrupted run takes, since an
   * epoch's order is seeded by the epoch and the batches already done are skipped; Dropout's masks are seeded by step.
   */
  seek(at: TrainerPosition): void {
    if (this.step !== 0 || this.iter) throw new Error('internal: a trainer seeks before its first step');
    const stepsPerEpoch = this.stepsPerEpoch;
    this.step = Math.max(0, Math.min(Math.floor(at.step), stepsPerEpoch * this.options.epochs));
    this.epoch = Math.floor(this.step / stepsPerEpoch);
    this.history.splice(0, this.history.length, ...at.history.slice(0, this.epoch));
    const done = this.step - this.epoch * stepsPerEpoch;
    if (done === 0) return;
    this.iter = batches(this.train, this.options.batchSize, this.options.seed, this.epoch);
    for (let i = 0; i < done; i++) this.iter.next();
    ({ loss: this.epochLoss, correct: this.epochCorrect, samples: this.epochSamples } = at.partial);
  }

  /**
   * One optimizer step on the next minibatch. Throws NonFiniteError (weights untouched) on NaN/Inf.
   * `edgeGrads` overrides the option for this step: the overlay records edges only on the steps it shows.
   * `stats` records what the step's parameter statistics need (ParamStats: gradient and weight RMS, update ratio,
   * read by gradientSnapshot()): they stay those of the last good step when the next one fails.
   * `clock` times the step's forward, backward and update (and, if it times nodes, each node): the cost meter.
   * `observe` sees the forward pass, the backward pass and the moment before the update (trainStepTraced's trace);
   * it records edge gradients too. Observing changes nothing the step computes.
   */
  async trainStep(opts: { edgeGrads?: boolean; stats?: boolean; clock?: StepClock; observe?: StepObserver } = {}): Promise<StepResult> {
    const clock = opts.clock;
    if (this.done) throw new Error('training is finished');
    if (!this.iter) this.iter = batches(this.train, this.options.batchSize, this.options.seed, this.epoch);
    const next = this.pending ?? this.iter.next().value;
    this.pending = null;
    if (!next) throw new Error('internal: empty epoch');
    const b = next as Batch;
    this.optimizer.zeroGrad();
    const observe = opts.observe;
    clock?.begin();
    const pass = this.model.forward(this.feeds(b), {
      training: true,
      step: this.step,
      edgeGrads: observe ? true : (opts.edgeGrads ?? this.options.edgeGrads),
      observe:
        observe || clock?.observeForward
          ? (id: string, out: Tensor, ms: number) => {
              clock?.observeForward?.(id, out, ms);
              observe?.forward(id, out, ms);
            }
          : undefined,
    });
    const loss = pass.loss!;
    // Dataset training only: the penalty joins the objective; the loss reported stays the data loss.
    const penalty = l1Penalty(this.model, readL1(this.model.json.training));
    const objective = penalty ? add(loss, penalty) : loss;
    // Nothing is read until backward is recorded too (one read a step, below), so the forward phase waits for the
    // device here when it times the device; otherwise it is the host's time (on a GPU, recording time).
    if (clock?.waitsForDevice) await backend().idle?.();
    clock?.end('forward');
    clock?.begin();
    if (objective.requiresGrad) {
      objective.backward(
        undefined,
        observe || clock?.observeBackward
          ? {
              observe: (e) => {
                clock?.observeBackward?.(e);
                observe?.backward(e);
              },
            }
          : undefined,
      );
    }
    // On a GPU the calls above only record the work: a timed phase ends when the work has run.
    if (clock?.waitsForDevice) await backend().idle?.();
    clock?.end('backward');
    const grads = this.model.namedParameters().filter(([, p]) => p.grad);
    // One read a step (on a GPU one round trip, not one per figure): every gradient's finite flag, the loss, the
    // penalty and a classifier's outputs for the batch accuracy. A bad loss is still reported before a bad gradient.
    const output = this.isClassifier ? (pass.outputs.values().next().value as Tensor | undefined) : undefined;
    const read = await allFiniteEach(
      grads.map(([, p]) => ({ x: p.grad!.storage, size: p.grad!.size })),
      [loss, ...(penalty ? [penalty] : []), ...(output ? [output] : [])].map((x) => ({ x: x.storage, size: x.size })),
    );
    const [lossData, penaltyData, outputData] = penalty ? read.values : [read.values[0], undefined, read.values[1]];
    const value = lossData[0];
    const penaltyValue = penaltyData?.[0];
    if (!Number.isFinite(value)) await this.raiseNonFinite(pass, 'the loss');
    const first = read.finite.indexOf(false);
    if (first >= 0) {
      const key = grads[first][0];
      // Name the first node in forward order whose gradient went bad, as the spec asks.
      const pass2 = this.model.forward(this.feeds(b), { training: true, step: this.step, retainGrads: true });
      this.optimizer.zeroGrad();
      pass2.loss!.backward();
      const bad = await this.model.firstNonFinite(pass2);
      throw new NonFiniteError(this.step + 1, bad?.nodeId ?? key.split('.')[0], bad?.detail ?? `the gradient of ${key}`);
    }
    if (opts.stats) this.paramStats.record();
    else this.paramStats.clear();
    observe?.beforeUpdate(pass);
    clock?.begin();
    noGrad(() => this.optimizer.step());
    if (clock?.waitsForDevice) await backend().idle?.();
    clock?.end('update');
    this.lastPass = pass;
    this.step++;
    const accuracy = output && outputData ? accuracyOf(outputData, output.shape, b.labels ?? (await b.targets.data())) : undefined;
    this.epochLoss += value * b.size;
    this.epochSamples += b.size;
    if (accuracy !== undefined) this.epochCorrect += accuracy * b.size;
    const peek = this.iter.next();
    const epochEnd = !!peek.done;
    const result: StepResult = { epoch: this.epoch, step: this.step, loss: value, accuracy, samples: b.size, epochEnd };
    if (penaltyValue !== undefined) result.l1Penalty = penaltyValue;
    if (epochEnd) await this.finishEpoch();
    else this.pending = peek.value as Batch;
    return result;
  }

  /**
   * The same optimizer step as trainStep (the same batch, the same update), traced for the step walk-through: every
   * node's output, every node's chain-rule step and every edge's gradient, and each parameter before and after the
   * update (walkthrough.ts). Throws as trainStep does.
   */
  async trainStepTraced(opts: { stats?: boolean; clock?: StepClock; limits?: Partial<TraceLimits> } = {}): Promise<{ result: StepResult; trace: StepTrace }> {
    const recorder = new StepRecorder(this.model, { ...TRACE_LIMITS, ...opts.limits });
    const result = await this.trainStep({ edgeGrads: true, stats: opts.stats, clock: opts.clock, observe: recorder });
    const trace = await recorder.build(result, this.optimizer.describe());
    return { result, trace };
  }

  private async raiseNonFinite(pass: ForwardPass, what: string): Promise<never> {
    const bad = await this.model.firstNonFinite(pass);
    throw new NonFiniteError(this.step + 1, bad?.nodeId ?? '?', bad?.detail ?? what);
  }

  private async finishEpoch(): Promise<void> {
    const m: EpochMetrics = {
      epoch: this.epoch,
      trainLoss: this.epochLoss / this.epochSamples,
      trainAccuracy: this.isClassifier ? this.epochCorrect / this.epochSamples : undefined,
    };
    if (this.validation) {
      const v = await this.evaluate(this.validation);
      m.valLoss = v.loss;
      m.valAccuracy = v.accuracy;
    }
    this.history.push(m);
    this.epoch++;
    this.iter = null;
    this.epochLoss = this.epochCorrect = this.epochSamples = 0;
  }

  get isClassifier(): boolean {
    return this.train.targetDtype === 'int32' || !!this.train.classes;
  }

  private async batchAccuracy(pass: ForwardPass, b: Batch): Promise<number | undefined> {
    if (!this.isClassifier) return undefined;
    const out = pass.outputs.values().next().value as Tensor | undefined;
    if (!out) return undefined;
    return accuracyOf(await out.data(), out.shape, b.labels ?? (await b.targets.data()));
  }

  /** Loss and accuracy over a dataset in eval mode. */
  async evaluate(d: Dataset): Promise<{ loss: number; accuracy?: number }> {
    let loss = 0,
      correct = 0;
    for (const b of batches(d, this.evalBatch, 0, 0, false)) {
      const pass = noGrad(() => this.model.forward(this.feeds(b), { training: false, computeLoss: true }));
      loss += (await pass.loss!.item()) * b.size;
      const acc = await this.batchAccuracy(pass, b);
      if (acc !== undefined) correct += acc * b.size;
    }
    return { loss: loss / d.n, accuracy: this.isClassifier ? correct / d.n : undefined };
  }

  /**
   * RMS gradient per edge and parameter-gradient norms per node, from the last completed step (after a step that
   * failed on a NaN/Inf, still the one before it: its recorded pass and statistics are kept).
   */
  async gradientSnapshot(): Promise<GradientSnapshot> {
    const edgeCount = this.model.json.edges.length;
    const edges = new Array<number>(edgeCount).fill(0);
    const pass = this.lastPass;
    if (pass) {
      // Reduced on the backend, read back together.
      const grads = [...pass.edgeGrads];
      const sums = await readScalars(grads.map(([, g]) => backend().sumSquares(g.storage, g.size)));
      grads.forEach(([i, g], k) => (edges[i] = Math.sqrt(sums[k] / Math.max(1, g.size))));
    }
    // Keyed by node id: null-prototype, so a node may be called __proto__.
    const paramNorms = Object.create(null) as Record<string, number>;
    const params = await this.paramStats.stats();
    if (params) {
      // Measured when the step was taken: the parameters' gradients may belong to a failed step since.
      for (const id of Object.keys(params)) paramNorms[id] = params[id].gradRms * Math.sqrt(this.paramCount(id));
      return { step: this.step, edges, paramNorms, params };
    }
    const layers: [string, number[]][] = [];
    const sums: Storage[] = [];
    for (const id of this.model.order) {
      const ps = this.model.nodes.get(id)!.params.filter((p) => !p.buffer);
      if (!ps.length) continue;
      const at: number[] = [];
      for (const p of ps) {
        const g = this.model.state.get(p.key)!.grad;
        if (g) at.push(sums.push(backend().sumSquares(g.storage, g.size)) - 1);
      }
      layers.push([id, at]);
    }
    const values = await readScalars(sums);
    for (const [id, at] of layers) paramNorms[id] = Math.sqrt(at.reduce((s, k) => s + values[k], 0));
    return { step: this.step, edges, paramNorms };
  }

  private paramCount(id: string): number {
    return this.model.nodes
      .get(id)!
      .params.filter((p) => !p.buffer)
      .reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  }

  /** Every node's output and arriving gradient in the last completed step (the node hover card's figures). */
  async nodeStats(): Promise<Record<string, NodeStats>> {
    return this.lastPass ? nodeStatsOf(this.model, this.lastPass) : (Object.create(null) as Record<string, NodeStats>);
  }
}

export type { NodeStats, ParamStats };

/** Fraction of rows whose prediction matches the label: argmax for [N, C] logits, > 0 for one logit. */
export function accuracyOf(out: ArrayLike<number>, shape: readonly number[], labels: ArrayLike<number>): number {
  const n = shape[0];
  const c = out.length / n;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let pred: number;
    if (c === 1) pred = out[i] > 0 ? 1 : 0;
    else {
      pred = 0;
      for (let j = 1; j < c; j++) if (out[i * c + j] > out[i * c + pred]) pred = j;
    }
    if (pred === Math.round(labels[i])) correct++;
  }
  return correct / n;
}
