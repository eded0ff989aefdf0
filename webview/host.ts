// The bridge to the extension host: typed messages out (protocol/messages.ts), checked messages in, and the
// webview's saved state (the viewport), which VS Code keeps while the editor is hidden.
import type { EpochMetrics } from '../engine/train/trainer';
import {
  ACKNOWLEDGED_MESSAGES,
  MAX_DATASET_POINTS,
  MAX_GRADCHECK_TENSORS,
  MAX_TRAIN_POINTS,
  OVERLAY_MODES,
  type EdgeFlag,
  type GpuRunControlMessage,
  type GpuRunStartMessage,
  type GradCheckMessage,
  type GradCheckTensorView,
  type GradCheckView,
  type GraphEdit,
  type HostMessage,
  type NodeCost,
  type NodeStats,
  type ParamStats,
  type PointSet,
  type ProgressUpdate,
  type SessionStatus,
  type TrainPoint,
  type UiPrefs,
  type WebviewMessage,
} from '../protocol/messages';
import { paramImagesOf, summaryOf, traceOf } from './walkthrough/parse';

const api = acquireVsCodeApi();

export function post(msg: WebviewMessage): void {
  api.postMessage(msg);
}

export function postEdit(version: number, edit: GraphEdit): void {
  post({ type: 'edit', version, edit });
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isNum = (v: unknown): v is number => typeof v === 'number';
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optional = <T>(v: unknown, ok: (x: unknown) => x is T): T | undefined => (ok(v) ? v : undefined);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';

/** Caps on what a training message may carry (the engine's 50 000 edges; a 512² boundary grid). */
const MAX_EDGES = 50_000;
const MAX_GRID = 512;
const MAX_EPOCHS = 100_000;
const STATUSES: readonly string[] = ['idle', 'starting', 'running', 'paused', 'stopping', 'completed', 'stopped', 'nonFinite', 'failed'];
const FLAGS: readonly (EdgeFlag | null)[] = ['vanishing', 'exploding', null];

function progressOf(v: unknown): ProgressUpdate | undefined {
  if (!isObj(v)) return undefined;
  const { step, epoch, epochs, stepsPerEpoch, loss, accuracy, samplesPerSecond } = v;
  if (!finite(step) || !finite(epoch) || !finite(epochs) || !finite(stepsPerEpoch) || !isNum(loss) || !isNum(samplesPerSecond)) return undefined;
  return { step, epoch, epochs, stepsPerEpoch, loss, samplesPerSecond, ...(finite(accuracy) ? { accuracy } : {}) };
}

function metricsOf(v: unknown): EpochMetrics | null {
  if (!isObj(v) || !finite(v.epoch) || !isNum(v.trainLoss)) return null;
  const m: EpochMetrics = { epoch: v.epoch, trainLoss: v.trainLoss };
  for (const k of ['trainAccuracy', 'valLoss', 'valAccuracy'] as const) if (isNum(v[k])) m[k] = v[k];
  return m;
}

function trainPointOf(v: unknown): TrainPoint | null {
  if (!isObj(v) || !finite(v.step) || !finite(v.x) || !finite(v.loss)) return null;
  if (v.accuracy !== undefined && !finite(v.accuracy)) return null;
  return { step: v.step, x: v.x, loss: v.loss, ...(v.accuracy !== undefined ? { accuracy: v.accuracy as number } : {}) };
}

function paramStatsOf(v: unknown): ParamStats | null {
  if (!isObj(v) || !isNum(v.gradRms) || !isNum(v.weightRms) || !isNum(v.updateRatio)) return null;
  return { gradRms: v.gradRms, weightRms: v.weightRms, updateRatio: v.updateRatio };
}

const MAX_RANK = 8;
const MAX_NODES = 10_000;

function nodeStatsOf(v: unknown): NodeStats | null {
  if (!isObj(v) || !Array.isArray(v.shape) || v.shape.length > MAX_RANK || !v.shape.every(finite)) return null;
  const out: NodeStats = { shape: v.shape as number[] };
  const output = summaryOf(v.output);
  const grad = summaryOf(v.grad);
  if (output) out.output = output;
  if (grad) out.grad = grad;
  return out;
}

const nonNegative = (v: unknown): v is number => finite(v) && v >= 0;
/** Node ids are short (ID_PATTERN); the row outside the nodes is '(loss sum)'. */
const MAX_ID = 200;

function nodeCostOf(v: unknown): NodeCost | null {
  if (!isObj(v) || !isStr(v.id) || v.id.length > MAX_ID || !isStr(v.op) || v.op.length > MAX_ID) return null;
  const { forwardMs, backwardMs, forwardFlops, backwardFlops } = v;
  if (![forwardMs, backwardMs, forwardFlops, backwardFlops].every(nonNegative)) return null;
  return {
    id: v.id,
    op: v.op,
    forwardMs: forwardMs as number,
    backwardMs: backwardMs as number,
    forwardFlops: forwardFlops as number,
    backwardFlops: backwardFlops as number,
  };
}

function pointSetOf(v: unknown): PointSet | null {
  if (!isObj(v) || !Array.isArray(v.xy) || !Array.isArray(v.label)) return null;
  if (v.label.length > MAX_DATASET_POINTS || v.xy.length !== 2 * v.label.length || !v.xy.every(finite) || !v.label.every(finite)) return null;
  return { xy: v.xy as number[], label: v.label as number[] };
}

/** A null-prototype record of the entries `parse` accepts (at most `max`; node ids are plain data). */
function recordOf<T>(v: unknown, parse: (x: unknown) => T | null, max: number): Record<string, T> | null {
  if (!isObj(v)) return null;
  const out: Record<string, T> = Object.create(null);
  for (const [k, x] of Object.entries(v).slice(0, max)) {
    const t = parse(x);
    if (t !== null) out[k] = t;
  }
  return out;
}

function uiPrefsOf(v: unknown): UiPrefs | null {
  if (!isObj(v)) return null;
  const out: UiPrefs = {};
  for (const k of ['legendOpen', 'minimapOpen', 'depthProfileOpen'] as const) if (isBool(v[k])) out[k] = v[k];
  if ((OVERLAY_MODES as readonly unknown[]).includes(v.overlayMode)) out.overlayMode = v.overlayMode as UiPrefs['overlayMode'];
  return out;
}

function gradCheckTensorOf(v: unknown): GradCheckTensorView | null {
  if (!isObj(v) || !isStr(v.name) || !isStr(v.nodeId) || (v.kind !== 'parameter' && v.kind !== 'input')) return null;
  if (!Array.isArray(v.shape) || v.shape.length > MAX_RANK || !v.shape.every(finite)) return null;
  if (
    !finite(v.checked) ||
    !isNum(v.maxAbsError) ||
    !isNum(v.relError) ||
    !finite(v.kinks) ||
    (v.status !== 'pass' && v.status !== 'fail') ||
    !isBool(v.belowResolution)
  )
    return null;
  return {
    name: v.name,
    kind: v.kind,
    nodeId: v.nodeId,
    shape: v.shape as number[],
    checked: v.checked,
    maxAbsError: v.maxAbsError,
    relError: v.relError,
    kinks: v.kinks,
    status: v.status,
    belowResolution: v.belowResolution,
  };
}

function gradCheckViewOf(v: unknown): GradCheckView | null {
  if (!isObj(v) || !Array.isArray(v.tensors) || v.tensors.length > MAX_GRADCHECK_TENSORS || !isObj(v.tolerance)) return null;
  const tensors = v.tensors.map(gradCheckTensorOf);
  if (!tensors.every((t) => t !== null)) return null;
  const nums = [
    'loss',
    'eps',
    'samples',
    'failed',
    'checked',
    'kinks',
    'backwardMs',
    'gradients',
    'forwardPasses',
    'numericMs',
    'timeRatio',
    'allForwardPasses',
    'allMsEstimate',
  ] as const;
  if (!nums.every((k) => isNum(v[k])) || !isBool(v.passed) || !isNum(v.tolerance.relative) || !isNum(v.tolerance.absolute)) return null;
  const n = (k: (typeof nums)[number]) => v[k] as number;
  return {
    loss: n('loss'),
    eps: n('eps'),
    samples: n('samples'),
    tolerance: { relative: v.tolerance.relative, absolute: v.tolerance.absolute },
    tensors: tensors as GradCheckTensorView[],
    passed: v.passed,
    failed: n('failed'),
    checked: n('checked'),
    kinks: n('kinks'),
    backwardMs: n('backwardMs'),
    gradients: n('gradients'),
    forwardPasses: n('forwardPasses'),
    numericMs: n('numericMs'),
    timeRatio: n('timeRatio'),
    allForwardPasses: n('allForwardPasses'),
    allMsEstimate: n('allMsEstimate'),
  };
}

function gradCheckOf(v: Record<string, unknown>): GradCheckMessage | null {
  if (v.status !== 'running' && v.status !== 'done' && v.status !== 'failed') return null;
  const out: GradCheckMessage = { type: 'gradCheck', status: v.status };
  if (isStr(v.nodeId)) out.nodeId = v.nodeId;
  if (isObj(v.progress) && finite(v.progress.done) && finite(v.progress.total)) out.progress = { done: v.progress.done, total: v.progress.total };
  if (isStr(v.message)) out.message = v.message;
  if (v.status === 'done') {
    const result = gradCheckViewOf(v.result);
    if (!result) return null;
    out.result = result;
  }
  return out;
}

function trainingMessage(v: Record<string, unknown>): HostMessage | null {
  switch (v.type) {
    case 'trainingState':
      if (!isStr(v.status) || !STATUSES.includes(v.status)) return null;
      return {
        type: 'trainingState',
        status: v.status as SessionStatus | 'idle',
        progress: progressOf(v.progress),
        message: optional(v.message, isStr),
        nodeId: optional(v.nodeId, isStr),
        classification: optional(v.classification, isBool),
        backend: optional(v.backend, isStr),
      };
    case 'trainingMetrics': {
      if (!Array.isArray(v.history) || v.history.length > MAX_EPOCHS) return null;
      const history = v.history.map(metricsOf);
      if (!history.every((m) => m !== null)) return null;
      if (v.train === undefined) return { type: 'trainingMetrics', history: history as EpochMetrics[] };
      if (!Array.isArray(v.train) || v.train.length > MAX_TRAIN_POINTS) return null;
      const train = v.train.map(trainPointOf);
      return train.every((p) => p !== null) ? { type: 'trainingMetrics', history: history as EpochMetrics[], train: train as TrainPoint[] } : null;
    }
    case 'gradients': {
      const u = v.update;
      if (!isObj(u) || !finite(u.step) || !Array.isArray(u.edges) || !Array.isArray(u.flags) || !isObj(u.paramNorms)) return null;
      if (u.edges.length > MAX_EDGES || u.flags.length !== u.edges.length || !u.edges.every(isNum)) return null;
      if (!u.flags.every((f) => FLAGS.includes(f as EdgeFlag | null))) return null;
      const paramNorms: Record<string, number> = Object.create(null);
      for (const [k, n] of Object.entries(u.paramNorms).slice(0, MAX_EDGES)) if (isNum(n)) paramNorms[k] = n;
      const params = u.params === undefined ? undefined : recordOf(u.params, paramStatsOf, MAX_NODES);
      if (params === null) return null;
      return {
        type: 'gradients',
        update: { step: u.step, edges: u.edges as number[], flags: u.flags as (EdgeFlag | null)[], paramNorms, ...(params ? { params } : {}) },
      };
    }
    case 'nodeStats': {
      const nodes = recordOf(v.nodes, nodeStatsOf, MAX_NODES);
      return finite(v.step) && nodes ? { type: 'nodeStats', step: v.step, nodes } : null;
    }
    case 'stepCosts': {
      const { step, batch, forwardMs, backwardMs, updateMs, flops, nodes } = v;
      if (!finite(step) || !nonNegative(batch) || ![forwardMs, backwardMs, updateMs].every(nonNegative)) return null;
      if (!isObj(flops) || ![flops.forward, flops.backward, flops.update].every(nonNegative)) return null;
      if (!Array.isArray(nodes) || nodes.length > MAX_NODES) return null;
      const rows = nodes.map(nodeCostOf);
      if (!rows.every((r) => r !== null)) return null;
      return {
        type: 'stepCosts',
        step,
        batch: batch as number,
        forwardMs: forwardMs as number,
        backwardMs: backwardMs as number,
        updateMs: updateMs as number,
        flops: { forward: flops.forward as number, backward: flops.backward as number, update: flops.update as number },
        nodes: rows as NodeCost[],
      };
    }
    case 'datasetPoints': {
      const train = pointSetOf(v.train);
      const validation = pointSetOf(v.validation);
      if ((v.kind !== 'classification' && v.kind !== 'regression') || !train || !validation) return null;
      return { type: 'datasetPoints', kind: v.kind, train, validation };
    }
    case 'walkthrough': {
      const trace = traceOf(v.trace);
      return trace ? { type: 'walkthrough', trace } : null;
    }
    case 'weights': {
      if (!isStr(v.nodeId) || v.nodeId.length > 128 || !finite(v.step) || !Array.isArray(v.params) || v.params.length > 16) return null;
      const params = v.params.map(paramImagesOf);
      if (!params.every((p) => p !== null)) return null;
      return {
        type: 'weights',
        nodeId: v.nodeId,
        step: v.step,
        params: params as NonNullable<(typeof params)[number]>[],
        ...(v.saved === true ? { saved: true } : {}),
      };
    }
    case 'boundary': {
      const { step, grid, extent, values } = v;
      if (!finite(step) || !Number.isInteger(grid) || (grid as number) < 1 || (grid as number) > MAX_GRID || !finite(extent) || !Array.isArray(values))
        return null;
      if (values.length !== (grid as number) ** 2 || !values.every(isNum)) return null;
      if (v.kind !== undefined && v.kind !== 'probability' && v.kind !== 'regression') return null;
      return { type: 'boundary', step, grid: grid as number, extent, values: values as number[], ...(v.kind ? { kind: v.kind } : {}) };
    }
    default:
      return null;
  }
}

/** A host message, checked field by field; anything else is ignored. */
export function asHostMessage(v: unknown): HostMessage | null {
  if (!isObj(v)) return null;
  switch (v.type) {
    case 'document':
      return typeof v.text === 'string' && typeof v.version === 'number'
        ? { type: 'document', uri: typeof v.uri === 'string' ? v.uri : '', text: v.text, version: v.version, readOnly: v.readOnly === true }
        : null;
    case 'revealNode':
      return typeof v.nodeId === 'string' ? { type: 'revealNode', nodeId: v.nodeId } : null;
    case 'editRejected':
      return typeof v.reason === 'string' ? { type: 'editRejected', reason: v.reason } : null;
    case 'uiPrefs': {
      const prefs = uiPrefsOf(v.prefs);
      return prefs ? { type: 'uiPrefs', prefs } : null;
    }
    case 'gradCheck':
      return gradCheckOf(v);
    case 'gpuRunStart':
      // The run's input goes to the training loop, which checks the model and data as any run does.
      return isNum(v.runId) && isObj(v.input) && isStr(v.input.modelText) && isObj(v.input.options)
        ? { type: 'gpuRunStart', runId: v.runId, input: v.input as never }
        : null;
    case 'gpuRunControl':
      return isNum(v.runId) && isObj(v.control) && isStr(v.control.type) ? { type: 'gpuRunControl', runId: v.runId, control: v.control as never } : null;
    default:
      return trainingMessage(v);
  }
}

// Messages are received from the moment this module loads (so 'ready' can go out before the stylesheet and
// React are up): until the app subscribes, they wait here (only the latest document, gradient update and
// boundary grid are kept, and at most MAX_PENDING messages).
const MAX_PENDING = 500;
const LATEST_ONLY: readonly HostMessage['type'][] = [
  'document',
  'gradients',
  'boundary',
  'trainingMetrics',
  'nodeStats',
  'stepCosts',
  'datasetPoints',
  'uiPrefs',
  'walkthrough',
  'weights',
  'gradCheck',
];
let pending: HostMessage[] = [];
let deliver: ((msg: HostMessage) => void) | null = null;

// Training messages are acknowledged once the frame that shows them is painted (a frame, then a task after
// it): the host sends the next ones only then, so the view keeps pace with the run however busy it is.
const ACKED: readonly HostMessage['type'][] = ACKNOWLEDGED_MESSAGES;
function ackAfterPaint(): void {
  requestAnimationFrame(() => setTimeout(() => post({ type: 'trainingAck' }), 0));
}

/** The WebGPU runner (webview/gpu/runner.ts) takes its messages straight away: they are not the app's. */
let gpuRunHandler: ((msg: GpuRunStartMessage | GpuRunControlMessage) => void) | null = null;
export function setGpuRunHandler(handler: (msg: GpuRunStartMessage | GpuRunControlMessage) => void): void {
  gpuRunHandler = handler;
}

window.addEventListener('message', (event: MessageEvent) => {
  const msg = asHostMessage(event.data);
  if (!msg) return;
  if (msg.type === 'gpuRunStart' || msg.type === 'gpuRunControl') return gpuRunHandler?.(msg);
  if (msg.type === 'document') performance.mark('bps:document');
  if (deliver) deliver(msg);
  else pending = [...pending.filter((m) => !(LATEST_ONLY.includes(msg.type) && m.type === msg.type)), msg].slice(-MAX_PENDING);
  if (ACKED.includes(msg.type)) ackAfterPaint();
});

/** Tells the host the page listens, so it sends the document. Once per page. */
let readySent = false;
export function announceReady(): void {
  if (readySent) return;
  readySent = true;
  post({ type: 'ready' });
}

/** Subscribes the app to host messages (one subscriber), first handing it what arrived before. */
export function onHostMessage(handler: (msg: HostMessage) => void): () => void {
  deliver = handler;
  const early = pending;
  pending = [];
  for (const m of early) handler(m);
  return () => {
    if (deliver === handler) deliver = null;
  };
}

export interface SavedState {
  viewport?: { x: number; y: number; zoom: number };
  /** Whether the training panel shows its settings and charts. */
  trainingOpen?: boolean;
  /** Whether the training panel shows its settings (folded: a one-line summary). */
  trainingSettingsOpen?: boolean;
  /** Whether the charts row shows the whole cost meter (its ratios are always in the status row). */
  costMeterOpen?: boolean;
  /** The training speed chosen in the panel: steps a second, or 'max'. */
  trainingPace?: string;
  /** Whether the decision boundary shows the data points (default true). */
  boundaryPoints?: boolean;
  /** The walk-through last shown: its step, the frame, and whether it was closed. */
  walkthrough?: { step: number; at: number; closed: boolean };
}

export function savedState(): SavedState {
  const s = api.getState();
  return isObj(s) ? (s as SavedState) : {};
}

export function saveState(patch: SavedState): void {
  api.setState({ ...savedState(), ...patch });
}
