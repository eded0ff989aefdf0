/**
 * Training from the editor: one session per model document, started by the Train command or the
 * training panel. The manager reads what the run needs through workspace.fs (the sidecar, the shipped
 * digits, a CSV), shows a status-bar item and a cancellable progress notification, forwards throttled
 * updates to every graph editor on the document, and saves the weights when the run ends.
 *
 * The files a model names are found by one rule (extension/document/modelFiles.ts): the sidecar is the file
 * `weights` names, else NAME.safetensors beside NAME.nn.json, and it and a CSV dataset must lie inside the
 * workspace folder (or the model's folder). Saving the weights never edits the document. What the manager
 * does write into the document (what a CSV run learned; Reset removing inline params) goes through the
 * ModelEditor, the same queue as the graph editor's edits.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { analyzeModel, describeKernels, type ExternalData } from '../../engine';
import { readExternalData } from '../document/datasetFiles';
import type { HostMessage } from '../../protocol/messages';
import { applyTextEdits, parseJsonTree, removeProperty } from '../document/jsonText';
import type { ModelEditor } from '../document/modelEditor';
import { isFileNotFound, readIfExists, sidecarFile, writeFileAtomically } from '../document/modelFiles';
import { TrainingSession, type SessionResult } from './session';
import { restingWeights } from './restingWeights';
import { WorkerRunner } from './workerRunner';
import { WebviewRunner } from './webviewRunner';
import { FallbackRunner } from './fallbackRunner';
import type { GpuView } from './gpuView';
import { backendSetting, chooseRunner } from './runnerChoice';
import type { FromWorker, LearnedData, StepUnit } from './workerProtocol';
import type { TrainingValue } from '../../protocol/messages';
import { applyGraphEdit } from '../document/graphEdits';
import { disposeLog, inBackground, log, messageOf } from '../log';

export const TRAINING_ACTIVE_CONTEXT = 'backpropStudio.trainingActive';
const OVERLAY_UPDATES_PER_SECOND = 20;
const BOUNDARY_GRID = 40;
/**
 * The status bar and the progress notification are read at a glance: two updates a second are plenty, and
 * each one is a message to the workbench, which in VS Code in the browser shares a thread with the editor.
 */
const GLANCE_INTERVAL_MS = 500;

type Post = (m: HostMessage) => void;

export class TrainingManager implements vscode.Disposable {
  private readonly sessions = new Map<string, TrainingSession>();
  private readonly views = new Map<string, Set<Post>>();
  private readonly statusBar = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  /** The last decision boundary per document, for an editor that opens (or reloads) after it was sent. */
  private readonly boundaries = new Map<string, Extract<HostMessage, { type: 'boundary' }>>();
  /** When Stop was asked for, per document: the log says how long the run took to end after it. */
  private readonly stopAsked = new Map<string, { at: number; by: string }>();
  /** Steps a second per document, as set in the training panel (absent: as fast as possible). */
  private readonly paces = new Map<string, number | null>();
  /** The node whose weights the Inspector shows, per document (the last editor to ask), for this run and the next. */
  private readonly watching = new Map<string, string | null>();
  /** Every graph editor per document, as a place to train on WebGPU (a command's run uses a visible one). */
  private readonly gpuViews = new Map<string, Set<GpuView>>();
  private runIds = 0;

  constructor(
    /** Applies the manager's edits to a model document: the graph editor provider's ModelEditor. */
    private readonly edits: ModelEditor,
    private readonly workerScript = join(__dirname, 'trainWorker.js'),
    private readonly digitsFile = join(__dirname, 'digits.bin'),
  ) {
    this.statusBar.command = 'backpropStudio.stopTraining';
    this.statusBar.tooltip = 'Backprop Studio: training — click to stop';
  }

  session(uri: vscode.Uri): TrainingSession | undefined {
    return this.sessions.get(uri.toString());
  }

  activeSessions(): vscode.Uri[] {
    return [...this.sessions.entries()].filter(([, s]) => s.active).map(([k]) => vscode.Uri.parse(k));
  }

