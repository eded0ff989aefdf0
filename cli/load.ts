/** Reading a model, its sidecar weights and a feed from disk into the engine (which only sees bytes). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { GraphModel, GraphValidationError, Tensor, analyzeModel, decodeSafetensors, type GraphModel as Model } from '../engine';

/** A bad model or feed: exit 1 with this one line. */
export class InputError extends Error {}

function readBytes(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function loadModel(modelPath: string): Model {
  const bytes = readBytes(modelPath, 'model');
  const analysis = analyzeModel(bytes);
  if (analysis.errors.length) throw new InputError(`${modelPath}: ${analysis.errors[0].message}${analysis.errors.length > 1 ? ` (and ${analysis.errors.length - 1} more problem${analysis.errors.length > 2 ? 's' : ''})` : ''}`);
  let sidecar;
  const weights = analysis.model!.weights;
  if (weights) {
    const p = resolve(dirname(modelPath), weights);
    // The sidecar is created on the first save; until then parameters start from the seed.
    if (existsSync(p)) {
      try {
        sidecar = decodeSafetensors(readBytes(p, 'weights file')).tensors;
      } catch (e) {
        throw new InputError(`${p}: ${(e as Error).message}`);
      }
    }
  }
  try {
    return GraphModel.create(analysis, { sidecar });
  } catch (e) {
    if (e instanceof GraphValidationError) throw new InputError(`${modelPath}: ${e.errors[0].message}`);
    throw e;
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** FEED.json: { "<Input or Target id>": { "shape": [...], "data": [...] } }, checked against the model. */
export function loadFeed(feedPath: string, model: Model): Record<string, Tensor> {
  const text = new TextDecoder().decode(readBytes(feedPath, 'feed'));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${feedPath}: not valid JSON: ${(e as Error).message}`);
  }
  if (!isObj(json)) throw new InputError(`${feedPath}: the feed must be an object mapping Input/Target ids to tensors`);
  const sources = new Set([...model.inputIds, ...model.targetIds]);
  const feeds: Record<string, Tensor> = {};
  for (const [key, t] of Object.entries(json)) {
    if (!sources.has(key)) throw new InputError(`${feedPath}: feed key "${key}" names no Input or Target node of the model (${[...sources].join(', ')})`);
    const dtype = model.nodes.get(key)!.type!.dtype;
    if (!isObj(t) || !Array.isArray(t.shape) || !Array.isArray(t.data)) throw new InputError(`${feedPath}: feed "${key}" must be { "shape": [...], "data": [...] }`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0) || t.shape.length > 9) throw new InputError(`${feedPath}: feed "${key}" has a bad shape ${JSON.stringify(t.shape)}`);
    const size = (t.shape as number[]).reduce((a, b) => a * b, 1);
    if (t.data.length !== size) throw new InputError(`${feedPath}: feed "${key}" has ${t.data.length} values but shape [${t.shape.join(', ')}] needs ${size}`);
    const bad = t.data.findIndex((v) => typeof v !== 'number' || (dtype === 'int32' && !Number.isInteger(v)));
    if (bad >= 0) throw new InputError(`${feedPath}: feed "${key}".data[${bad}] must be ${dtype === 'int32' ? 'an integer (int32 indices)' : 'a number'}, found ${JSON.stringify(t.data[bad])}`);
    feeds[key] = Tensor.fromData(t.data as number[], t.shape as number[], dtype);
  }
  return feeds;
}
