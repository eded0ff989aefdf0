/**
 * The one message protocol between the extension host and the graph editor's webview: discriminated
 * unions, shared by both sides. Types only here (validate.ts checks what arrives at the host).
 * The document is the source of truth: the host sends its text; the webview sends edits back, which the
 * host applies as WorkspaceEdits (so undo/redo, dirty state and save go through VS Code).
 */
import type { AttrValue, EdgeJson, NodeJson } from '../engine/graph/types-public';
import type { EpochMetrics } from '../engine/train/trainer';
import type { NodeStats } from '../engine/train/stats';
import type { TensorCheck } from '../engine/check/gradcheck';
import type { StepTrace } from '../engine/train/walkthrough';
import type { ParamImages } from '../engine/train/weightImage';
import type { RunCheckpoint } from '../engine/train/checkpoints';

export type { NodeStats, ParamStats, TensorSummary } from '../engine/train/stats';
export { HISTOGRAM_BINS, TINY_TENSOR } from '../engine/train/stats';
import type { StepCosts } from '../engine/train/profile';
export type { NodeCost, StepCosts } from '../engine/train/profile';
export type {
  StepTrace,
  ForwardTrace,
  BackwardTrace,
  PrimitiveTrace,
  InputGradTrace,
  ParamGradTrace,
  EdgeTrace,
  UpdateTrace,
  ParamUpdateTrace,
  Heatmap,
  TraceLimits,
} from '../engine/train/walkthrough';
export type { WeightImage, ParamImages } from '../engine/train/weightImage';
export { WEIGHT_IMAGE_LIMITS } from '../engine/train/weightImage';
import type { DatasetPoints, FromWorker, GradientUpdate, ProgressUpdate, ToWorker } from '../engine/train/runMessages';
export type {
  DatasetPoints,
  EdgeFlag,
  FromWorker,
  GradientUpdate,
  LearnedData,
  PointSet,
  ProgressUpdate,
  RunOptions,
  StepUnit,
  ToWorker,
} from '../engine/train/runMessages';
export { MAX_DATASET_POINTS } from '../engine/train/runMessages';

// ---------------------------------------------------------------------------------------------
// Host → webview

/** The model file's current text: sent on open, on 'ready', and after every change to the document. */
export interface DocumentMessage {
  type: 'document';
  uri: string;
  text: string;
  /** TextDocument.version: the webview echoes it in edits so the host can drop edits made on stale text. */
  version: number;
  /** Whether the document can be edited (false for a git/diff side or a read-only file system). */
  readOnly: boolean;
}

/** Reveal and select a node (from a diagnostic, the problems list, or a command). */
export interface RevealNodeMessage {
  type: 'revealNode';
  nodeId: string;
}

/** The host refused an edit (stale version, invalid result): the webview shows the reason. */
export interface EditRejectedMessage {
  type: 'editRejected';
  reason: string;
}

// ---------------------------------------------------------------------------------------------
// Training (host → webview)

export type SessionStatus = 'starting' | 'running' | 'paused' | 'stopping' | 'completed' | 'stopped' | 'nonFinite' | 'failed';

/** What the overlay draws (chosen in its legend). */
export type OverlayMode = 'gradient' | 'update' | 'weight';
export const OVERLAY_MODES: readonly OverlayMode[] = ['gradient', 'update', 'weight'];

/** The training session's state for this document ('idle' when none has run since the editor opened). */
export interface TrainingStateMessage {
  type: 'trainingState';
  status: SessionStatus | 'idle';
  progress?: ProgressUpdate;
  /** Why the run stopped (NaN/Inf names the step and the first node; a failure says what failed). */
  message?: string;
  /** The node a NaN/Inf stop names: the editor marks it. */
  nodeId?: string;
  classification?: boolean;
  /**
   * Which backend runs the training and why, as the panel shows it: "WebGPU: <adapter>", "CPU: no WebGPU adapter",
   * "CPU: chosen in settings", "CPU: WebGPU failed (…)".
   */
  backend?: string;
}

/** One training point of the loss/accuracy charts: the loss and batch accuracy the run reported at a step. */
export interface TrainPoint {
  step: number;
  /** Epochs done at this step (step / steps per epoch): the charts' x axis. */
  x: number;
  loss: number;
  accuracy?: number;
}

/** At most this many training points travel in one metrics message (the host thins older ones). */
export const MAX_TRAIN_POINTS = 1000;

