import { EXPORT_TYPESCRIPT_COMMAND, exportTypeScript } from './exportTypeScript';
import { NEW_MODEL_COMMAND, newModel } from './newModel';
import { OPEN_AS_TEXT_COMMAND, openAsText } from './openAsText';
import { STOP_TRAINING_COMMAND, stopTraining } from './stopTraining';
import { TRAIN_COMMAND, train } from './train';
import type { TrainingManager } from '../training/manager';

/** Every command the manifest contributes, with its handler. Each lives in its own module so it can be replaced. */
export function commandHandlers(training: TrainingManager): Readonly<Record<string, (...args: unknown[]) => unknown>> {
  return {
    [NEW_MODEL_COMMAND]: newModel,
    [TRAIN_COMMAND]: (resource?: unknown) => train(training, resource),
    [STOP_TRAINING_COMMAND]: (resource?: unknown) => stopTraining(training, resource),
    [EXPORT_TYPESCRIPT_COMMAND]: exportTypeScript,
    [OPEN_AS_TEXT_COMMAND]: openAsText,
  };
}