  /** A graph editor showing this document: it gets the current state now and every update after. */
  attachView(uri: vscode.Uri, post: Post): vscode.Disposable {
    const key = uri.toString();
    const set = this.views.get(key) ?? new Set<Post>();
    this.views.set(key, set);
    set.add(post);
    const s = this.sessions.get(key);
    if (s) {
      post(this.stateMessage(s));
      post({ type: 'trainingMetrics', history: s.state.history, train: s.state.train });
      if (s.state.gradients) post({ type: 'gradients', update: s.state.gradients });
      if (s.state.nodeStats) post(s.state.nodeStats);
      if (s.state.stepCosts) post(s.state.stepCosts);
      if (s.state.points) post(s.state.points);
      if (s.state.walkthrough) post(s.state.walkthrough);
      if (s.state.weights) post(s.state.weights);
    }
    const boundary = this.boundaries.get(key);
    if (boundary) post(boundary);
    return new vscode.Disposable(() => set.delete(post));
  }

  /** A graph editor on `uri` that can run training on WebGPU (extension/editor/webviewGpu.ts). */
  attachGpuView(uri: vscode.Uri, view: GpuView): vscode.Disposable {
    const key = uri.toString();
    const set = this.gpuViews.get(key) ?? new Set<GpuView>();
    this.gpuViews.set(key, set);
    set.add(view);
    return new vscode.Disposable(() => set.delete(view));
  }

  private broadcast(uri: vscode.Uri, m: HostMessage): void {
    for (const post of this.views.get(uri.toString()) ?? []) post(m);
  }

