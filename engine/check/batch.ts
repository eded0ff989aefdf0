/**
 * One seeded batch of a model's own dataset: what the gradient check (and any other one-batch measurement) runs on
 * when no feed is given. It is the batch the first training step sees: the training split (training.validationSplit,
 * training.seed), shuffled for epoch 0, its first training.batchSize samples.
 */
import { batches, splitDataset, type Dataset } from '../data/dataset';
import { readTrainingSettings, type DatasetJson } from '../data/spec';
import type { GraphModel } from '../graph/model';
import type { Tensor } from '../tensor';

/** `data` is buildDataset(model, spec, …)'s result; returns feeds for the Input and Target the dataset binds. */
export function firstTrainingBatch(model: GraphModel, spec: DatasetJson, data: Dataset): Record<string, Tensor> {
  const settings = readTrainingSettings(model.json.training);
  const { train } = splitDataset(data, settings.validationSplit, settings.seed);
  const first = batches(train, settings.batchSize, settings.seed, 0).next();
  if (first.done) throw new RangeError('the dataset has no training samples');
  // buildDataset has checked the binding: the named nodes, or the model's only Input and Target.
  const feeds = Object.create(null) as Record<string, Tensor>;
  feeds[spec.input ?? model.inputIds[0]] = first.value.inputs;
  feeds[spec.target ?? model.targetIds[0]] = first.value.targets;
  return feeds;
}
