/**
 * One training run, independent of how it is hosted: the host's worker thread runs it on the CPU, the webview's
 * WebGPU runner (webview/gpu/) on the GPU, tests call it directly. Engine and plain TypeScript only, so both sides
 * run the very same loop. It trains step by step on the model's dataset, reports progress, streams throttled
 * gradient snapshots and decision-boundary grids, honours pause/stop between steps, and ends with the
 * weights as safetensors bytes (the last good ones when a NaN or Inf stops it).
 *
 * Throttling drops the updates of most steps, so whenever the run comes to rest (it completes, pauses,
 * stops, or a NaN stops it) it first "settles": progress, gradient snapshot, node statistics, step costs and
 * decision boundary are posted for the last completed step S, unless already sent for it, so everything the view shows
 * then is at S. After a NaN/Inf, S is the last good step: the trainer keeps that step's pass and statistics.
 */
// The engine's public entry, not its modules: importing it also sets the default (CPU) backend and registers the ops,
// as for any other host of the engine.
import {
  GraphModel,
  LIMITS,
  StepClock,
  Trainer,
  featureTransform,
  stepCosts,
  TrainingNonFiniteError,
  buildDataset,
  decodeSafetensors,
  encodeSafetensors,
  largestBatchWithin,
  noGrad,
  nodeWeightImages,
  readDatasetSpec,
  readTrainingSettings,
  splitDataset,
  Tensor,
  type ExternalData,
  type StepResult,
  type StepTrace,
  kernelInfo,
  backend,
} from '../index';
import { now as clockNow } from '../clock';
import { GradientFlagger } from './gradientFlags';
import { Checkpoints, type RunCheckpoint } from './checkpoints';
import { MAX_DATASET_POINTS, type FromWorker, type PointSet, type RunOptions } from './runMessages';

/** Where the run stands before its next step: steps done, and steps per epoch (for Step epoch). */
export interface RunPosition {
  step: number;
  stepsPerEpoch: number;
}

export interface RunControl {
  /**
   * Resolves when the run may take its next step (immediately unless paused or paced); 'stop' ends it.
   * Before it waits while paused it awaits `settle`, which posts the view of the last completed step.
   */
  next(settle: () => Promise<void>, at: RunPosition): Promise<'go' | 'stop'>;
  /** Whether the step next() just let through is to be traced for the walk-through (Walk through step). */
  traceNext?(): boolean;
  /** The node whose weights the view watches (the Inspector's selection), or null. */
  watched?(): string | null;
  /**
   * Where the run stands (weights, optimizer state, position), at every epoch's end, about once a second between, and
   * whenever it comes to rest (checkpoints.ts). The WebGPU runner passes them to the host, which hands the run to the
   * CPU from the last one if the GPU fails.
   */
  checkpoint?(c: RunCheckpoint): void;
}

export interface RunInput {
  modelText: string;
  sidecar: Uint8Array | null;
  external: ExternalData;
  options: RunOptions;
}

const BOUNDARY_EXTENT = 6;
/** Just under 200 ms: at 5 steps a second every step's boundary and node statistics are drawn. */
const BOUNDARY_INTERVAL_MS = 190;
const PROGRESS_INTERVAL_MS = 125;
/**
 * The loss chart gets a point at every epoch's end and at least every CHART_STEPS steps, however fast the run: a
 * long epoch (digits: 125 steps) is then more than one point, even when the whole epoch takes less than a throttle
 * interval.
 */
export const CHART_STEPS = 50;
/** Node statistics read every node's output: at most about 5 a second, like the boundary. */
const NODE_STATS_INTERVAL_MS = BOUNDARY_INTERVAL_MS;
/** The cost meter's figures: as often as the node statistics. */
const COSTS_INTERVAL_MS = BOUNDARY_INTERVAL_MS;
/** The watched node's weight images: at most 4 a second. */
const WEIGHTS_INTERVAL_MS = 250;