  /**
   * Train the model in `doc`; resolves when the run has ended and its weights are saved. `view` is the editor whose
   * button started it (from a command: a visible editor of the document): the run trains on WebGPU there when the
   * setting backpropStudio.training.backend allows and that editor has an adapter (runnerChoice.ts).
   */
  async start(doc: vscode.TextDocument, firstStep?: StepUnit, view?: GpuView): Promise<SessionResult | undefined> {
    const key = doc.uri.toString();
    if (this.sessions.get(key)?.active) {
      void vscode.window.showInformationMessage('Backprop Studio: this model is already training.');
      return undefined;
    }
    const text = doc.getText();
    const analysis = analyzeModel(text);
    const refuse = (message: string) => {
      void vscode.window.showErrorMessage(`Backprop Studio: cannot train: ${message}`);
      this.broadcast(doc.uri, { type: 'trainingState', status: 'failed', message });
      return undefined;
    };
    if (analysis.errors.length) return refuse(analysis.errors[0].message);
    const starter = view ?? [...(this.gpuViews.get(key) ?? [])].find((v) => v.visible);
    const choice = chooseRunner(backendSetting(vscode.workspace.getConfiguration('backpropStudio.training').get('backend')), starter?.adapter());
    this.broadcast(doc.uri, { type: 'trainingState', status: 'starting', backend: choice.label });
    const side = sidecarFile(doc.uri, analysis.model!.weights);
    if ('error' in side) return refuse(side.error);
    let sidecar: Uint8Array | null = null;
    let external: ExternalData;
    try {
      try {
        sidecar = await readIfExists(side.uri);
      } catch (e) {
        throw new Error(`the weights file ${side.name} cannot be read (${messageOf(e)})`);
      }
      external = await this.externalData(doc, analysis.model!.training);
    } catch (e) {
      return refuse(messageOf(e));
    }

    const name = doc.uri.path.split('/').pop();
    const cpuRunner = () => new WorkerRunner(this.workerScript);
    let session: TrainingSession | undefined;
    // On WebGPU in the editor that started it, going on on the CPU if the GPU fails or the editor goes.
    const runner =
      choice.runner === 'webgpu' && starter
        ? new FallbackRunner(new WebviewRunner(starter, ++this.runIds), cpuRunner, (reason, step) => {
            if (!session) return;
            session.state.backend = `CPU: WebGPU stopped (${reason}); went on from step ${step}`;
            log().warn(`training ${name}: WebGPU stopped (${reason}); the run went on on the CPU from step ${step}`);
            this.broadcast(doc.uri, this.stateMessage(session));
          })
        : cpuRunner();
    session = new TrainingSession(runner, {
      modelText: text,
      sidecar,
      external,
      options: {
        overlay: true,
        maxUpdatesPerSecond: OVERLAY_UPDATES_PER_SECOND,
        boundaryGrid: BOUNDARY_GRID,
        stepsPerSecond: this.paces.get(key) ?? null,
        startPaused: firstStep !== undefined,
        watch: this.watching.get(key) ?? null,
      },
    });
    // Step on a model that is not training: the run starts paused and takes that one step.
    session.state.backend = choice.label;
    if (firstStep) session.step(firstStep);
    this.sessions.get(key)?.dispose();
    this.sessions.set(key, session);
    this.stopAsked.delete(key);
    const startedAt = Date.now();
    log().info(`training ${name}: run requested; ${choice.label}${choice.runner === 'cpu' && choice.detail ? ` (${choice.detail})` : ''}`);
    const running = session;
    const listener = session.onUpdate((m) => {
      if (m.type === 'started') {
        const where = running.state.backend?.startsWith('WebGPU') ? running.state.backend : `the CPU with ${describeKernels(m.kernels)}`;
        log().info(
          `training ${name}: started after ${Date.now() - startedAt} ms, ${m.epochs} epochs of ${m.stepsPerEpoch} steps, ${m.trainSize} training and ${m.validationSize} validation samples, on ${where}`,
        );
      }
      this.forward(doc.uri, m, running);
    });
    inBackground('Updating the training state', () => this.updateContext());
    this.showProgress(doc, session);

    const result = await session.finished;
    listener.dispose();
    const stop = this.stopAsked.get(key);
    const p = session.state.progress;
    log().info(
      `training ${name}: ${result.status} after ${((Date.now() - startedAt) / 1000).toFixed(1)} s` +
        (p ? ` at step ${p.step} (epoch ${p.epoch + 1}/${p.epochs}, loss ${p.loss.toPrecision(4)})` : '') +
        (stop ? `, ${Date.now() - stop.at} ms after Stop (${stop.by})` : '') +
        (result.message ? `: ${result.message}` : ''),
    );
    this.broadcast(doc.uri, { ...this.stateMessage(session), message: result.message });
    inBackground('Updating the training state', () => this.updateContext());
    if (result.weights) {
      const savingAt = Date.now();
      try {
        const saved = await this.saveWeights(doc, result.weights, side);
        log().info(`training ${name}: saved ${result.weights.byteLength} bytes of weights in ${Date.now() - savingAt} ms (${saved})`);
      } catch (e) {
        log().error(`training ${name}: saving the weights failed: ${e instanceof Error && e.stack ? e.stack : String(e)}`);
        void vscode.window.showErrorMessage(`Backprop Studio: the trained weights of ${name} were not saved: ${messageOf(e)}`);
      }
    }
    if (result.learned) await this.storeLearned(doc, result.learned);
    if (result.status === 'nonFinite')
      void vscode.window.showErrorMessage(`Backprop Studio: training stopped: ${result.message}. The last good weights were kept.`);
    if (result.status === 'failed') void vscode.window.showErrorMessage(`Backprop Studio: training failed: ${result.message}`);
    return result;
  }

  pause(uri: vscode.Uri): void {
    this.session(uri)?.pause();
  }

  resume(uri: vscode.Uri): void {
    this.session(uri)?.resume();
  }

  /**
   * Step: one optimizer step (or the rest of the epoch), then paused, continuing the same run (optimizer state
   * kept); a running run is paused after it; with no run, one starts paused and takes the step.
   */
  step(doc: vscode.TextDocument, unit: StepUnit = 'step', view?: GpuView): void {
    const s = this.session(doc.uri);
    if (s?.active) {
      if (s.state.status !== 'stopping') s.step(unit);
      return;
    }
    // Not awaited: the run it starts lasts until it is stopped or completes.
    inBackground(unit === 'step' ? 'Step' : unit === 'walk' ? 'Walk through step' : 'Step Epoch', () => this.start(doc, unit, view));
  }

