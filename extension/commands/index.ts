import { EXPORT_TYPESCRIPT_COMMAND, exportTypeScript } from './exportTypeScript';
import { NEW_MODEL_COMMAND, newModel } from './newModel';
import { OPEN_AS_TEXT_COMMAND, openAsText } from './openAsText';
import { STOP_TRAINING_COMMAND, stopTraining } from './stopTraining';
import { TRAIN_COMMAND, train } from './train';

/** Every command the manifest contributes, with its handler. Each lives in its own module so it can be replaced. */
export const commandHandlers: Readonly<Record<string, (...args: unknown[]) => unknown>> = {
  [NEW_MODEL_COMMAND]: newModel,
  [TRAIN_COMMAND]: train,
  [STOP_TRAINING_COMMAND]: stopTraining,
  [EXPORT_TYPESCRIPT_COMMAND]: exportTypeScript,
  [OPEN_AS_TEXT_COMMAND]: openAsText,
};
