/**
 * One training session per model document. The session owns a runner (a worker thread of the extension
 * host for the CPU, workerRunner.ts; or the WebGPU runner in the webview, webviewRunner.ts behind fallbackRunner.ts), keeps the latest
 * state for views that attach late, and resolves `finished` with how the run ended and its weights.
 * No VS Code import: the manager (manager.ts) adds the status bar, progress, saving and messages.
 */
import type { EpochMetrics } from '../../engine';
import type { RunInput } from '../../engine/train/run';
import type { FromWorker, GradientUpdate, LearnedData, ProgressUpdate, StepUnit } from './workerProtocol';
import {
  MAX_TRAIN_POINTS,
  type DatasetPointsMessage,
  type NodeStatsMessage,
  type SessionStatus,
  type StepCostsMessage,
  type TrainPoint,
  type WalkthroughMessage,
  type WeightsMessage,
} from '../../protocol/messages';

export type { SessionStatus } from '../../protocol/messages';

export interface TrainingRunner {
  start(input: RunInput): void;
  pause(): void;
  resume(): void;
  step(unit: StepUnit): void;
  pace(stepsPerSecond: number | null): void;
  /** The node whose weights to post (the Inspector's selection), or null. */
  watch(nodeId: string | null): void;
  stop(): void;
  /** Ends the runner at once (the editor closed): no result. */
  dispose(): void;
  onMessage(listener: (m: FromWorker) => void): void;
}

export interface SessionState {
  status: SessionStatus;
  progress?: ProgressUpdate;
  history: EpochMetrics[];
  /** Training points for the charts, replayed to every page (see addTrainPoint). */
  train: TrainPoint[];
  gradients?: GradientUpdate;
  /** The latest node statistics and the run's 2-D points, for views that attach late. */
  nodeStats?: NodeStatsMessage;
  /** The latest step costs (the cost meter), likewise. */
  stepCosts?: StepCostsMessage;
  points?: DatasetPointsMessage;
  /** The last walk-through trace and the watched node's last weights, for views that attach late. */
  walkthrough?: WalkthroughMessage;
  weights?: WeightsMessage;
  classification?: boolean;
  /** Why it stopped (NaN/Inf, failure). */
  message?: string;
  /** The node named by a NaN/Inf stop. */
  nodeId?: string;
  /** Which backend runs it and why, as the panel shows it ("WebGPU: …", "CPU: chosen in settings"). */
  backend?: string;
}

export interface SessionResult {
  status: 'completed' | 'stopped' | 'nonFinite' | 'failed';
  /** Safetensors bytes to save (the last good ones after NaN/Inf); absent when the run failed. */
  weights?: Uint8Array;
  message?: string;
  learned?: LearnedData;
}

export class TrainingSession {
  readonly state: SessionState = { status: 'starting', history: [], train: [] };
  readonly finished: Promise<SessionResult>;
  private resolve!: (r: SessionResult) => void;
  private readonly listeners = new Set<(m: FromWorker, s: SessionState) => void>();
  private learned: LearnedData = {};

  constructor(
    private readonly runner: TrainingRunner,
    input: RunInput,
  ) {
    this.finished = new Promise((r) => (this.resolve = r));
    runner.onMessage((m) => this.handle(m));
    runner.start(input);
  }

  get active(): boolean {
    return ['starting', 'running', 'paused', 'stopping'].includes(this.state.status);
  }