  /** Optimizer steps a second for this model's runs (null: as fast as possible), now and for the next run. */
  pace(uri: vscode.Uri, stepsPerSecond: number | null): void {
    this.paces.set(uri.toString(), stepsPerSecond);
    this.session(uri)?.pace(stepsPerSecond);
  }

  /**
   * The node whose weights and gradients the run posts (the Inspector's selection), now and for the next run. With no
   * run going, its weights as saved are sent once (restingWeights.ts).
   */
  watch(doc: vscode.TextDocument, nodeId: string | null): void {
    this.watching.set(doc.uri.toString(), nodeId);
    const s = this.session(doc.uri);
    if (s?.active) return s.watch(nodeId);
    if (nodeId !== null) inBackground('Showing the weights', () => this.postRestingWeights(doc, nodeId, s?.state.progress?.step ?? 0));
  }

  private async postRestingWeights(doc: vscode.TextDocument, nodeId: string, step: number): Promise<void> {
    const text = doc.getText();
    const model = analyzeModel(text).model;
    const side = model ? sidecarFile(doc.uri, model.weights) : null;
    if (!side || 'error' in side) return;
    let sidecar: Uint8Array | null;
    try {
      sidecar = await readIfExists(side.uri);
    } catch {
      return; // unreadable: the next run says why
    }
    const params = await restingWeights(text, sidecar, nodeId);
    // Only if it is still the node watched and no run has started meanwhile (the run sends its own).
    if (!params || this.watching.get(doc.uri.toString()) !== nodeId || this.session(doc.uri)?.active) return;
    this.broadcast(doc.uri, { type: 'weights', nodeId, step, params, saved: true });
  }

  /** `by` says who asked (the panel, the command, the progress notification), for the log. */
  stop(uri: vscode.Uri, by = 'Stop'): void {
    const s = this.session(uri);
    if (!s?.active) return;
    if (!this.stopAsked.has(uri.toString())) this.stopAsked.set(uri.toString(), { at: Date.now(), by });
    log().info(`training ${uri.path.split('/').pop()}: stop requested (${by})`);
    s.stop();
  }

  /** The last editor on the document closed: stop its run; the weights are still saved when it ends. */
  closed(uri: vscode.Uri): void {
    this.stop(uri, 'the editor closed');
  }

  /**
   * Reset re-initialises from the seed: the sidecar and inline params go, after asking. A sidecar the rule
   * refuses (outside the workspace) is refused before asking, and nothing is deleted.
   */
  async reset(doc: vscode.TextDocument): Promise<boolean> {
    if (this.session(doc.uri)?.active) {
      void vscode.window.showInformationMessage('Backprop Studio: stop training before resetting the weights.');
      return false;
    }
    const cannot = (why: string) => {
      void vscode.window.showErrorMessage(`Backprop Studio: cannot reset the weights: ${why}`);
      return false;
    };
    const sidecarNow = () => {
      const analysis = analyzeModel(doc.getText());
      return analysis.model ? sidecarFile(doc.uri, analysis.model.weights) : { error: analysis.errors[0]?.message ?? 'the model cannot be read' };
    };
    // Refused before asking; and again after, for the model as it is when the user answers.
    const asked = sidecarNow();
    if ('error' in asked) return cannot(asked.error);
    const answer = await vscode.window.showWarningMessage(
      'Reset the weights? The trained weights are deleted and the model starts again from its seed.',
      { modal: true },
      'Reset',
    );
    if (answer !== 'Reset') return false;
    const side = sidecarNow();
    if ('error' in side) return cannot(side.error);
    try {
      await vscode.workspace.fs.delete(side.uri);
    } catch (e) {
      if (!isFileNotFound(e)) throw e;
    }
    const removed = await this.edits.apply(
      doc,
      (text) => {
        const parsed = parseJsonTree(text);
        const edit = parsed.root && removeProperty(text, parsed.root, 'params');
        return { text: edit ? applyTextEdits(text, [edit]) : text };
      },
      { byHost: true },
    );
    if (!removed.ok)
      void vscode.window.showWarningMessage(`Backprop Studio: the weights file was deleted, but the inline "params" were not removed: ${removed.reason}`);
    this.sessions.delete(doc.uri.toString());
    this.boundaries.delete(doc.uri.toString());
    this.broadcast(doc.uri, { type: 'trainingState', status: 'idle' });
    this.broadcast(doc.uri, { type: 'trainingMetrics', history: [], train: [] });
    return removed.ok;
  }

