import type { TrainingManager } from '../training/manager';
import { targetModel } from './modelDocument';

export const TRAIN_COMMAND = 'backpropStudio.train';

/** Train the model (menu URI, active graph editor, or active *.nn.json text editor) on its dataset. */
export async function train(training: TrainingManager, resource?: unknown) {
  const doc = await targetModel(resource);
  return doc ? training.start(doc) : undefined;
}
