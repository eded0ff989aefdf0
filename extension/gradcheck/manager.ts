/**
 * Check Gradients from the editor (the palette command, the Inspector's button): reads what the model needs (the
 * weights file, the dataset's files), runs the check in a worker thread with a cancellable progress notification,
 * and shows the result three ways: the table in the Output panel ("Backprop Studio"), a one-line summary as a
 * notification, and a `gradCheck` message to every graph editor on the document (the Inspector's result panel).
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { analyzeModel, formatGradCheckReport, type GradCheckResult } from '../../engine';
import type { GradCheckMessage, GradCheckView, HostMessage } from '../../protocol/messages';
import { MAX_GRADCHECK_TENSORS } from '../../protocol/messages';
import { readExternalData } from '../document/datasetFiles';
import { readIfExists, sidecarFile } from '../document/modelFiles';
import { inBackground, log, messageOf } from '../log';
import { CheckRunner } from './runner';
import type { CheckOutcome } from './protocol';

type Post = (m: HostMessage) => void;

/** The result as the webview shows it: per tensor (no entries) and the cost. */
export function gradCheckView(r: GradCheckResult): GradCheckView {
  return {
    loss: r.loss,
    eps: r.eps,
    samples: r.samples,
    tolerance: { ...r.tolerance },
    tensors: r.tensors.slice(0, MAX_GRADCHECK_TENSORS).map((t) => ({
      name: t.name,
      kind: t.kind,
      nodeId: t.nodeId,
      shape: [...t.shape],
      checked: t.checked,
      maxAbsError: t.maxAbsError,
      relError: t.relError,
      kinks: t.kinks,
      status: t.status,
      belowResolution: t.belowResolution,
    })),
    passed: r.passed,
    failed: r.failed,
    checked: r.checked,
    kinks: r.kinks,
    backwardMs: r.backprop.backwardMs,
    gradients: r.backprop.gradients,
    forwardPasses: r.numeric.forwardPasses,
    numericMs: r.numeric.ms,
    timeRatio: r.numeric.timeRatio,
    allForwardPasses: r.numeric.allValues.forwardPasses,
    allMsEstimate: r.numeric.allValues.msEstimate,
  };
}

/** The notification's one line. */
export function gradCheckSummary(r: GradCheckResult, scope: string): string {
  const verdict = r.failed
    ? `${r.failed} of ${r.tensors.length} tensors FAIL (${r.tensors
        .filter((t) => t.status === 'fail')
        .map((t) => t.name)
        .join(', ')})`
    : `all ${r.tensors.length} tensors pass${r.kinks ? ` (${r.kinks} entries at a kink)` : ''}`;
  return `Check Gradients on ${scope}: ${verdict}. Backprop: 1 backward pass (${r.backprop.backwardMs.toFixed(1)} ms) for all ${r.backprop.gradients} gradient values; finite differences: ${r.numeric.forwardPasses} forward passes for ${r.checked} of them, ${r.numeric.timeRatio.toFixed(0)}× the time.`;
}

export class GradCheckManager implements vscode.Disposable {
  private readonly views = new Map<string, Set<Post>>();
  private readonly runs = new Map<string, CheckRunner>();
  /** The last state per document, for an editor that opens (or reloads) after it was sent. */
  private readonly last = new Map<string, GradCheckMessage>();

  constructor(
    private readonly workerScript = join(__dirname, 'gradcheckWorker.js'),
    private readonly digitsFile = join(__dirname, 'digits.bin'),
  ) {}

  attachView(uri: vscode.Uri, post: Post): vscode.Disposable {
    const key = uri.toString();
    const set = this.views.get(key) ?? new Set<Post>();
    this.views.set(key, set);
    set.add(post);
    const last = this.last.get(key);
    if (last) post(last);
    return new vscode.Disposable(() => set.delete(post));
  }

  private broadcast(uri: vscode.Uri, m: GradCheckMessage): void {
    this.last.set(uri.toString(), m);
    for (const post of this.views.get(uri.toString()) ?? []) post(m);
  }

