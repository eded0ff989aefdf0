/**
 * Models for the PyTorch export tests: every example, every template, random valid graphs, a model using every op
 * in its less common settings, and one whose ids are awkward in Python.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GraphModel, analyzeModel, decodeSafetensors, type ModelJson, type TensorRecords } from '../../engine';
import { templates } from '../../extension/templates';
import { randomFeeds, randomModel, type Feeds } from '../engine/randomGraph';

export const ROOT = join(__dirname, '..', '..');

export interface Case {
  name: string;
  model: ModelJson;
  feeds: Feeds;
  /** Sidecar weights the export (and the engine) start from. */
  sidecar: TensorRecords | null;
}

/** Less common settings of every op: padding, strides, no affine, no bias, keepDim, tanh GELU, BCE. */
export const COVERAGE_MODEL: ModelJson = {
  format: 'nn-graph',
  version: 1,
  name: 'coverage "quoted" \\ back\nslash',
  nodes: [
    { id: 'img', op: 'Input', attrs: { shape: [2, 5, 6] } },
    { id: 'conv', op: 'Conv2d', attrs: { outChannels: 3, kernelSize: [3, 2], stride: [1, 2], padding: [1, 0], bias: false } },
    { id: 'mp', op: 'MaxPool2d', attrs: { kernelSize: 2, stride: 1, padding: 1 } },
    { id: 'ap', op: 'AvgPool2d', attrs: { kernelSize: [3, 2], padding: [1, 1] } },
    { id: 'flat', op: 'Flatten' },
    { id: 'fc', op: 'Linear', attrs: { outFeatures: 4 } },
    { id: 'bn', op: 'BatchNorm1d', attrs: { affine: false, momentum: 0.3, eps: 0.001 } },
    { id: 'g1', op: 'GELU', attrs: { approximate: 'tanh' } },
    { id: 'g2', op: 'GELU' },
    { id: 'ln', op: 'LayerNorm', attrs: { affine: false } },
    { id: 'idx', op: 'Input', attrs: { shape: [2, 3], dtype: 'int32' } },
    { id: 'idxr', op: 'Reshape', attrs: { shape: [-1] } },
    { id: 'emb', op: 'Embedding', attrs: { numEmbeddings: 5, embeddingDim: 4 } },
    { id: 'embm', op: 'Mean', attrs: { dim: [1] } },
    { id: 'cat', op: 'Concat', attrs: { dim: 1 } },
    { id: 'sm', op: 'Softmax', attrs: { dim: 1 } },
    { id: 'lsm', op: 'LogSoftmax' },
    { id: 'lrelu', op: 'LeakyReLU', attrs: { negativeSlope: 0.2 } },
    { id: 'pw', op: 'Pow', attrs: { exponent: 3 } },
    { id: 'ex', op: 'Exp' },
    { id: 'dv', op: 'Div' },
    { id: 'lg', op: 'Log' },
    { id: 'ng', op: 'Neg' },
    { id: 'sk', op: 'Sum', attrs: { dim: [0, -1], keepDim: true } },
    { id: 'mul', op: 'Mul' },
    { id: 'sub', op: 'Sub' },
    { id: 'add3', op: 'Add' },
    { id: 'drop', op: 'Dropout', attrs: { p: 0.25 } },
    { id: 'head', op: 'Linear', attrs: { outFeatures: 8 } },
    { id: 't', op: 'Target', attrs: { shape: [8] } },
    { id: 'bce', op: 'BCEWithLogitsLoss' },
    { id: 'sq', op: 'Tanh' },
    { id: 'sig', op: 'Sigmoid' },
    { id: 'mse', op: 'MSELoss' },
    { id: 'u', op: 'Target', attrs: { shape: [8] } },
  ],
  edges: [
    { from: 'img', to: 'conv' },
    { from: 'conv', to: 'mp' },
    { from: 'mp', to: 'ap' },
    { from: 'ap', to: 'flat' },
    { from: 'flat', to: 'fc' },
    { from: 'fc', to: 'bn' },
    { from: 'bn', to: 'g1' },
    { from: 'g1', to: 'g2' },
    { from: 'g2', to: 'ln' },
    { from: 'idx', to: 'idxr' },
    { from: 'idxr', to: 'emb' },
    { from: 'emb', to: 'embm' },
    { from: 'ln', to: 'cat', port: 0 },
    { from: 'embm', to: 'cat', port: 1 },
    { from: 'cat', to: 'sm' },
    { from: 'cat', to: 'lsm' },
    { from: 'cat', to: 'lrelu' },
    { from: 'sm', to: 'pw' },
    { from: 'sm', to: 'ex' },
    { from: 'lrelu', to: 'dv', port: 0 },
    { from: 'ex', to: 'dv', port: 1 },
    { from: 'ex', to: 'lg' },
    { from: 'lsm', to: 'ng' },
    { from: 'ng', to: 'sk' },
    { from: 'pw', to: 'mul', port: 0 },
    { from: 'sk', to: 'mul', port: 1 },
    { from: 'dv', to: 'sub', port: 0 },
    { from: 'lg', to: 'sub', port: 1 },
    { from: 'mul', to: 'add3', port: 0 },
    { from: 'sub', to: 'add3', port: 1 },
    { from: 'cat', to: 'add3', port: 2 },
    { from: 'add3', to: 'drop' },
    { from: 'drop', to: 'head' },
    { from: 'head', to: 'bce', port: 0 },
    { from: 't', to: 'bce', port: 1 },
    { from: 'head', to: 'sq' },
    { from: 'sq', to: 'sig' },
    { from: 'sig', to: 'mse', port: 0 },
    { from: 'u', to: 'mse', port: 1 },
  ],
  training: { seed: 3 },
};

