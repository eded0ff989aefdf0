/** Without --feed: one seeded batch of the model's own dataset (engine/check/batch.ts), read from disk here. */
import { buildDataset, readDatasetSpec, firstTrainingBatch, DatasetError, CsvError, type GraphModel, type Tensor } from '../engine';
import { InputError } from './load';
import { external } from './trainDataset';

export function datasetBatch(modelPath: string, model: GraphModel, command: string): Record<string, Tensor> {
  const { spec, problems } = readDatasetSpec(model.json.training);
  if (problems.length) throw new InputError(`${modelPath}: ${problems[0]}`);
  if (!spec) throw new InputError(`${modelPath}: the model has no training.dataset for ${command} to take a batch from; pass --feed FEED.json, or add a dataset (docs/training.md)`);
  try {
    return firstTrainingBatch(model, spec, buildDataset(model, spec, external(modelPath, spec.source, spec.path)));
  } catch (e) {
    if (e instanceof DatasetError || e instanceof CsvError) throw new InputError(`${modelPath}: ${(e as Error).message}`);
    throw e;
  }
}
