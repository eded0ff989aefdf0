// Backprop Studio's extension host entry point. Activation is lazy: VS Code activates the extension when
// a *.nn.json opens in the graph editor or one of its commands runs (both implied by `contributes`).
import * as vscode from 'vscode';
import { commandHandlers } from './commands';
import { NodeRevealer } from './commands/revealNode';
import { ModelEditor } from './document/modelEditor';
import { GraphEditorProvider, TRAINING_ACTION_TITLES } from './editor/graphEditorProvider';
import { guarded, inBackground } from './log';
import { TestHooks } from './testHooks';
import { TrainingManager } from './training/manager';
import { GradCheckManager } from './gradcheck/manager';

export function activate(context: vscode.ExtensionContext): void {
  // The one path that writes a model document: the graph editors' edits and training's.
  const edits = new ModelEditor();
  const training = new TrainingManager(edits);
  // Each graph editor's way to reveal a node, for backpropStudio.revealNode (the Problems panel's links).
  const revealer = new NodeRevealer();
  // Check Gradients: float64 finite differences against backprop, in a worker thread.
  const gradChecks = new GradCheckManager();
  // Only while VS Code runs the extension's integration tests (test/vscode/): see testHooks.ts.
  const testHooks = context.extensionMode === vscode.ExtensionMode.Test ? new TestHooks() : undefined;
  if (testHooks) context.subscriptions.push(testHooks);
  context.subscriptions.push(
    edits,
    training,
    gradChecks,
    GraphEditorProvider.register(
      context,
      {
        attachGpuView: (uri, view) => training.attachGpuView(uri, view),
        attachView: (uri, post) => vscode.Disposable.from(training.attachView(uri, post), gradChecks.attachView(uri, post)),
        // Not awaited (a run lasts minutes): a failure is reported as "Backprop Studio: <button> failed: …".
        trainingControl: (doc, action, view) =>
          inBackground(TRAINING_ACTION_TITLES[action], () => {
            if (action === 'start') return training.start(doc, undefined, view);
            if (action === 'pause') return training.pause(doc.uri);
            if (action === 'resume') return training.resume(doc.uri);
            if (action === 'step' || action === 'stepEpoch' || action === 'walk') return training.step(doc, action === 'stepEpoch' ? 'epoch' : action, view);
            if (action === 'stop') return training.stop(doc.uri, 'training panel');
            return training.reset(doc);
          }),
        trainingPace: (doc, stepsPerSecond) => training.pace(doc.uri, stepsPerSecond),
        watchNode: (doc, nodeId) => training.watch(doc, nodeId),
        // Not awaited (seconds on a CNN): the result reaches the editor as gradCheck messages.
        checkGradients: (doc, nodeId) => inBackground('Check Gradients', () => gradChecks.check(doc, nodeId)),
        // Closing the editor ends its run; a hidden tab keeps training.
        isTraining: (uri) => training.session(uri)?.active ?? false,
        lastEditorClosed: (uri) => training.closed(uri),
        attachReveal: (uri, reveal) => revealer.attach(uri, reveal),
        webviewMessageHandler: testHooks?.webviewMessageHandler,
      },
      edits,
    ),
  );
  // A command that fails says so by its title, and logs the stack: never an unhandled rejection.
  for (const [id, { title, handler }] of Object.entries(commandHandlers(training, revealer, gradChecks))) {
    context.subscriptions.push(vscode.commands.registerCommand(id, guarded(title, handler)));
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
