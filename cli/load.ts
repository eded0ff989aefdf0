/** Reading a model, its sidecar weights and a feed from disk into the engine (which only sees bytes). */
import { readlinkSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  GraphModel,
  GraphValidationError,
  Tensor,
  analyzeModel,
  boundInputId,
  computeFeatures,
  decodeSafetensors,
  readInputFeatures,
  INPUT_FEATURES_KEY,
  type GraphAnalysis,
  type GraphModel as Model,
  type ModelJson,
  type StoredTensor,
} from '../engine';
import { defaultSidecarName, resolveContainedPath, SIDECAR_FILE, type Links } from '../common/containment';
import { InputError, readInput } from './files';

export { InputError };

/** Node's file system links, for the containment rule's real-path check. */
export const NODE_LINKS: Links = { realpath: (p) => realpathSync(p), readlink: (p) => readlinkSync(p) };

const firstProblem = (analysis: GraphAnalysis) =>
  `${analysis.errors[0].message}${analysis.errors.length > 1 ? ` (and ${analysis.errors.length - 1} more problem${analysis.errors.length > 2 ? 's' : ''})` : ''}`;

/**
 * Where the model's weights live: its `weights` value, or NAME.safetensors when it has none, resolved by
 * the containment rule with the model's own folder tree as the root (links resolved).
 */
export function sidecarPath(modelPath: string, json: Pick<ModelJson, 'weights'>): string {
  // The rule works on absolute paths: a model named relative to the working directory is resolved first.
  const model = resolve(modelPath);
  const r = resolveContainedPath(model, json.weights || defaultSidecarName(modelPath), dirname(model), SIDECAR_FILE, NODE_LINKS);
  if ('error' in r) throw new InputError(`${modelPath}: ${r.error}`);
  return r.path;
}

/** The sidecar's tensors; null when there is none yet (it is created by the first training run). */
export function readSidecar(modelPath: string, json: Pick<ModelJson, 'weights'>): Record<string, StoredTensor> | null {
  const p = sidecarPath(modelPath, json);
  let bytes: Uint8Array;
  try {
    bytes = readInput(p, 'weights');
  } catch (e) {
    if (/: ENOENT$/.test((e as Error).message)) return null;
    throw e;
  }
  try {
    return decodeSafetensors(bytes).tensors;
  } catch (e) {
    throw new InputError(`${p}: ${(e as Error).message}`);
  }
}

/** The model file analysed; a model with errors is refused naming the first. */
export function readModelAnalysis(modelPath: string): GraphAnalysis {
  const analysis = analyzeModel(readInput(modelPath, 'model'));
  if (analysis.errors.length) throw new InputError(`${modelPath}: ${firstProblem(analysis)}`);
  return analysis;
}

export function loadModel(modelPath: string): Model {
  const analysis = readModelAnalysis(modelPath);
  const sidecar = readSidecar(modelPath, analysis.model!) ?? undefined;
  try {
    return GraphModel.create(analysis, { sidecar });
  } catch (e) {
    if (e instanceof GraphValidationError) throw new InputError(`${modelPath}: ${e.errors[0].message}`);
    throw e;
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Why one feed value is refused, or undefined. */
function badValue(v: unknown, dtype: string): string | undefined {
  if (typeof v !== 'number') return 'a number';
  if (dtype !== 'int32') return undefined;
  if (!Number.isInteger(v)) return 'an integer (int32 indices)';
  if (v < INT32_MIN || v > INT32_MAX) return `an int32 integer (from ${INT32_MIN} to ${INT32_MAX})`;
  return undefined;
}

/**
 * FEED.json: { "<Input or Target id>": { "shape": [...], "data": [...] } }, checked against the model:
 * every key names a source node, every tensor fits it, and (`needTargets`: for the commands that compute
 * a loss) every Input and Target the command needs is there. Ids index a null-prototype object, so a node
 * may be called `__proto__` or `constructor`.
 */
export function loadFeed(feedPath: string, model: Model, needTargets: boolean): Record<string, Tensor> {
  const shown = feedPath === '-' ? 'standard input' : feedPath;
  const text = new TextDecoder().decode(readInput(feedPath, 'feed'));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${shown}: not valid JSON: ${(e as Error).message}`);
  }
  if (!isObj(json)) throw new InputError(`${shown}: the feed must be an object mapping Input/Target ids to tensors`);
  const sources = new Set([...model.inputIds, ...model.targetIds]);
  const featured = featuredInput(model);
  const feeds = Object.create(null) as Record<string, Tensor>;
  for (const [key, t] of Object.entries(json)) {
    if (!sources.has(key))
      throw new InputError(`${shown}: feed key ${JSON.stringify(key.slice(0, 60))} names no Input or Target node of the model (${[...sources].join(', ')})`);
    const dtype = model.nodes.get(key)!.type!.dtype;
    if (!isObj(t) || !Array.isArray(t.shape) || !Array.isArray(t.data))
      throw new InputError(`${shown}: feed "${key}" must be { "shape": [...], "data": [...] }`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0) || t.shape.length > 9)
      throw new InputError(`${shown}: feed "${key}" has a bad shape ${JSON.stringify(t.shape).slice(0, 80)}`);
    const size = (t.shape as number[]).reduce((a, b) => a * b, 1);
    if (t.data.length !== size) throw new InputError(`${shown}: feed "${key}" has ${t.data.length} values but shape [${t.shape.join(', ')}] needs ${size}`);
    for (let i = 0; i < t.data.length; i++) {
      const want = badValue(t.data[i], dtype);
      if (want) throw new InputError(`${shown}: feed "${key}".data[${i}] must be ${want}, found ${JSON.stringify(t.data[i])?.slice(0, 40)}`);
    }
    feeds[key] =
      key === featured?.id
        ? featureTensor(shown, key, t.shape as number[], t.data as number[], featured.features)
        : Tensor.fromData(t.data as number[], t.shape as number[], dtype);
  }
  // The same check the engine's forward makes, first, for every command.
  const problems = model.checkFeeds(feeds, needTargets);
  if (problems.length)
    throw new InputError(`${shown}: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''}`);
  return feeds;
}

/** The Input that takes computed features (training.dataset.inputFeatures) and which, or undefined. */
function featuredInput(model: Model): { id: string; features: string[] } | undefined {
  const features = readInputFeatures(model.json.training);
  const id = features ? boundInputId(model.json.training, model.inputIds) : undefined;
  return features && id !== undefined ? { id, features } : undefined;
}

/**
 * A feed of raw points [N, 2] for an Input with input features: the features, [N, k], computed as the
 * dataset computes them (engine/data/features.ts), from the float32 values the feed holds.
 */
function featureTensor(shown: string, key: string, shape: number[], data: number[], features: string[]): Tensor {
  if (shape.length !== 2 || shape[1] !== 2) {
    throw new InputError(
      `${shown}: feed "${key}" must hold raw points x1, x2, shape [N, 2], found [${shape.join(', ')}]: the model computes its ${features.length} input features (${features.join(', ')}) from them (${INPUT_FEATURES_KEY})`,
    );
  }
  const raw = Float32Array.from(data);
  return Tensor.fromData(computeFeatures(raw, shape[0], features), [shape[0], features.length]);
}
