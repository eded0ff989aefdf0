// The training session as the webview sees it, outside React: status, the latest progress, the stop message
// and the node a NaN/Inf names, the loss/accuracy series for the charts (one train point per progress update,
// validation per epoch from the metrics), and the latest decision-boundary grid. The host owns the session;
// this only keeps what it sent. No DOM here, so Node tests use it.
import type { EpochMetrics } from '../../engine/train/trainer';
import type { BoundaryMessage, DatasetPointsMessage, ProgressUpdate, SessionStatus, TrainingStateMessage, TrainPoint } from '../../protocol/messages';

export type ViewStatus = SessionStatus | 'idle';
export type { TrainPoint };

export interface SessionView {
  status: ViewStatus;
  progress?: ProgressUpdate;
  message?: string;
  nodeId?: string;
  classification?: boolean;
  /** Which backend runs the training and why ("WebGPU: …", "CPU: no WebGPU adapter"), as the host says. */
  backend?: string;
  history: readonly EpochMetrics[];
  /** Append-only within a run; `trainCount` changes whenever it does. */
  train: readonly TrainPoint[];
  trainCount: number;
  boundary: BoundaryMessage | null;
  /** The run's 2-D training and validation points, drawn on the boundary. */
  points: DatasetPointsMessage | null;
}

export const ACTIVE: readonly ViewStatus[] = ['starting', 'running', 'paused', 'stopping'];
const isActive = (s: ViewStatus) => ACTIVE.includes(s);

type Listener = () => void;

const INITIAL: SessionView = { status: 'idle', history: [], train: [], trainCount: 0, boundary: null, points: null };

export class SessionStore {
  private view: SessionView = INITIAL;
  private points: TrainPoint[] = [];
  private listeners = new Set<Listener>();

  get state(): SessionView {
    return this.view;
  }

  /**
   * A trainingState message. Returns 'new-run' when it starts a run (the charts and overlay start
   * afresh), 'reset' for the idle state after Reset weights, else null.
   */
  applyState(m: TrainingStateMessage): 'new-run' | 'reset' | null {
    const prev = this.view;
    let outcome: 'new-run' | 'reset' | null = null;
    if (m.status === 'idle') {
      this.points = [];
      this.view = { ...INITIAL };
      this.emit();
      return 'reset';
    }
    const startsRun = (m.status === 'starting' && prev.status !== 'starting') || (isActive(m.status) && !isActive(prev.status) && !m.progress);
    const last = this.points.at(-1);
    if (startsRun || (m.progress && last && m.progress.step < last.step)) {
      this.points = [];
      outcome = 'new-run';
    }
    const p = m.progress;
    if (p && p.step > (this.points.at(-1)?.step ?? 0) && Number.isFinite(p.loss)) {
      this.points.push({ step: p.step, x: p.step / Math.max(1, p.stepsPerEpoch), loss: p.loss, ...(p.accuracy !== undefined ? { accuracy: p.accuracy } : {}) });
    }
    this.view = {
      status: m.status,
      progress: outcome === 'new-run' && !p ? undefined : (p ?? prev.progress),
      message: m.message,
      nodeId: m.nodeId,
      classification: m.classification ?? (outcome ? undefined : prev.classification),
      backend: m.backend ?? (outcome ? undefined : prev.backend),
      history: outcome ? [] : prev.history,
      train: this.points,
      trainCount: this.points.length,
      boundary: outcome ? null : prev.boundary,
      points: outcome ? null : prev.points,
    };
    this.emit();
    return outcome;
  }

  /**
   * The host's metrics, whole. Its training points (every progress update it saw, so at least one an epoch)
   * replace this page's up to their last step; points this page drew after that are kept.
   */
  applyMetrics(history: readonly EpochMetrics[], train?: readonly TrainPoint[]): void {
    if (train) {
      const hostLast = train.at(-1)?.step ?? 0;
      this.points = [...train, ...this.points.filter((p) => p.step > hostLast)];
      this.view = { ...this.view, history, train: this.points, trainCount: this.points.length };
    } else {
      this.view = { ...this.view, history };
    }
    this.emit();
  }

  applyPoints(p: DatasetPointsMessage): void {
    this.view = { ...this.view, points: p };
    this.emit();
  }

  applyBoundary(b: BoundaryMessage): void {
    this.view = { ...this.view, boundary: b };
    this.emit();
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }
}