  /** The session's state for the panel; `withMessage` false leaves out why it stopped (the run goes on). */
  private stateMessage(s: TrainingSession, withMessage = true): Extract<HostMessage, { type: 'trainingState' }> {
    const st = s.state;
    return {
      type: 'trainingState',
      status: st.status,
      progress: st.progress,
      classification: st.classification,
      backend: st.backend,
      ...(withMessage ? { message: st.message, nodeId: st.nodeId } : {}),
    };
  }

  private forward(uri: vscode.Uri, m: FromWorker, s: TrainingSession): void {
    switch (m.type) {
      case 'paused':
      case 'resumed':
      case 'progress':
        this.broadcast(uri, this.stateMessage(s, false));
        // On paused too: the step the run rests at may have come through the throttle unshown.
        this.updateStatusBar(s);
        break;
      case 'started':
      case 'epoch':
      case 'finished':
      case 'nonFinite':
        // Whole metrics: at the start (empty, so none of a previous run is left pending), each epoch, the end.
        this.broadcast(uri, { type: 'trainingMetrics', history: s.state.history, train: s.state.train });
        if (m.type !== 'started') break;
        this.broadcast(uri, this.stateMessage(s, false));
        break;
      case 'gradients':
        this.broadcast(uri, { type: 'gradients', update: m.update });
        break;
      case 'nodeStats':
        if (s.state.nodeStats) this.broadcast(uri, s.state.nodeStats);
        break;
      case 'stepCosts':
        if (s.state.stepCosts) this.broadcast(uri, s.state.stepCosts);
        break;
      case 'datasetPoints':
        if (s.state.points) this.broadcast(uri, s.state.points);
        break;
      case 'walkthrough':
        if (s.state.walkthrough) this.broadcast(uri, s.state.walkthrough);
        break;
      case 'weights':
        if (s.state.weights) this.broadcast(uri, s.state.weights);
        break;
      case 'boundary': {
        // Probabilities to 3 decimals; a regression's values to 4 significant digits (their range is the model's).
        const round = m.kind === 'regression' ? (v: number) => Number(v.toPrecision(4)) : (v: number) => Math.round(v * 1000) / 1000;
        const msg = { type: 'boundary' as const, step: m.step, grid: m.grid, extent: m.extent, values: Array.from(m.values, round), kind: m.kind };
        this.boundaries.set(uri.toString(), msg);
        this.broadcast(uri, msg);
        break;
      }
      default:
        break;
    }
  }

  private lastStatusBar = 0;
  private updateStatusBar(s: TrainingSession): void {
    const p = s.state.progress;
    // Throttled while running; at rest (paused, stopping) the last step's progress always shows.
    if (!p || (s.state.status === 'running' && Date.now() - this.lastStatusBar < GLANCE_INTERVAL_MS)) return;
    this.lastStatusBar = Date.now();
    this.statusBar.text = `$(pulse) Epoch ${p.epoch + 1}/${p.epochs} · loss ${p.loss.toPrecision(4)}${p.accuracy !== undefined ? ` · acc ${(p.accuracy * 100).toFixed(0)}%` : ''}`;
    this.statusBar.show();
  }

