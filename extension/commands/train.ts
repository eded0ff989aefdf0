import { comingLater } from './comingLater';

export const TRAIN_COMMAND = 'backpropStudio.train';

/** Placeholder: training in a worker thread comes in a later version. */
export function train(): Promise<void> {
  return comingLater('Train');
}
