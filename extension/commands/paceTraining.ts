import * as vscode from 'vscode';
import type { TrainingManager } from '../training/manager';
import { targetModel } from './modelDocument';

export const PAUSE_TRAINING_COMMAND = 'backpropStudio.pauseTraining';
export const RESUME_TRAINING_COMMAND = 'backpropStudio.resumeTraining';
export const STEP_TRAINING_COMMAND = 'backpropStudio.stepTraining';
export const STEP_EPOCH_COMMAND = 'backpropStudio.stepTrainingEpoch';
export const WALK_THROUGH_STEP_COMMAND = 'backpropStudio.walkThroughStep';

/** Pause the model's run after its current step (the model: menu URI, active graph editor or *.nn.json editor). */
export async function pauseTraining(training: TrainingManager, resource?: unknown): Promise<void> {
  const doc = await targetModel(resource);
  if (!doc) return;
  if (training.session(doc.uri)?.state.status !== 'running') return void vscode.window.showInformationMessage('Backprop Studio: this model is not training.');
  training.pause(doc.uri);
}

/** Resume a paused run, where it paused (optimizer state kept). */
export async function resumeTraining(training: TrainingManager, resource?: unknown): Promise<void> {
  const doc = await targetModel(resource);
  if (!doc) return;
  if (training.session(doc.uri)?.state.status !== 'paused')
    return void vscode.window.showInformationMessage("Backprop Studio: this model's training is not paused.");
  training.resume(doc.uri);
}

/**
 * One optimizer step (or the rest of the epoch; or, with 'walk', one step traced for the walk-through), then paused;
 * starts a paused run when none is going.
 */
export async function stepTraining(training: TrainingManager, unit: 'step' | 'epoch' | 'walk', resource?: unknown): Promise<void> {
  const doc = await targetModel(resource);
  if (doc) training.step(doc, unit);
}