export async function runTraining(input: RunInput, post: (m: FromWorker) => void, control: RunControl, now = clockNow): Promise<void> {
  let model: GraphModel;
  try {
    model = GraphModel.create(input.modelText, { sidecar: input.sidecar ? decodeSafetensors(input.sidecar).tensors : undefined, onShapeMismatch: 'reinit' });
  } catch (e) {
    return post({ type: 'failed', message: (e as Error).message.split('\n')[0] });
  }
  const { spec, problems } = readDatasetSpec(model.json.training);
  if (problems.length || !spec)
    return post({ type: 'failed', message: problems[0] ?? 'the model has no training.dataset: choose a dataset in the training panel' });
  const lossProblem = model.lossProblem();
  if (lossProblem) return post({ type: 'failed', message: lossProblem });
  const settings = readTrainingSettings(model.json.training);
  const epochs = input.options.epochs ?? settings.epochs;
  const batchSize = input.options.batchSize ?? settings.batchSize;
  let data;
  try {
    data = buildDataset(model, spec, input.external);
  } catch (e) {
    return post({ type: 'failed', message: (e as Error).message });
  }
  const { train, validation } = splitDataset(data, settings.validationSplit, settings.seed);
  const trainer = new Trainer(model, train, validation, { batchSize, epochs, seed: settings.seed });
  // A run handed over from another runner (the WebGPU runner failed) goes on from any step, with the optimizer's
  // state of then: the same batches and Dropout masks follow (Trainer.seek).
  const resume = input.options.resume;
  const replayTo = resume?.replayTo ?? 0;
  if (resume) {
    trainer.seek(resume);
    if (resume.optimizer) {
      try {
        trainer.optimizer.importState(resume.optimizer);
      } catch (e) {
        return post({ type: 'failed', message: `the run cannot go on from where it was handed over: ${(e as Error).message}` });
      }
    }
  }
  post({
    type: 'started',
    stepsPerEpoch: trainer.stepsPerEpoch,
    epochs,
    classification: trainer.isClassifier,
    trainSize: train.n,
    validationSize: validation?.n ?? 0,
    learned: { classes: data.classes, normalization: data.normalization },
    kernels: kernelInfo(),
  });
  // The Playground sets keep their raw x₁, x₂ beside derived input features; any other 2-value input is its own plane.
  const planar = data.raw !== undefined || (data.inputShape.length === 1 && data.inputShape[0] === 2);
  if (planar) {
    post({
      type: 'datasetPoints',
      points: {
        kind: trainer.isClassifier ? 'classification' : 'regression',
        train: pointSet(train),
        validation: validation ? pointSet(validation) : { xy: [], label: [] },
      },
    });
  }

  const flagger = new GradientFlagger();
  const minInterval = 1000 / Math.max(1, input.options.maxUpdatesPerSecond);
  const started = now();
  let lastGrad = -Infinity,
    lastBoundary = -Infinity,
    lastProgress = -Infinity,
    lastNodeStats = -Infinity,
    samples = 0;
  let lastGood = quietly(model.stateDict().then(encodeSafetensors));
  const checkpoints = control.checkpoint ? new Checkpoints(model, trainer, control.checkpoint.bind(control), now) : null;
  const endEpoch = () => {
    post({ type: 'epoch', metrics: trainer.history.at(-1)! });
    lastGood = quietly(model.stateDict().then(encodeSafetensors));
    checkpoints?.afterStep(true, lastGood);
  };
  const boundary = input.options.boundaryGrid > 0 && planar;
  const overlay = input.options.overlay;

  // What was last posted, by step, so that settling sends only what is behind.
  let last: StepResult | undefined;
  let progressStep = -1,
    gradientStep = -1,
    boundaryStep = -1,
    nodeStatsStep = -1,
    costsStep = -1,
    lastCosts = -Infinity;
  /** The last completed step whose clock measured the device's work too (every step on the CPU): the cost meter's figures. */
  let measured: { clock: StepClock; result: StepResult } | null = null;
  let weightsPosted = '',
    lastWeights = -Infinity;
  const postProgress = (r: StepResult, t: number) => {
    progressStep = r.step;
    post({
      type: 'progress',
      progress: {
        step: r.step,
        epoch: r.epoch,
        epochs,
        stepsPerEpoch: trainer.stepsPerEpoch,
        loss: r.loss,
        accuracy: r.accuracy,
        samplesPerSecond: samples / Math.max(1e-3, (t - started) / 1000),
      },
    });
  };
  const postGradients = async () => {
    const snap = await trainer.gradientSnapshot();
    gradientStep = snap.step;
    post({
      type: 'gradients',
      update: {
        step: snap.step,
        edges: snap.edges,
        flags: flagger.update(snap.step, snap.edges),
        paramNorms: snap.paramNorms,
        ...(snap.params ? { params: snap.params } : {}),
      },
    });
  };
  const postNodeStats = async () => {
    nodeStatsStep = trainer.step;
    post({ type: 'nodeStats', step: trainer.step, nodes: await trainer.nodeStats() });
  };
  /** The costs of the last measured step, unless already sent: on a GPU at rest, possibly a step before the last. */
  const postCosts = () => {
    if (!measured || costsStep === measured.result.step) return;
    const { clock, result } = measured;
    costsStep = result.step;
    post({ type: 'stepCosts', step: result.step, ...stepCosts(model, clock, result.samples) });
  };
  const postBoundary = async (step: number) => {
    boundaryStep = step;
    const kind = trainer.isClassifier ? 'probability' : 'regression';
    post({
      type: 'boundary',
      step,
      grid: input.options.boundaryGrid,
      extent: BOUNDARY_EXTENT,
      values: await boundaryGrid(model, trainer.inputId, input.options.boundaryGrid, kind),
      kind,
    });
  };
  /** The watched node's weights and gradients after the last step, unless already sent for that node and step. */
  const postWeights = async () => {
    const nodeId = control.watched?.() ?? null;
    const key = nodeId === null ? '' : `${trainer.step}:${nodeId}`;
    if (key === weightsPosted) return;
    weightsPosted = key;
    const params = nodeId === null ? null : await nodeWeightImages(model, nodeId);
    if (params) post({ type: 'weights', nodeId: nodeId!, step: trainer.step, params });
  };
  /** The view of step S = the last completed step (after a NaN step, the trainer still holds S's pass and statistics). */
  const settle = async () => {
    await postWeights();
    if (!last) return;
    if (progressStep !== last.step) postProgress(last, now());
    if (overlay && gradientStep !== last.step) await postGradients();
    if (overlay && nodeStatsStep !== last.step) await postNodeStats();
    postCosts();
    if (boundary && boundaryStep !== last.step) await postBoundary(last.step);
  };

  /** Paused at S: its view, and a checkpoint of S for a runner that may have to take over. */
  const settleAndKeep = async () => {
    await settle();
    await checkpoints?.atRest();
  };

  while (!trainer.done) {
    // Steps another runner already showed are trained again at once: no pause, pace or Step holds them.
    const replaying = trainer.step < replayTo;
    if (!replaying && (await control.next(settleAndKeep, { step: trainer.step, stepsPerEpoch: trainer.stepsPerEpoch })) === 'stop') {
      await settle();
      return post({ type: 'finished', reason: 'stopped', weights: encodeSafetensors(await model.stateDict()), history: trainer.history });
    }
    let r: StepResult;
    // Edge gradients are recorded on every step while the overlay is on (a tap per edge, cheap): any step
    // may turn out to be the last before a pause or stop, and its snapshot is then sent.
    const snapshotDue = overlay && now() - lastGrad >= minInterval;
    // Every step is timed on the host, per node too, since any step may be the one the run rests at (whose costs are
    // then shown): a clock read per node and per backward op, lost in the noise of the step's own time. On a GPU a
    // phase's own time needs a wait for the device at its end, a stall: only the steps whose costs the meter posts
    // wait. A run that comes to rest after an unmeasured step shows the last measured one (its step number says so),
    // at most a meter interval older; re-measuring at rest would mean taking another step.
    const costsDue = now() - lastCosts >= Math.max(minInterval, COSTS_INTERVAL_MS);
    const clock = new StepClock({ nodes: true, device: costsDue });
    // Walk through step: the same step, traced (engine/train/walkthrough.ts).
    let trace: StepTrace | undefined;
    try {
      if (!replaying && control.traceNext?.()) ({ result: r, trace } = await trainer.trainStepTraced({ stats: overlay, clock }));
      else r = await trainer.trainStep({ edgeGrads: overlay, stats: overlay, clock });
    } catch (e) {
      if (e instanceof TrainingNonFiniteError) {
        // The failing step changed no parameter: every view of step S still holds.
        await settle();
        return post({
          type: 'nonFinite',
          step: e.step,
          nodeId: e.nodeId,
          detail: `step ${e.step}: non-finite values first appeared in ${e.detail}`,
          weights: await lastGoodWeights(model, await lastGood),
          history: trainer.history,
        });
      }
      return post({ type: 'failed', message: (e as Error).message });
    }
    last = r;
    if (costsDue || !backend().idle) measured = { clock, result: r };
    if (r.step <= replayTo) {
      // Shown before the handover: only an epoch's end is news (the host drops those it has).
      if (r.epochEnd) endEpoch();
      continue;
    }
    samples += r.samples;
    if (trace) post({ type: 'walkthrough', trace });
    const t = now();
    // Progress (status text, loss-chart points) needs fewer updates than the overlay: at most 8 a second,
    // so a busy webview does not fall behind the run.
    if (t - lastProgress >= Math.max(minInterval, PROGRESS_INTERVAL_MS) || r.epochEnd || r.step % CHART_STEPS === 0) {
      lastProgress = t;
      postProgress(r, t);
    }
    if (snapshotDue) {
      lastGrad = t;
      await postGradients();
    }
    if (overlay && t - lastNodeStats >= Math.max(minInterval, NODE_STATS_INTERVAL_MS)) {
      lastNodeStats = t;
      await postNodeStats();
    }
    if (costsDue) {
      lastCosts = t;
      postCosts();
    }
    if (boundary && t - lastBoundary >= BOUNDARY_INTERVAL_MS) {
      lastBoundary = t;
      await postBoundary(r.step);
    }
    if (t - lastWeights >= WEIGHTS_INTERVAL_MS) {
      lastWeights = t;
      await postWeights();
    }
    if (r.epochEnd) endEpoch();
    else checkpoints?.afterStep(false);
  }
  await settle();
  post({ type: 'finished', reason: 'completed', weights: encodeSafetensors(await model.stateDict()), history: trainer.history });
}