  onUpdate(listener: (m: FromWorker, s: SessionState) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  pause(): void {
    if (this.state.status === 'running') this.runner.pause();
  }

  resume(): void {
    if (this.state.status === 'paused') this.runner.resume();
  }

  /** One optimizer step (or the rest of the epoch), then paused: from paused, or pausing a running run. */
  step(unit: StepUnit): void {
    if (['starting', 'running', 'paused'].includes(this.state.status)) this.runner.step(unit);
  }

  pace(stepsPerSecond: number | null): void {
    if (this.active) this.runner.pace(stepsPerSecond);
  }

  watch(nodeId: string | null): void {
    if (this.active) this.runner.watch(nodeId);
  }

  /** Stop after the current step; `finished` resolves with the weights. */
  stop(): void {
    if (!this.active) return;
    this.state.status = 'stopping';
    this.runner.stop();
  }

  /** End now without a result (the document closed). */
  dispose(): void {
    this.runner.dispose();
    if (this.active) this.end({ status: 'stopped', message: 'the editor was closed' });
  }

  private handle(m: FromWorker): void {
    const s = this.state;
    switch (m.type) {
      case 'started':
        // Only the first: the CPU runner taking over a paused run (fallbackRunner.ts) starts again, still paused.
        if (s.status === 'starting') s.status = 'running';
        s.classification = m.classification;
        this.learned = m.learned;
        break;
      case 'progress':
        s.progress = m.progress;
        addTrainPoint(s.train, m.progress);
        break;
      case 'epoch':
        s.history.push(m.metrics);
        break;
      case 'gradients':
        s.gradients = m.update;
        break;
      case 'nodeStats':
        s.nodeStats = { type: 'nodeStats', step: m.step, nodes: m.nodes };
        break;
      case 'stepCosts':
        s.stepCosts = m;
        break;
      case 'datasetPoints':
        s.points = { type: 'datasetPoints', ...m.points };
        break;
      case 'walkthrough':
        s.walkthrough = { type: 'walkthrough', trace: m.trace };
        break;
      case 'weights':
        s.weights = { type: 'weights', nodeId: m.nodeId, step: m.step, params: m.params };
        break;
      case 'paused':
        if (s.status === 'running') s.status = 'paused';
        break;
      case 'resumed':
        if (s.status === 'paused') s.status = 'running';
        break;
      case 'finished':
        s.status = m.reason;
        s.history = m.history;
        this.emit(m);
        return this.end({ status: m.reason, weights: m.weights, learned: this.learned });
      case 'nonFinite':
        s.status = 'nonFinite';
        s.message = m.detail;
        s.nodeId = m.nodeId;
        s.history = m.history;
        this.emit(m);
        return this.end({ status: 'nonFinite', weights: m.weights, message: m.detail, learned: this.learned });
      case 'failed':
        s.status = 'failed';
        s.message = m.message;
        this.emit(m);
        return this.end({ status: 'failed', message: m.message });
    }
    this.emit(m);
  }

  private emit(m: FromWorker): void {
    for (const l of this.listeners) l(m, this.state);
  }

  private end(r: SessionResult): void {
    if (r.status === 'stopped' && !r.weights) this.state.status = 'stopped';
    this.resolve(r);
  }
}

/**
 * Adds a progress update to the chart's training points. The run reports every epoch's last step (and, between,
 * at most 8 steps a second), so each epoch has a point; past MAX_TRAIN_POINTS every other point between epoch
 * ends goes first, then every other epoch end, so the series stays bounded and spans the whole run.
 */
export function addTrainPoint(points: TrainPoint[], p: ProgressUpdate, max = MAX_TRAIN_POINTS): void {
  if (!Number.isFinite(p.loss) || p.step <= (points.at(-1)?.step ?? 0)) return;
  const spe = Math.max(1, p.stepsPerEpoch);
  points.push({ step: p.step, x: p.step / spe, loss: p.loss, ...(p.accuracy !== undefined ? { accuracy: p.accuracy } : {}) });
  if (points.length <= max) return;
  const epochEnd = (q: TrainPoint) => q.step % spe === 0;
  const last = points.length - 1;
  let kept = points.filter((q, i) => i === last || epochEnd(q) || i % 2 === 0);
  // More epochs than points allowed: every other point, epoch ends included.
  if (kept.length > max) kept = kept.filter((_, i) => i === kept.length - 1 || i % 2 === 0);
  points.splice(0, points.length, ...kept);
}
