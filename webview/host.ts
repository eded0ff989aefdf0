// The bridge to the extension host: typed messages out (protocol/messages.ts), checked messages in, and the
// webview's saved state (the viewport), which VS Code keeps while the editor is hidden.
import type { EpochMetrics } from '../engine/train/trainer';
import { MAX_TRAIN_POINTS, type EdgeFlag, type GraphEdit, type HostMessage, type ProgressUpdate, type SessionStatus, type TrainPoint, type WebviewMessage } from '../protocol/messages';

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
      return { type: 'gradients', update: { step: u.step, edges: u.edges as number[], flags: u.flags as (EdgeFlag | null)[], paramNorms } };
    }
    case 'boundary': {
      const { step, grid, extent, values } = v;
      if (!finite(step) || !Number.isInteger(grid) || (grid as number) < 1 || (grid as number) > MAX_GRID || !finite(extent) || !Array.isArray(values)) return null;
      if (values.length !== (grid as number) ** 2 || !values.every(isNum)) return null;
      return { type: 'boundary', step, grid: grid as number, extent, values: values as number[] };
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
    default:
      return trainingMessage(v);
  }
}

// Messages are received from the moment this module loads (so 'ready' can go out before the stylesheet and
// React are up): until the app subscribes, they wait here (only the latest document, gradient update and
// boundary grid are kept, and at most MAX_PENDING messages).
const MAX_PENDING = 500;
const LATEST_ONLY: readonly HostMessage['type'][] = ['document', 'gradients', 'boundary', 'trainingMetrics'];
let pending: HostMessage[] = [];
let deliver: ((msg: HostMessage) => void) | null = null;

// Training messages are acknowledged once the frame that shows them is painted (a frame, then a task after
// it): the host sends the next ones only then, so the view keeps pace with the run however busy it is.
const ACKED: readonly HostMessage['type'][] = ['trainingState', 'trainingMetrics', 'gradients', 'boundary'];
function ackAfterPaint(): void {
  requestAnimationFrame(() => setTimeout(() => post({ type: 'trainingAck' }), 0));
}

window.addEventListener('message', (event: MessageEvent) => {
  const msg = asHostMessage(event.data);
  if (!msg) return;
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
  /** The training speed chosen in the panel: steps a second, or 'max'. */
  trainingPace?: string;
}

export function savedState(): SavedState {
  const s = api.getState();
  return isObj(s) ? (s as SavedState) : {};
}

export function saveState(patch: SavedState): void {
  api.setState({ ...savedState(), ...patch });
}
