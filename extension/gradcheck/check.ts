/**
 * One gradient check as the editor runs it: the model compiled as Train would start it (its weights file, shape
 * mismatches re-initialised), the first training batch of its dataset, and engine/check/gradcheck.ts. No VS Code
 * import: it runs in the check's worker thread (worker.ts), and in tests as it is.
 */
import { GraphModel, buildDataset, checkGradients, decodeSafetensors, firstTrainingBatch, readDatasetSpec, GradCheckNonFiniteError } from '../../engine';
import type { CheckOutcome, CheckRequest } from './protocol';

const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];

export async function runCheck(req: CheckRequest, onProgress?: (done: number, total: number) => void): Promise<CheckOutcome> {
  let model: GraphModel;
  try {
    model = GraphModel.create(req.modelText, { sidecar: req.sidecar ? decodeSafetensors(req.sidecar).tensors : undefined, onShapeMismatch: 'reinit' });
  } catch (e) {
    return { type: 'failed', message: firstLine(e) };
  }
  const { spec, problems } = readDatasetSpec(model.json.training);
  if (problems.length) return { type: 'failed', message: problems[0] };
  if (!spec)
    return {
      type: 'failed',
      message: "the check runs on a batch of the model's dataset, and this model has none: choose a dataset in the training panel (training.dataset)",
    };
  try {
    const feeds = firstTrainingBatch(model, spec, buildDataset(model, spec, req.external));
    const result = await checkGradients(model, feeds, { nodeId: req.nodeId, samples: req.samples, eps: req.eps, onProgress });
    return { type: 'result', result };
  } catch (e) {
    return { type: 'failed', message: firstLine(e), ...(e instanceof GradCheckNonFiniteError ? { nonFinite: true } : {}) };
  }
}