/**
 * The current (or last) run's metrics, whole: per-epoch metrics, and the training points the host kept (every
 * progress update it saw, each epoch's last step among them, thinned to MAX_TRAIN_POINTS). The charts redraw
 * from it, so a page that opens or reloads mid-run or after it shows the whole run.
 */
export interface TrainingMetricsMessage {
  type: 'trainingMetrics';
  history: EpochMetrics[];
  train?: TrainPoint[];
}

/** Live gradient magnitudes: RMS per edge index with vanishing/exploding flags, parameter-gradient norms per node. */
export interface GradientsMessage {
  type: 'gradients';
  update: GradientUpdate;
}

/**
 * A 2-D model's prediction on a grid×grid lattice over [-extent, extent]², row-major from the top left (the raw
 * x₁, x₂: derived input features are computed from them as in training). `kind` 'probability' (absent: the same)
 * is a classifier's P(class 1); 'regression' is the predicted value itself.
 */
export interface BoundaryMessage {
  type: 'boundary';
  step: number;
  grid: number;
  extent: number;
  values: number[];
  kind?: 'probability' | 'regression';
}

/** Every node's statistics at a step (throttled; always sent for the step a run comes to rest at). */
export interface NodeStatsMessage {
  type: 'nodeStats';
  step: number;
  nodes: Record<string, NodeStats>;
}

/**
 * What one training step cost (the training panel's cost meter): the measured time of its forward pass, backward pass
 * and optimizer update, per node too, with the analytic FLOPs to hold them against (engine/train/profile.ts). Throttled
 * like the node statistics; always sent for the step a run comes to rest at.
 */
export interface StepCostsMessage extends StepCosts {
  type: 'stepCosts';
  step: number;
}

/** The run's 2-D training and validation points, sent once a run starts (and replayed to views that open). */
export interface DatasetPointsMessage extends DatasetPoints {
  type: 'datasetPoints';
}

/**
 * The trace of the step that "Walk through step" took (engine/train/walkthrough.ts): the webview replays it on the
 * graph, forward node by node, backward in reverse, then the update.
 */
export interface WalkthroughMessage {
  type: 'walkthrough';
  trace: StepTrace;
}

/**
 * The watched node's parameters (the Inspector's selection, see WatchNodeMessage) and their gradients as images, after
 * step `step` (the gradient is the one that step applied; absent before any step). A few a second while a run goes,
 * and for the step it rests at.
 */
export interface WeightsMessage {
  type: 'weights';
  nodeId: string;
  step: number;
  params: ParamImages[];
  /** No run is going: the weights the next run would start from (the weights file, inline params or the seed's), no gradient. */
  saved?: boolean;
}

/** View preferences kept per workspace by the host (VS Code's workspaceState), so every editor shares them. */
export interface UiPrefs {
  /** The overlay legend is expanded (else a one-line bar). */
  legendOpen?: boolean;
  minimapOpen?: boolean;
  depthProfileOpen?: boolean;
  overlayMode?: OverlayMode;
}

/** The workspace's view preferences: sent on 'ready' and whenever one changes (from any editor). */
export interface UiPrefsMessage {
  type: 'uiPrefs';
  prefs: UiPrefs;
}

/**
 * The training messages the webview acknowledges once drawn (`trainingAck`) and the host's feed holds back and
 * coalesces (extension/training/trainingFeed.ts): each carries a whole state, so only the newest of a kind matters.
 */
export const ACKNOWLEDGED_MESSAGES = [
  'trainingState',
  'trainingMetrics',
  'gradients',
  'boundary',
  'nodeStats',
  'stepCosts',
  'datasetPoints',
  'walkthrough',
  'weights',
] as const;

// ---------------------------------------------------------------------------------------------
// Check Gradients (host → webview)

/** One tensor of a gradient check, as the editor shows it: the engine's TensorCheck without its entries and timing. */
export type GradCheckTensorView = Pick<
  TensorCheck,
  'name' | 'kind' | 'nodeId' | 'shape' | 'checked' | 'maxAbsError' | 'relError' | 'kinks' | 'status' | 'belowResolution'
>;

/** A gradient check's result, as the editor shows it: per tensor, and what backprop and the finite differences cost. */
export interface GradCheckView {
  loss: number;
  eps: number;
  samples: number;
  tolerance: { relative: number; absolute: number };
  tensors: GradCheckTensorView[];
  passed: boolean;
  failed: number;
  checked: number;
  kinks: number;
  /** The one backward pass, ms, and the gradient values it gave. */
  backwardMs: number;
  gradients: number;
  /** The finite differences: forward passes, their time, ms, and that time over the backward pass's. */
  forwardPasses: number;
  numericMs: number;
  timeRatio: number;
  /** Every gradient value by finite differences: forward passes, and about how long at this run's pace, ms. */
  allForwardPasses: number;
  allMsEstimate: number;
}

