/**
 * Export to TypeScript (docs/export.md): a model file becomes code a developer drops into a project.
 *
 * - `engine`: a module that builds the model with the engine's public API (createModel, forward, loss,
 *   train), beside the engine runtime it imports (one bundled ES module and its type declarations), or
 *   importing an installed engine package.
 * - `standalone`: a dependency-free module for inference, predict(inputs, batch), over Float32Arrays.
 * - `pytorch`: a folder with model.py (class Model(nn.Module)), its initial weights and a safetensors reader/writer,
 *   train.py (the model's training, alone or under torchrun), its dataset and README.md.
 *
 * Pure: model in, file contents out (strings and bytes), no I/O. Deterministic: the same model and
 * options give the same text. An invalid graph throws GraphValidationError with the analyzer's errors.
 */
import type { GraphAnalysis } from '../graph/analyze';
import type { ModelJson } from '../graph/types';
import { encodeSafetensors, type TensorRecord } from '../io/safetensors';
import { engineModule } from './engineTarget';
import { planExport, resolveState, stateBytes } from './plan';
import { standaloneKeys, standaloneModule, standaloneProblem } from './standalone';
import { pytorchFiles, LOSS_KEY, WEIGHTS_FILE as PYTORCH_INITIAL_WEIGHTS } from './pytorch';
import { pytorchTrainingFiles } from './pytorch/training';
import type { DatasetFiles } from './pytorch/data';

export type ExportTarget = 'engine' | 'standalone' | 'pytorch';

export interface ExportOptions {
  target: ExportTarget;
  /** The model's sidecar weights (its `weights` file, decoded), or null when it has none (yet). */
  weights: Record<string, TensorRecord> | null;
  /** Embed the weights in the module (base64) rather than writing them to a file beside it. */
  embedWeights: boolean;
  /** Engine target: import the engine from this module (an installed package) instead of writing the runtime beside the module. */
  engineImport?: string;
  /** Recorded in the header, e.g. 'Backprop Studio 0.1.0 (backprop-studio export)'. */
  generator: string;
  /** The module's file name (default 'model.ts'); the files written beside it are named after it. Not for pytorch (a folder). */
  fileName?: string;
  /** pytorch: the model file's name (e.g. `xor.nn.json`), which names the weights train.py writes (NAME.safetensors). */
  modelFileName?: string;
  /** pytorch: what the model's dataset needs from disk (the digits file, the CSV file), for train.py's data. */
  dataset?: DatasetFiles;
  /**
   * Engine target without engineImport: the runtime to write beside the module, i.e. the contents of
   * dist/engine.mjs and dist/engine.d.mts (see readEngineRuntime in cli/export.ts).
   */
  runtime?: EngineRuntime;
}

export interface EngineRuntime {
  module: string;
  declarations: string;
}

export interface ExportedFile {
  /** Relative to the directory the module is written to. */
  path: string;
  contents: string | Uint8Array;
  role: 'module' | 'runtime' | 'declarations' | 'weights' | 'training' | 'data' | 'readme';
}

export interface ExportResult {
  /** The module first, then what is written beside it. */
  files: ExportedFile[];
}

/** The graph is valid but cannot be exported for this target (e.g. a standalone output needs a Target). */
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

/** File names of the engine runtime written beside an engine-target module. */
export const RUNTIME_MODULE = 'backprop-engine.mjs';
export const RUNTIME_DECLARATIONS = 'backprop-engine.d.mts';

/** Weights up to this size are embedded by default (the command line's --embed-weights default). */
export const EMBED_LIMIT_BYTES = 256 * 1024;

/** Whether to embed by default: when the parameters and buffers take at most EMBED_LIMIT_BYTES. */
export function defaultEmbedWeights(input: string | Uint8Array | ModelJson | GraphAnalysis): boolean {
  return stateBytes(planExport(input)) <= EMBED_LIMIT_BYTES;
}

/** The base name of the module's file, which names the weights file beside it. */
function baseName(fileName: string): string {
  return fileName.replace(/\.(d\.)?[cm]?tsx?$/, '');
}

export function exportModel(input: string | Uint8Array | ModelJson | GraphAnalysis, options: ExportOptions): ExportResult {
  const plan = planExport(input);
  const fileName = options.fileName ?? 'model.ts';
  const weightsFile = `${baseName(fileName)}.weights.safetensors`;
  const files: ExportedFile[] = [];

  if (options.target === 'pytorch') {
    const training = pytorchTrainingFiles(plan, {
      generator: options.generator,
      lossKey: LOSS_KEY,
      modelTakesRawPoints: false,
      initialWeightsFile: PYTORCH_INITIAL_WEIGHTS,
      modelFileName: options.modelFileName,
      dataset: options.dataset ?? {},
    });
    return { files: [...pytorchFiles(plan, options.weights, options.generator), ...training] };
  }

  if (options.target === 'standalone') {
    const problem = standaloneProblem(plan);
    if (problem) throw new ExportError(problem);
    const keys = standaloneKeys(plan);
    const state = resolveState(plan, options.weights, keys);
    const hasWeights = keys.size > 0;
    const embed = options.embedWeights && hasWeights;
    const text = standaloneModule(plan, {
      generator: options.generator,
      embedded: embed ? state : null,
      weightsFile: hasWeights && !embed ? weightsFile : null,
    });
    files.push({ path: fileName, contents: text, role: 'module' });
    if (hasWeights && !embed) files.push({ path: weightsFile, contents: encodeSafetensors(state), role: 'weights' });
    return { files };
  }

  if (options.target !== 'engine') throw new ExportError(`unknown export target ${JSON.stringify(options.target)} (expected engine, standalone or pytorch)`);
  const beside = options.engineImport === undefined;
  if (beside && !options.runtime) throw new Error('exportModel: the engine target needs the engine runtime (options.runtime) or an engineImport');
  // Resolve the values even when nothing is embedded: a misshapen sidecar tensor is refused as the engine refuses it.
  const state = resolveState(plan, options.weights);
  const hasParams = plan.params.length > 0;
  const embed = options.embedWeights && hasParams;
  const trained = options.weights !== null || Object.keys(plan.model.params ?? {}).length > 0;
  const writeWeights = hasParams && !embed && trained;
  const text = engineModule(plan, {
    generator: options.generator,
    engineImport: beside ? `./${RUNTIME_MODULE}` : options.engineImport!,
    runtimeBeside: beside,
    embedded: embed ? state : null,
    weightsFile: writeWeights ? weightsFile : null,
  });
  files.push({ path: fileName, contents: text, role: 'module' });
  if (beside) {
    const rt = options.runtime!;
    files.push({ path: RUNTIME_MODULE, contents: rt.module.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n'), role: 'runtime' });
    files.push({ path: RUNTIME_DECLARATIONS, contents: rt.declarations, role: 'declarations' });
  }
  if (writeWeights) files.push({ path: weightsFile, contents: encodeSafetensors(state), role: 'weights' });
  return { files };
}

export { planExport } from './plan';