  private async updateContext(): Promise<void> {
    const active = this.activeSessions().length > 0;
    if (!active) this.statusBar.hide();
    await vscode.commands.executeCommand('setContext', TRAINING_ACTIVE_CONTEXT, active);
  }

  private showProgress(doc: vscode.TextDocument, session: TrainingSession): void {
    const name = doc.uri.path.split('/').pop();
    inBackground('Showing the training progress', () =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Training ${name}`, cancellable: true }, async (progress, token) => {
        token.onCancellationRequested(() => this.stop(doc.uri, 'progress notification cancelled'));
        let last = 0;
        let reportedAt = 0;
        const sub = session.onUpdate((m, st) => {
          if (m.type !== 'progress' || !st.progress || (st.status === 'running' && Date.now() - reportedAt < GLANCE_INTERVAL_MS)) return;
          reportedAt = Date.now();
          const p = st.progress;
          const done = ((p.epoch * p.stepsPerEpoch + ((p.step - 1) % p.stepsPerEpoch) + 1) / (p.epochs * p.stepsPerEpoch)) * 100;
          progress.report({ increment: Math.max(0, done - last), message: `epoch ${p.epoch + 1}/${p.epochs}, loss ${p.loss.toPrecision(4)}` });
          last = Math.max(last, done);
        });
        await session.finished;
        sub.dispose();
      }),
    );
  }

  private externalData(doc: vscode.TextDocument, training: unknown): Promise<ExternalData> {
    return readExternalData(doc, training, this.digitsFile);
  }

  /**
   * Store what the data pipeline learned (class names, feature statistics) in training.dataset when the
   * model does not have them yet, so inference and export see data the way training did. An edit through
   * the ModelEditor, in turn with the graph editor's; what the model has by the time it runs is kept.
   */
  private async storeLearned(doc: vscode.TextDocument, learned: LearnedData): Promise<void> {
    if (doc.isClosed) return;
    const outcome = await this.edits.apply(
      doc,
      (current) => {
        const dataset = (analyzeModel(current).model?.training as { dataset?: Record<string, unknown> } | undefined)?.dataset;
        if (!dataset || dataset.source !== 'csv') return { text: current };
        let text = current;
        for (const key of ['classes', 'normalization'] as const) {
          const value = learned[key];
          if (value === undefined || dataset[key] !== undefined) continue;
          const r = applyGraphEdit(text, { kind: 'setTraining', path: ['dataset', key], value: value as TrainingValue });
          if (r.ok) text = r.text;
        }
        return { text };
      },
      { byHost: true },
    );
    if (!outcome.ok && !doc.isClosed) {
      void vscode.window.showWarningMessage(
        `Backprop Studio: what training learned from the CSV file (class names, feature scaling) was not written into ${doc.uri.path.split('/').pop()}: ${outcome.reason}`,
      );
    }
  }

  /**
   * Write the sidecar atomically (temporary file, then rename) where the model names it now (the `weights`
   * key, else NAME.safetensors beside it): never an edit of the document, so undo cannot unlink the model
   * from its trained weights. If the model cannot be read now, or names a file the rule refuses, the weights
   * go where the run started from (`startedFrom`, already checked). Returns the file's name.
   */
  private async saveWeights(doc: vscode.TextDocument, bytes: Uint8Array, startedFrom: { uri: vscode.Uri; name: string }): Promise<string> {
    const model = analyzeModel(doc.getText()).model;
    const now = model ? sidecarFile(doc.uri, model.weights) : undefined;
    if (now && 'error' in now) {
      void vscode.window.showWarningMessage(`Backprop Studio: the trained weights were saved to ${startedFrom.name}, where the run started from: ${now.error}`);
    }
    const target = now && !('error' in now) ? now : startedFrom;
    await writeFileAtomically(target.uri, bytes);
    return target.name;
  }

  dispose(): void {
    for (const s of this.sessions.values()) s.dispose();
    this.statusBar.dispose();
    disposeLog();
  }
}