/** A read whose failure (a lost GPU, which its runner reports) is seen only where it is awaited. */
function quietly<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/**
 * The weights to keep after a NaN/Inf: the parameters as they were before the failing step (it never
 * updated them); a buffer the failing forward pass already spoiled (BatchNorm's running statistics)
 * falls back to its value at the last epoch end.
 */
async function lastGoodWeights(model: GraphModel, epochSnapshot: Uint8Array): Promise<Uint8Array> {
  const now = await model.stateDict();
  const before = decodeSafetensors(epochSnapshot).tensors;
  for (const [key, t] of Object.entries(now)) {
    if (!t.data.every((v) => Number.isFinite(v)) && before[key]) now[key] = before[key];
  }
  return encodeSafetensors(now);
}

/** Up to MAX_DATASET_POINTS of a 2-D dataset's points (an even sample, raw x₁, x₂), with their class index or value. */
function pointSet(d: { n: number; inputs: Float32Array; raw?: Float32Array; targets: ArrayLike<number> }): PointSet {
  const stride = Math.max(1, Math.ceil(d.n / MAX_DATASET_POINTS));
  const points = d.raw ?? d.inputs;
  const xy: number[] = [];
  const label: number[] = [];
  for (let i = 0; i < d.n; i += stride) {
    xy.push(round4(points[2 * i]), round4(points[2 * i + 1]));
    label.push(round4(d.targets[i]));
  }
  return { xy, label };
}