/** At most this many tensors travel in one gradCheck message. */
export const MAX_GRADCHECK_TENSORS = 2000;

/**
 * The model's gradient check (Check Gradients): running (with progress), done (with the result) or failed (why).
 * `nodeId`: the node it was restricted to (the Inspector's button); absent for the whole model. Sent to every editor
 * on the document, and again to one that opens.
 */
export interface GradCheckMessage {
  type: 'gradCheck';
  status: 'running' | 'done' | 'failed';
  nodeId?: string;
  progress?: { done: number; total: number };
  result?: GradCheckView;
  message?: string;
}

export type HostMessage =
  | DocumentMessage
  | RevealNodeMessage
  | EditRejectedMessage
  | TrainingStateMessage
  | TrainingMetricsMessage
  | GradientsMessage
  | BoundaryMessage
  | NodeStatsMessage
  | StepCostsMessage
  | DatasetPointsMessage
  | UiPrefsMessage
  | WalkthroughMessage
  | WeightsMessage
  | GradCheckMessage
  | GpuRunStartMessage
  | GpuRunControlMessage;

// ---------------------------------------------------------------------------------------------
// Webview → host

export interface Position {
  x: number;
  y: number;
}

/** One user action in the editor = one GraphEdit = one WorkspaceEdit (one undo step). */
export type GraphEdit =
  /** Add nodes (a palette drop, paste, duplicate) and the edges among/into them. */
  | { kind: 'addNodes'; nodes: NodeJson[]; edges: EdgeJson[] }
  /** Move nodes (the end of a drag, or auto layout): new `ui` positions. */
  | { kind: 'moveNodes'; positions: Record<string, Position> }
  /** Delete nodes (with every edge touching them) and edges. */
  | { kind: 'deleteElements'; nodeIds: string[]; edges: EdgeJson[] }
  /** Add an edge; the webview refuses cycles and taken ports before sending, the host checks again. */
  | { kind: 'connect'; edge: EdgeJson }
  /** Set the source of a node's input port, or disconnect it (source null): keyboard wiring. */
  | { kind: 'setInput'; nodeId: string; port: number; source: string | null }
  /** Set an attribute; null removes it so the default applies. */
  | { kind: 'setAttr'; nodeId: string; attr: string; value: AttrValue | null }
  /** Rename a node: edges, inline params and the sidecar's weight keys follow. */
  | { kind: 'renameNode'; from: string; to: string }
  /** Set the model's display name. */
  | { kind: 'setName'; name: string }
  /** Set (or, with null, remove) a key under `training`, e.g. ['optimizer', 'lr'] or ['dataset', 'source']. */
  | { kind: 'setTraining'; path: string[]; value: TrainingValue | null }
  /**
   * Choose what the 2-D sets feed the model (training.dataset.inputFeatures: names from
   * engine/data/features.ts) and size the bound Input to match, [k], in one edit. null removes the key: the
   * raw x1, x2, and an Input of [2].
   */
  | { kind: 'setInputFeatures'; features: string[] | null }
  /**
   * Change a node's op in place: its id, position and edges stay; attributes the new op does not take (or
   * whose value it would refuse) and the node's inline parameter values go. Refused when an edge into the node
   * uses a port the new op lacks.
   */
  | { kind: 'setOp'; nodeId: string; op: string }
  /**
   * Several edits as one change of the file (one undo step), applied in order, each to the text the previous
   * one left: the dataset and the Target and loss that fit it, say. If any is refused nothing is applied.
   * At most MAX_BATCH_EDITS; no batch inside a batch, and no renameNode (a rename copies weights on its own).
   */
  | { kind: 'batch'; label: string; edits: GraphEdit[] };

/** The most edits one batch holds. */
export const MAX_BATCH_EDITS = 16;

/** JSON values the training panel writes. */
export type TrainingValue = string | number | boolean | number[] | { [k: string]: TrainingValue };

export interface ReadyMessage {
  type: 'ready';
}

export interface EditMessage {
  type: 'edit';
  /** The document version the edit was made against. */
  version: number;
  edit: GraphEdit;
}

/** Reopen this file in the text editor (the error page's button, or the toolbar). */
export interface OpenAsTextMessage {
  type: 'openAsText';
}