  /**
   * Check the gradients of the model in `doc` (only `nodeId`'s tensors when given) on its dataset's first training
   * batch. Resolves to the result, or undefined when there is none (refused, failed or cancelled: said to the user).
   */
  async check(doc: vscode.TextDocument, nodeId?: string): Promise<GradCheckResult | undefined> {
    const key = doc.uri.toString();
    const name = doc.uri.path.split('/').pop() ?? 'model';
    const scope = nodeId === undefined ? name : `node "${nodeId}" of ${name}`;
    const refuse = (message: string) => {
      void vscode.window.showErrorMessage(`Backprop Studio: cannot check gradients: ${message}`);
      this.broadcast(doc.uri, { type: 'gradCheck', status: 'failed', ...(nodeId !== undefined ? { nodeId } : {}), message });
      return undefined;
    };
    if (this.runs.has(key)) {
      void vscode.window.showInformationMessage(`Backprop Studio: the gradients of ${name} are being checked already.`);
      return undefined;
    }
    const text = doc.getText();
    const analysis = analyzeModel(text);
    if (analysis.errors.length) return refuse(analysis.errors[0].message);
    const training = analysis.model!.training as { dataset?: unknown } | undefined;
    if (!training?.dataset) return refuse(`${name} has no dataset to take a batch from: choose one in the training panel (training.dataset)`);
    let sidecar: Uint8Array | null;
    let external;
    try {
      const side = sidecarFile(doc.uri, analysis.model!.weights);
      if ('error' in side) throw new Error(side.error);
      try {
        sidecar = await readIfExists(side.uri);
      } catch (e) {
        throw new Error(`the weights file ${side.name} cannot be read (${messageOf(e)})`);
      }
      external = await readExternalData(doc, training, this.digitsFile);
    } catch (e) {
      return refuse(messageOf(e));
    }

    const tag = nodeId !== undefined ? { nodeId } : {};
    this.broadcast(doc.uri, { type: 'gradCheck', status: 'running', ...tag });
    let progress: vscode.Progress<{ message?: string; increment?: number }> | undefined;
    let shown = 0;
    const runner = new CheckRunner(this.workerScript, { modelText: text, sidecar, external, ...tag }, (done, total) => {
      this.broadcast(doc.uri, { type: 'gradCheck', status: 'running', ...tag, progress: { done, total } });
      const pct = (done / total) * 100;
      progress?.report({ increment: pct - shown, message: `${done} of ${total} entries` });
      shown = pct;
    });
    this.runs.set(key, runner);
    const started = Date.now();
    log().info(`gradient check of ${scope}: started`);
    inBackground("Showing the gradient check's progress", () =>
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Checking the gradients of ${scope}`, cancellable: true },
        async (p, token) => {
          progress = p;
          token.onCancellationRequested(() => runner.cancel());
          await runner.outcome;
        },
      ),
    );
    let outcome: CheckOutcome;
    try {
      outcome = await runner.outcome;
    } finally {
      this.runs.delete(key);
    }
    if (outcome.type === 'failed') {
      log().info(`gradient check of ${scope}: ${outcome.message} after ${Date.now() - started} ms`);
      if (outcome.message === 'cancelled') {
        this.broadcast(doc.uri, { type: 'gradCheck', status: 'failed', ...tag, message: 'The check was cancelled.' });
        return undefined;
      }
      const message = outcome.nonFinite ? `nothing to compare: ${outcome.message}` : outcome.message;
      return refuse(message);
    }
    const r = outcome.result;
    log().info(`gradient check of ${scope}, ${Date.now() - started} ms:\n${formatGradCheckReport(r, scope)}`);
    this.broadcast(doc.uri, { type: 'gradCheck', status: 'done', ...tag, result: gradCheckView(r) });
    const summary = `Backprop Studio: ${gradCheckSummary(r, scope)}`;
    void (r.passed ? vscode.window.showInformationMessage(summary) : vscode.window.showWarningMessage(summary));
    return r;
  }

  dispose(): void {
    for (const r of this.runs.values()) r.cancel();
    this.runs.clear();
  }
}
