/** Without --feed: one seeded batch of the model's own dataset (engine/check/batch.ts), read from disk here. */
import { readDatasetSpec, firstTrainingBatch, type GraphModel, type Tensor } from '../engine';
import { InputError } from './load';
import { modelDataset } from './trainDataset';

/** `command` names the command in the message for a model without a dataset (profile, gradcheck). */
export function datasetBatch(modelPath: string, model: GraphModel, command: string): Record<string, Tensor> {
  const { spec, problems } = readDatasetSpec(model.json.training);
  if (problems.length) throw new InputError(`${modelPath}: ${problems[0]}`);
  if (!spec)
    throw new InputError(
      `${modelPath}: the model has no training.dataset for ${command} to take a batch from; pass --feed FEED.json, or add a dataset (docs/training.md)`,
    );
  return firstTrainingBatch(model, spec, modelDataset(modelPath, model, spec));
}
