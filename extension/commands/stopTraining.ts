import * as vscode from 'vscode';
import type { TrainingManager } from '../training/manager';
import { activeGraphEditorUri } from './openAsText';

export const STOP_TRAINING_COMMAND = 'backpropStudio.stopTraining';

/** Stop the run of the given (or active) model; with none given and one run active, that run. */
export async function stopTraining(training: TrainingManager, resource?: unknown): Promise<void> {
  const active = training.activeSessions();
  const uri = resource instanceof vscode.Uri ? resource : (activeGraphEditorUri() ?? (active.length === 1 ? active[0] : undefined));
  if (!uri || !training.session(uri)?.active) {
    void vscode.window.showInformationMessage('Backprop Studio: no training run to stop.');
    return;
  }
  training.stop(uri, 'Stop Training command');
}