/** Run an extension command on this document (toolbar buttons). */
export interface RunCommandMessage {
  type: 'runCommand';
  command: 'train' | 'stopTraining' | 'exportTypeScript';
}

/** The training panel's buttons. Settings (optimizer, lr, batch size, epochs, seed, dataset) are edits to `training`. */
export interface TrainingControlMessage {
  type: 'trainingControl';
  /**
   * `step`: one optimizer step, then paused; `stepEpoch`: to the end of the epoch, then paused; `walk`: one step
   * traced for the walk-through (a `walkthrough` message follows), then paused.
   */
  action: 'start' | 'pause' | 'resume' | 'step' | 'stepEpoch' | 'walk' | 'stop' | 'reset';
}

/** The speeds the training panel offers, in optimizer steps a second; null: as fast as possible. */
export const TRAINING_PACES = [1, 5, 20, 100] as const;

/** The training panel's speed setting, for this model's run now and its next runs. */
export interface TrainingPaceMessage {
  type: 'trainingPace';
  stepsPerSecond: (typeof TRAINING_PACES)[number] | null;
}

/**
 * The webview has drawn one training message (trainingState, trainingMetrics, gradients, boundary). The host
 * sends a few at a time and waits for these, so a busy view is never seconds behind the run
 * (extension/training/trainingFeed.ts).
 */
export interface TrainingAckMessage {
  type: 'trainingAck';
}

/** Change some of the workspace's view preferences (the host stores them and sends every editor the result). */
export interface SetUiPrefsMessage {
  type: 'setUiPrefs';
  prefs: UiPrefs;
}

/**
 * The node whose weights the Inspector shows (null: none). The run posts `weights` for it, throttled, and for the
 * step it rests at.
 */
export interface WatchNodeMessage {
  type: 'watchNode';
  nodeId: string | null;
}

/** Check Gradients on this document: the whole model, or one node's tensors (the Inspector's button). */
export interface CheckGradientsMessage {
  type: 'checkGradients';
  nodeId?: string;
}

export type WebviewMessage =
  | ReadyMessage
  | EditMessage
  | OpenAsTextMessage
  | RunCommandMessage
  | TrainingControlMessage
  | TrainingPaceMessage
  | TrainingAckMessage
  | SetUiPrefsMessage
  | WatchNodeMessage
  | CheckGradientsMessage
  | GpuAdapterMessage
  | GpuRunMessage;

// ---------------------------------------------------------------------------------------------
// A training run's runner: the host's worker thread (extension/training/worker.ts) or the WebGPU runner in the
// webview (webview/gpu/). The session (extension/training/session.ts) talks to either the same way.

/**
 * The WebGPU run after `step` steps (at an epoch's end, about once a second between, and when it comes to rest): its
 * weights, optimizer state and position, what the host hands to the CPU runner if the GPU fails later.
 */
export interface RunnerCheckpoint extends RunCheckpoint {
  type: 'checkpoint';
}

/**
 * The WebGPU runner could not go on (the device was lost, ran out of memory, or reported an error): the host's
 * session hands the run to the CPU runner from these weights (null: from the last checkpoint, or the start),
 * `epoch` epochs in, with that history.
 */
export interface RunnerLost {
  type: 'runnerLost';
  reason: string;
  weights: Uint8Array | null;
  epoch: number;
  history: EpochMetrics[];
}

/** Host → webview: run this on WebGPU (the webview that started the run, which said it has an adapter). */
export interface GpuRunStartMessage {
  type: 'gpuRunStart';
  /** Names the run in every message after this one: a stale run's messages are ignored. */
  runId: number;
  input: Omit<Extract<ToWorker, { type: 'start' }>, 'type'>;
}

/** Host → webview: Pause, Step, pace, watch, Stop for the run the webview runs. `dispose` ends it without a result. */
export interface GpuRunControlMessage {
  type: 'gpuRunControl';
  runId: number;
  control: Exclude<ToWorker, { type: 'start' }> | { type: 'dispose' };
}

/** Webview → host, once when it loads: its WebGPU adapter (a description), or null and why there is none. */
export interface GpuAdapterMessage {
  type: 'gpuAdapter';
  adapter: string | null;
  why?: string;
}

/** Webview → host: what the WebGPU runner posted, as the worker thread posts it. */
export interface GpuRunMessage {
  type: 'gpuRun';
  runId: number;
  message: FromWorker | RunnerLost | RunnerCheckpoint;
}
