import { CHECK_GRADIENTS_COMMAND, checkGradients } from './checkGradients';
import { EXPORT_PYTORCH_COMMAND, exportPyTorch } from './exportPyTorch';
import { EXPORT_ONNX_COMMAND, exportOnnxCommand } from './exportOnnx';
import { EXPORT_TYPESCRIPT_COMMAND, exportTypeScript } from './exportTypeScript';
import { NEW_MODEL_COMMAND, newModel } from './newModel';
import { OPEN_AS_TEXT_COMMAND, openAsText } from './openAsText';
import {
  PAUSE_TRAINING_COMMAND,
  RESUME_TRAINING_COMMAND,
  STEP_EPOCH_COMMAND,
  STEP_TRAINING_COMMAND,
  WALK_THROUGH_STEP_COMMAND,
  pauseTraining,
  resumeTraining,
  stepTraining,
} from './paceTraining';
import { REVEAL_NODE_COMMAND } from './revealNodeLink';
import { revealNode, type NodeRevealer } from './revealNode';
import { STOP_TRAINING_COMMAND, stopTraining } from './stopTraining';
import { TRAIN_COMMAND, train } from './train';
import type { TrainingManager } from '../training/manager';
import type { GradCheckManager } from '../gradcheck/manager';

export interface CommandEntry {
  /** The command's title in package.json: what a failure names ("Backprop Studio: Train failed: …"). */
  title: string;
  handler: (...args: unknown[]) => unknown;
}

/** Every command the manifest contributes, with its title and handler. Each lives in its own module so it can be replaced. */
export function commandHandlers(training: TrainingManager, revealer: NodeRevealer, gradChecks: GradCheckManager): Readonly<Record<string, CommandEntry>> {
  return {
    [NEW_MODEL_COMMAND]: { title: 'New Model', handler: newModel },
    [TRAIN_COMMAND]: { title: 'Train', handler: (resource?: unknown) => train(training, resource) },
    [STOP_TRAINING_COMMAND]: { title: 'Stop Training', handler: (resource?: unknown) => stopTraining(training, resource) },
    [PAUSE_TRAINING_COMMAND]: { title: 'Pause Training', handler: (resource?: unknown) => pauseTraining(training, resource) },
    [RESUME_TRAINING_COMMAND]: { title: 'Resume Training', handler: (resource?: unknown) => resumeTraining(training, resource) },
    [STEP_TRAINING_COMMAND]: { title: 'Step Training', handler: (resource?: unknown) => stepTraining(training, 'step', resource) },
    [STEP_EPOCH_COMMAND]: { title: 'Step Training One Epoch', handler: (resource?: unknown) => stepTraining(training, 'epoch', resource) },
    [WALK_THROUGH_STEP_COMMAND]: { title: 'Walk Through Step', handler: (resource?: unknown) => stepTraining(training, 'walk', resource) },
    [EXPORT_TYPESCRIPT_COMMAND]: { title: 'Export to TypeScript', handler: exportTypeScript },
    [EXPORT_PYTORCH_COMMAND]: { title: 'Export to PyTorch', handler: (resource?: unknown) => exportPyTorch(resource) },
    [EXPORT_ONNX_COMMAND]: { title: 'Export to ONNX', handler: exportOnnxCommand },
    [CHECK_GRADIENTS_COMMAND]: { title: 'Check Gradients', handler: (resource?: unknown, nodeId?: unknown) => checkGradients(gradChecks, resource, nodeId) },
    [OPEN_AS_TEXT_COMMAND]: { title: 'Open as Text', handler: openAsText },
    [REVEAL_NODE_COMMAND]: { title: 'Show Node in Graph Editor', handler: (resource?: unknown, nodeId?: unknown) => revealNode(revealer, resource, nodeId) },
  };
}