const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

/**
 * Over a grid×grid lattice of [-extent, extent]², row-major from the top: a classifier's P(class 1) (or its single
 * logit's sigmoid), or for 'regression' the predicted value itself. The lattice is in raw x₁, x₂: a model with
 * derived input features (training.dataset.inputFeatures) gets them computed as in training.
 */
export async function boundaryGrid(
  model: GraphModel,
  inputId: string,
  grid: number,
  kind: 'probability' | 'regression' = 'probability',
): Promise<Float32Array> {
  const xs = new Float32Array(grid * grid * 2);
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) {
      const i = r * grid + c;
      xs[2 * i] = -BOUNDARY_EXTENT + ((c + 0.5) * 2 * BOUNDARY_EXTENT) / grid;
      xs[2 * i + 1] = BOUNDARY_EXTENT - ((r + 0.5) * 2 * BOUNDARY_EXTENT) / grid;
    }
  }
  const n = grid * grid;
  const toInput = featureTransform(model.json.training);
  // In slices that fit the activation budget: a model whose training batch fits must not fail here.
  const slice = Math.max(1, largestBatchWithin(model.analysis, n, LIMITS.activationBytes, { loss: false }));
  let d = new Float32Array(0);
  let c = 1;
  for (let start = 0; start < n; start += slice) {
    const m = Math.min(slice, n - start);
    const points = xs.subarray(2 * start, 2 * (start + m));
    const fed = toInput ? toInput(points, m) : points;
    const pass = noGrad(() => model.forward({ [inputId]: Tensor.fromData(fed, [m, fed.length / m]) }, { training: false, computeLoss: false }));
    const out = pass.outputs.values().next().value as Tensor;
    if (start === 0) {
      c = out.size / m;
      d = new Float32Array(n * c);
    }
    // Read back asynchronously: a GPU backend has no synchronous read.
    d.set((await out.data()).subarray(0, m * c), start * c);
  }
  if (kind === 'regression') return d.length === n ? d : Float32Array.from({ length: n }, (_, i) => d[i * c]);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (c === 1) values[i] = 1 / (1 + Math.exp(-d[i]));
    else {
      // softmax probability of class 1
      let max = -Infinity;
      for (let j = 0; j < c; j++) max = Math.max(max, d[i * c + j]);
      let sum = 0;
      for (let j = 0; j < c; j++) sum += Math.exp(d[i * c + j] - max);
      values[i] = Math.exp(d[i * c + 1] - max) / sum;
    }
  }
  return values;
}
