import { comingLater } from './comingLater';

export const STOP_TRAINING_COMMAND = 'backpropStudio.stopTraining';

/** Placeholder: stops the training run started by Train, once that exists. */
export function stopTraining(): Promise<void> {
  return comingLater('Stop Training');
}
