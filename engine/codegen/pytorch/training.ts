/**
 * The training half of the PyTorch export: `train.py`, its dataset files and `README.md`, written beside
 * model.py, safetensors_io.py and the initial weights (the model half). Pure: model in, file contents out.
 */
import type { ExportPlan } from '../plan';
import { trainingData, type DatasetFiles } from './data';
import { readme } from './readme';
import { TRAIN_FILE, trainScript } from './train';

export interface PyTorchTrainingOptions {
  generator: string;
  /** The key of Model()'s loss in its output dict. */
  lossKey: string;
  /** model.py computes training.dataset.inputFeatures from raw points itself. */
  modelTakesRawPoints: boolean;
  /** The initial weights file model.py loads. */
  initialWeightsFile: string;
  /**
   * The model file's name (e.g. `xor.nn.json`), for the name of the trained weights: the model's `weights` key's file
   * name when it has one, else NAME.safetensors, the name the editor looks for beside NAME.nn.json.
   */
  modelFileName?: string;
  /** Files the dataset needs from disk (digits, the CSV). */
  dataset: DatasetFiles;
}

export interface PyTorchTrainingFile {
  path: string;
  contents: string | Uint8Array;
  role: 'training' | 'data' | 'readme';
}

/** The file name train.py writes the trained weights to: the model's sidecar name, never the initial weights' name. */
export function trainedWeightsName(plan: ExportPlan, modelFileName: string | undefined, initialWeightsFile: string): string {
  const named = typeof plan.model.weights === 'string' && plan.model.weights !== '' ? plan.model.weights.split(/[\\/]/).pop()! : undefined;
  const fromModel = modelFileName ? `${modelFileName.replace(/(?:\.nn)?\.json$/i, '')}.safetensors` : undefined;
  const name = named ?? fromModel ?? 'trained.safetensors';
  return name === initialWeightsFile ? `trained-${name}` : name;
}

export function pytorchTrainingFiles(plan: ExportPlan, o: PyTorchTrainingOptions): PyTorchTrainingFile[] {
  const data = trainingData(plan, o.dataset, true);
  const weightsFile = trainedWeightsName(plan, o.modelFileName, o.initialWeightsFile);
  const untrainable = plan.lossProblem ?? (plan.params.some((p) => !p.buffer) ? null : 'the model has no trainable parameters');
  const trainable = untrainable === null;
  const files: PyTorchTrainingFile[] = [];
  if (trainable) {
    files.push({
      path: TRAIN_FILE,
      contents: trainScript(plan, data, { generator: o.generator, lossKey: o.lossKey, modelTakesRawPoints: o.modelTakesRawPoints, weightsFile }),
      role: 'training',
    });
    for (const f of data.files) files.push({ path: f.path, contents: f.contents, role: 'data' });
  }
  files.push({
    path: 'README.md',
    contents: readme(plan, data, { generator: o.generator, initialWeightsFile: o.initialWeightsFile, weightsFile, trainable, untrainableReason: untrainable }),
    role: 'readme',
  });
  return files;
}