/**
 * Ids that are not plain Python attributes or locals: keywords (`in`, `class`, `None`), nn.Module members
 * (`training`, `forward`, `eval`, `to`), dunders (`__x`, `__proto__`), `self` (which cannot be a keyword argument
 * of a module call), names the generated code uses (`torch`, `F`, `out`, `WEIGHTS`, `_fed`), and an output node
 * named `loss` beside the training loss.
 */
export const TRICKY_MODEL: ModelJson = {
  format: 'nn-graph',
  version: 1,
  name: 'tricky ids',
  nodes: [
    { id: 'in', op: 'Input', attrs: { shape: [4] } },
    { id: 'self', op: 'Input', attrs: { shape: [3] } },
    { id: 'class', op: 'Linear', attrs: { outFeatures: 4 } },
    { id: 'training', op: 'Linear', attrs: { outFeatures: 4 } },
    { id: '__x', op: 'BatchNorm1d' },
    { id: 'None', op: 'Add' },
    { id: 'forward', op: 'LayerNorm' },
    { id: 'torch', op: 'ReLU' },
    { id: 'eval', op: 'Dropout', attrs: { p: 0.3 } },
    { id: '__proto__', op: 'Sigmoid' },
    { id: 'to', op: 'Linear', attrs: { outFeatures: 3 } },
    { id: 'loss', op: 'Linear', attrs: { outFeatures: 3 } },
    { id: 'out', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
    { id: '_fed', op: 'CrossEntropyLoss' },
    { id: 'F', op: 'Target', attrs: { shape: [3] } },
    { id: 'WEIGHTS', op: 'MSELoss' },
    { id: 'unused', op: 'Linear', attrs: { outFeatures: 2 } },
  ],
  edges: [
    { from: 'in', to: 'class' },
    { from: 'self', to: 'training' },
    { from: 'class', to: '__x' },
    { from: 'training', to: 'None', port: 0 },
    { from: '__x', to: 'None', port: 1 },
    { from: 'None', to: 'forward' },
    { from: 'forward', to: 'torch' },
    { from: 'torch', to: 'eval' },
    { from: 'eval', to: '__proto__' },
    { from: '__proto__', to: 'to' },
    { from: 'eval', to: 'loss' },
    { from: 'loss', to: '_fed', port: 0 },
    { from: 'out', to: '_fed', port: 1 },
    { from: 'to', to: 'WEIGHTS', port: 0 },
    { from: 'F', to: 'WEIGHTS', port: 1 },
    { from: 'self', to: 'unused' },
  ],
};

/** The cases: examples (xor also with trained sidecar weights), templates, coverage, tricky ids, random graphs. */
export function pytorchCases(randomCount: number): Case[] {
  const cases: Case[] = [];
  for (const file of readdirSync(join(ROOT, 'examples'))
    .filter((f) => f.endsWith('.nn.json'))
    .sort()) {
    const model = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as ModelJson;
    const name = `example_${file.replace('.nn.json', '').replace(/[^A-Za-z0-9]/g, '_')}`;
    const weights = model.weights ? join(ROOT, 'examples', model.weights) : null;
    const sidecar = weights && existsSync(weights) ? decodeSafetensors(readFileSync(weights)).tensors : null;
    cases.push({ name, model, feeds: randomFeeds(model, name.includes('cnn') ? 2 : 4, 1), sidecar });
    if (file === 'xor.nn.json') {
      const other = GraphModel.create({ ...model, training: { seed: 7 } });
      const trained: TensorRecords = {};
      for (const [k, t] of other.state) trained[k] = { dtype: 'F32', shape: [...t.shape], data: Float32Array.from(t.dataSync()) };
      cases.push({ name: 'example_xor_trained', model, feeds: randomFeeds(model, 4, 2), sidecar: trained });
    }
  }
  for (const t of templates) {
    const model = t.model as unknown as ModelJson;
    if (analyzeModel(model).errors.length) continue;
    cases.push({ name: `template_${t.id.replace(/[^A-Za-z0-9]/g, '_')}`, model, feeds: randomFeeds(model, 3, 5), sidecar: null });
  }
  cases.push({ name: 'coverage', model: COVERAGE_MODEL, feeds: randomFeeds(COVERAGE_MODEL, 4, 3), sidecar: null });
  cases.push({ name: 'tricky', model: TRICKY_MODEL, feeds: randomFeeds(TRICKY_MODEL, 3, 4), sidecar: null });
  // No loss node: the single sink, here named `loss`, is the output and its sum the loss.
  const sinkLoss: ModelJson = {
    format: 'nn-graph',
    version: 1,
    name: 'a sink named loss',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [3] } },
      { id: 'loss', op: 'Linear', attrs: { outFeatures: 2 } },
    ],
    edges: [{ from: 'x', to: 'loss' }],
  };
  cases.push({ name: 'sink_named_loss', model: sinkLoss, feeds: randomFeeds(sinkLoss, 2, 6), sidecar: null });
  // No loss node and two outputs: no training loss; an output reads a Target.
  const twoSinks: ModelJson = {
    format: 'nn-graph',
    version: 1,
    name: 'two sinks',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [3] } },
      { id: 'h', op: 'Linear', attrs: { outFeatures: 3, bias: false } },
      { id: 'a', op: 'Tanh' },
      { id: 't', op: 'Target', attrs: { shape: [3] } },
      { id: 'd', op: 'Sub' },
    ],
    edges: [
      { from: 'x', to: 'h' },
      { from: 'h', to: 'a' },
      { from: 'h', to: 'd', port: 0 },
      { from: 't', to: 'd', port: 1 },
    ],
  };
  cases.push({ name: 'two_sinks', model: twoSinks, feeds: randomFeeds(twoSinks, 2, 7), sidecar: null });
  for (let seed = 1; seed <= randomCount; seed++) {
    const r = randomModel(seed);
    cases.push({ name: `random${seed}`, model: r.model, feeds: r.feeds, sidecar: null });
  }
  return cases;
}
