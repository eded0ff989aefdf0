// Fuzzing the model reader: thousands of broken model files, from valid random models and the spec's
// example mutated at random, truncated, corrupted byte by byte, nested absurdly deep; then the feeds, CSV
// files and file paths a model comes with (at the end). Each must give
// analysis errors or a valid model; never an exception (other than GraphValidationError from
// GraphModel.create), never a hang, never a huge allocation. Models that validate must also compile and
// run with shapes matching their static types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GraphModel,
  GraphValidationError,
  LIMITS,
  Random,
  Tensor,
  Trainer,
  analyzeModel,
  type GraphAnalysis,
  type GraphErrorCode,
  type ModelJson,
} from '../../engine';
import { randomFeeds, randomModel } from './randomGraph';
import { mkdirSync, mkdtempSync, readlinkSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDataset, CsvError, DatasetError, type DatasetJson } from '../../engine';
import { CsvParseError, parseCsvText } from '../../common/csv';
import { DATASET_FILE, SIDECAR_FILE, realpathOfMaybeMissing, resolveContainedPath } from '../../common/containment';
import { InputError, loadFeed } from '../../cli/load';

const CODES: readonly GraphErrorCode[] = [
  'bad-json',
  'bad-format',
  'unsupported-version',
  'bad-node',
  'invalid-id',
  'duplicate-id',
  'unknown-op',
  'missing-attr',
  'bad-attr',
  'unknown-attr',
  'bad-edge',
  'unknown-node',
  'port-out-of-range',
  'port-taken',
  'missing-input',
  'extra-input',
  'cycle',
  'shape-mismatch',
  'dtype-mismatch',
  'too-large',
  'bad-params',
  'bad-training',
];

const SPEC_EXAMPLE = `{
  "format": "nn-graph",
  "version": 1,
  "name": "XOR classifier",
  "nodes": [
    { "id": "x",    "op": "Input",  "attrs": { "shape": [2] },  "ui": { "x": 40, "y": 120 } },
    { "id": "fc1",  "op": "Linear", "attrs": { "outFeatures": 8 } },
    { "id": "act1", "op": "ReLU" },
    { "id": "fc2",  "op": "Linear", "attrs": { "outFeatures": 2 } },
    { "id": "y",    "op": "Target", "attrs": { "shape": [], "dtype": "int32" } },
    { "id": "loss", "op": "CrossEntropyLoss" }
  ],
  "edges": [
    { "from": "x", "to": "fc1" },
    { "from": "fc1", "to": "act1" },
    { "from": "act1", "to": "fc2" },
    { "from": "fc2", "to": "loss", "port": 0 },
    { "from": "y", "to": "loss", "port": 1 }
  ],
  "training": { "seed": 0, "optimizer": { "type": "Adam", "lr": 0.01 } }
}`;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

const clone = (v: unknown): Json => JSON.parse(JSON.stringify(v));

/** Every path in a JSON value (objects and arrays included), breadth first, at most `max`. */
function paths(root: Json, max = 2000): Path[] {
  const out: Path[] = [[]];
  for (let i = 0; i < out.length && out.length < max; i++) {
    const v = get(root, out[i]);
    if (Array.isArray(v)) v.forEach((_, j) => out.push([...out[i], j]));
    else if (v && typeof v === 'object') for (const k of Object.keys(v)) out.push([...out[i], k]);
  }
  return out;
}

function get(root: Json, path: Path): Json | undefined {
  let v: Json | undefined = root;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string | number, Json>)[k] : undefined;
  return v;
}

function set(root: Json, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value === undefined ? null : value;
  const parent = get(root, path.slice(0, -1));
  const k = path[path.length - 1];
  if (!parent || typeof parent !== 'object') return root;
  if (value === undefined) {
    if (Array.isArray(parent) && typeof k === 'number') parent.splice(k, 1);
    else delete (parent as Record<string, Json>)[k];
  } else if (k === '__proto__') {
    Object.defineProperty(parent, k, { value, enumerable: true, writable: true, configurable: true });
  } else (parent as Record<string | number, Json>)[k] = value;
  return root;
}

const WEIRD_VALUES: Json[] = [
  null,
  true,
  false,
  0,
  -0,
  1,
  -1,
  2,
  0.5,
  -0.5,
  7,
  64,
  65,
  1e12,
  -1e12,
  1e9,
  2 ** 31,
  2 ** 31 - 1,
  2 ** 53,
  2 ** 53 + 2,
  1e308,
  -1e308,
  1e-300,
  '',
  'x',
  'fc1',
  'Linear',
  '__proto__',
  'constructor',
  '-1',
  '1e9',
  '∑',
  'int32',
  'float64',
  [],
  [0],
  [-1],
  [1e9, 1e9],
  [2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1],
  [1, -1],
  [-1, -1],
  [[1]],
  [null],
  ['a'],
  Array(20).fill(1),
  {},
  { a: 1 },
  { shape: [2], data: [1, 2] },
  { __proto__: null } as unknown as Json,
];
const PROTO_IDS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];

class Mutator {
  constructor(readonly rng: Random) {}
  pick<T>(xs: readonly T[]): T {
    return xs[this.rng.int(xs.length)];
  }

  /** One structural mutation; returns its name. */
  mutate(m: Json): [Json, string] {
    const r = this.rng;
    const model = m as { nodes?: Json; edges?: Json; [k: string]: Json | undefined };
    const nodes = Array.isArray(model.nodes) ? (model.nodes as { id?: Json; op?: Json; attrs?: Json }[]) : [];
    const edges = Array.isArray(model.edges) ? (model.edges as { from?: Json; to?: Json; port?: Json }[]) : [];
    const kind = r.int(15);
    switch (kind) {
      case 0: {
        // delete a key or element
        const ps = paths(m).filter((p) => p.length > 0);
        const p = this.pick(ps);
        return [set(m, p, undefined), `delete ${p.join('.')}`];
      }
      case 1: {
        // change a type
        const ps = paths(m);
        const p = this.pick(ps);
        const v = this.pick(WEIRD_VALUES);
        return [set(m, p, clone(v)), `set ${p.join('.')} = ${JSON.stringify(v)}`];
      }
      case 2: {
        // a number made huge, negative, fractional
        const ps = paths(m).filter((p) => typeof get(m, p) === 'number');
        if (!ps.length) return [m, 'no numbers'];
        const p = this.pick(ps);
        const v = this.pick([1e12, 1e9, -1, -7, 0, 0.5, 2 ** 31, 2 ** 24, 2 ** 53, 1e308, -1e308, 1e-300, 3.7]);
        return [set(m, p, v), `number ${p.join('.')} = ${v}`];
      }
      case 3: {
        // an attribute of a node set to something absurd
        if (!nodes.length) return [m, 'no nodes'];
        const n = this.pick(nodes);
        if (!n || typeof n !== 'object') return [m, 'bad node'];
        const name = this.pick([
          'outFeatures',
          'outChannels',
          'shape',
          'kernelSize',
          'stride',
          'padding',
          'dim',
          'keepDim',
          'p',
          'exponent',
          'numEmbeddings',
          'embeddingDim',
          'dtype',
          'eps',
          'momentum',
          'negativeSlope',
          'approximate',
          'bias',
          'affine',
        ]);
        const v = this.pick<Json>([
          1e12,
          2 ** 24,
          2 ** 16,
          4096,
          4097,
          [1e9, 1e9],
          [2 ** 31 - 1, 2 ** 31 - 1],
          [0, 0],
          [],
          -1,
          -17,
          17,
          0,
          1,
          [1, 2, 3],
          'tanh',
          'int32',
          true,
          1.5,
          null,
        ]);
        n.attrs = { ...(n.attrs && typeof n.attrs === 'object' && !Array.isArray(n.attrs) ? n.attrs : {}), [name]: v };
        return [m, `attr ${String(n.id)}.${name} = ${JSON.stringify(v)}`];
      }
      case 4: {
        // duplicate ids
        if (nodes.length < 2) return [m, 'few nodes'];
        const a = this.pick(nodes),
          b = this.pick(nodes);
        if (a && b && typeof a === 'object' && typeof b === 'object') b.id = a.id;
        return [m, `duplicate id ${String(a?.id)}`];
      }
      case 5: {
        // self-loop or back edge
        if (!nodes.length) return [m, 'no nodes'];
        const a = this.pick(nodes),
          b = this.rng.uniform() < 0.4 ? a : this.pick(nodes);
        const e = { from: a?.id ?? null, to: b?.id ?? null, port: this.pick([0, 1, 2]) };
        edges.push(e);
        if (!Array.isArray(model.edges)) model.edges = edges as Json;
        return [m, `edge ${JSON.stringify(e)}`];
      }
      case 6: {
        // unknown or near-miss op
        if (!nodes.length) return [m, 'no nodes'];
        const n = this.pick(nodes);
        if (!n || typeof n !== 'object') return [m, 'bad node'];
        n.op = this.pick(['Lineer', 'linear', 'relu', 'Conv3d', '', 'Input ', '__proto__', 'constructor', 'toString', 'x'.repeat(5000), 42, null]);
        return [m, `op ${String(n.id)} = ${String(n.op).slice(0, 20)}`];
      }
      case 7: {
        // ports
        if (!edges.length) return [m, 'no edges'];
        const e = this.pick(edges);
        if (!e || typeof e !== 'object') return [m, 'bad edge'];
        e.port = this.pick<Json>([-1, 1, 2, 3, 63, 64, 1e9, 2 ** 53, -(2 ** 53), 0.5, '0', '1', null, true, [0], 1e308]);
        return [m, `port ${JSON.stringify(e)}`];
      }
      case 8: {
        // a node renamed to a prototype property, edges following
        if (!nodes.length) return [m, 'no nodes'];
        const n = this.pick(nodes);
        if (!n || typeof n !== 'object') return [m, 'bad node'];
        const old = n.id,
          id = this.pick(PROTO_IDS);
        n.id = id;
        for (const e of edges) {
          if (!e || typeof e !== 'object') continue;
          if (e.from === old) e.from = id;
          if (e.to === old) e.to = id;
        }
        return [m, `rename ${String(old)} → ${id}`];
      }
      case 9: {
        // drop or duplicate an edge
        if (!edges.length) return [m, 'no edges'];
        const i = this.rng.int(edges.length);
        if (this.rng.uniform() < 0.5) edges.splice(i, 1);
        else edges.push(clone(edges[i]) as never);
        return [m, `edge ${i} dropped or doubled`];
      }
      case 10: {
        // params: wrong shapes, non-numbers, unknown keys
        const key = this.pick([...nodes.map((n) => `${String(n?.id)}.weight`), 'x.bias', '__proto__', 'fc1.running_var']);
        const t = this.pick<Json>([
          { shape: [2], data: [1, 2] },
          { shape: [1e9, 1e9], data: [] },
          { shape: [2], data: [1, 'a'] },
          { shape: [-1], data: [] },
          [],
          'w',
          { shape: 'x', data: 1 },
        ]);
        const params = (model.params && typeof model.params === 'object' && !Array.isArray(model.params) ? model.params : {}) as Record<string, Json>;
        Object.defineProperty(params, key, { value: t, enumerable: true, writable: true, configurable: true });
        model.params = params;
        return [m, `params ${key}`];
      }
      case 11: {
        // training settings
        model.training = this.pick<Json>([
          { seed: -1 },
          { seed: 2 ** 60 },
          { optimizer: { type: 'SGD', lr: -1 } },
          { optimizer: { type: 'Adam', betas: [1, 1] } },
          { optimizer: null },
          'x',
          [],
          { seed: 0.5, optimizer: { type: 'AdamW', eps: 0 } },
        ]);
        return [m, `training ${JSON.stringify(model.training)}`];
      }
      case 12: {
        // swap two nodes' ops
        if (nodes.length < 2) return [m, 'few nodes'];
        const a = this.pick(nodes),
          b = this.pick(nodes);
        if (a && b && typeof a === 'object' && typeof b === 'object') [a.op, b.op] = [b.op, a.op];
        return [m, 'ops swapped'];
      }
      case 14: {
        // sizes that would allocate gigabytes
        const grow: Record<string, Record<string, Json>[]> = {
          Input: [{ shape: [1e9, 1e9] }, { shape: [1 << 20] }, { shape: [2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1] }],
          Linear: [{ outFeatures: 1 << 24 }, { outFeatures: 1 << 20 }],
          Conv2d: [
            { outChannels: 1 << 16, kernelSize: 4096 },
            { outChannels: 1 << 16, kernelSize: 64 },
          ],
          Embedding: [{ numEmbeddings: 1 << 24, embeddingDim: 1 << 16 }],
        };
        const targets = nodes.filter((n) => n && typeof n === 'object' && typeof n.op === 'string' && n.op in grow);
        if (!targets.length) return [m, 'nothing to grow'];
        const n = this.pick(targets);
        const attrs = this.pick(grow[n.op as string]);
        n.attrs = { ...(n.attrs && typeof n.attrs === 'object' && !Array.isArray(n.attrs) ? n.attrs : {}), ...attrs };
        return [m, `grow ${String(n.id)} ${JSON.stringify(attrs)}`];
      }
      default: {
        // retarget an edge
        if (!edges.length || !nodes.length) return [m, 'nothing to retarget'];
        const e = this.pick(edges);
        if (!e || typeof e !== 'object') return [m, 'bad edge'];
        const n = this.pick(nodes);
        if (this.rng.uniform() < 0.5) e.from = n?.id ?? null;
        else e.to = n?.id ?? null;
        return [m, `edge retargeted ${JSON.stringify(e)}`];
      }
    }
  }
}

const encoder = new TextEncoder();

interface Stats {
  cases: number;
  valid: number;
  compiled: number;
  ran: number;
  codes: Set<string>;
}

/** Shared checks for one input; `what` describes it for messages. */
function check(input: unknown, what: string, stats: Stats, rng: Random): void {
  const t0 = performance.now();
  let a: GraphAnalysis;
  try {
    a = analyzeModel(input);
  } catch (e) {
    assert.fail(`${what}: analyzeModel threw ${(e as Error).name}: ${(e as Error).message.slice(0, 200)}`);
  }
  const ms = performance.now() - t0;
  assert.ok(ms < 1000, `${what}: analysis took ${ms.toFixed(0)} ms`);
  stats.cases++;
  assert.ok(Array.isArray(a.errors), what);
  for (const e of a.errors) {
    assert.ok(CODES.includes(e.code), `${what}: unknown code ${e.code}`);
    assert.ok(typeof e.message === 'string' && e.message.length > 0 && e.message.length < 1000, `${what}: message ${JSON.stringify(e.message).slice(0, 300)}`);
    stats.codes.add(e.code);
  }
  if (a.errors.length) {
    // Refused before anything is allocated.
    if (stats.cases % 5 === 0) assert.throws(() => GraphModel.create(input as ModelJson), GraphValidationError, what);
    return;
  }
  stats.valid++;
  // A model that validates has a type on every node and parameters within the limits.
  let total = 0;
  for (const n of a.nodes.values()) {
    assert.ok(n.type, `${what}: node ${n.id} validated without a type`);
    for (const p of n.params) {
      const size = p.shape.reduce((s, d) => s * d, 1);
      assert.ok(Number.isSafeInteger(size) && size <= LIMITS.paramElements, `${what}: ${p.key} has ${size} values`);
      total += size;
    }
  }
  assert.ok(total <= LIMITS.totalParamElements, `${what}: ${total} parameter values validated`);
  if (total > 200_000) return;
  let model: GraphModel;
  try {
    model = GraphModel.create(a);
  } catch (e) {
    assert.fail(`${what}: GraphModel.create threw ${(e as Error).name}: ${(e as Error).message.slice(0, 300)}`);
  }
  stats.compiled++;
  // Run it when its tensors are small: run-time shapes must be the static ones.
  const perSample = (shape: readonly (number | 'N')[]) => shape.reduce<number>((s, d) => s * (d === 'N' ? 1 : d), 1);
  if (![...a.nodes.values()].every((n) => perSample(n.type!.shape) <= 4096)) return;
  const batch = 2;
  const json = randomFeeds(a.model!, batch, rng.int(1000));
  const feeds: Record<string, Tensor> = Object.create(null);
  for (const [id, f] of Object.entries(json)) feeds[id] = Tensor.fromData(f.data, f.shape, f.dtype);
  const training = model.lossProblem() === null;
  try {
    const pass = model.forward(feeds, { training, computeLoss: training });
    for (const n of a.nodes.values()) {
      const v = pass.values.get(n.id);
      if (!v) {
        assert.ok(n.spec!.isLoss && !training, `${what}: no value for ${n.id}`);
        continue;
      }
      assert.deepEqual(
        [...v.shape],
        n.type!.shape.map((d) => (d === 'N' ? batch : d)),
        `${what}: run-time shape of ${n.id} (${n.spec!.op})`,
      );
      assert.equal(v.dtype, n.type!.dtype, `${what}: dtype of ${n.id}`);
    }
    if (pass.loss?.requiresGrad) pass.loss.backward();
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    assert.fail(
      `${what}: a validated model failed to run: ${(e as Error).name}: ${(e as Error).message.slice(0, 300)}\n${JSON.stringify(a.model).slice(0, 3000)}`,
    );
  }
  stats.ran++;
}

function bases(): { name: string; json: Json }[] {
  const out = [{ name: 'spec example', json: JSON.parse(SPEC_EXAMPLE) as Json }];
  for (let s = 0; s < 60; s++) out.push({ name: `random ${s}`, json: clone(randomModel(1000 + s).model) });
  return out;
}

test('fuzz: thousands of mutated models give errors or a valid model, never an exception', { timeout: 120_000 }, (t) => {
  const rng = new Random(2024, 'fuzz');
  const mut = new Mutator(rng);
  const stats: Stats = { cases: 0, valid: 0, compiled: 0, ran: 0, codes: new Set() };
  const all = bases();
  const t0 = Date.now();
  for (let i = 0; i < 3000; i++) {
    const base = all[i % all.length];
    let m = clone(base.json);
    const steps: string[] = [];
    const k = 1 + rng.int(3);
    for (let j = 0; j < k; j++) {
      const [next, what] = mut.mutate(m);
      m = next;
      steps.push(what);
    }
    const what = `case ${i} (${base.name}: ${steps.join('; ').slice(0, 300)})`;
    // Half as objects, half as the text a file would hold.
    check(i % 2 === 0 ? m : JSON.stringify(m), what, stats, rng);
  }
  t.diagnostic(
    `${stats.cases} models: ${stats.valid} valid, ${stats.compiled} compiled, ${stats.ran} ran; ${Date.now() - t0} ms; codes seen: ${[...stats.codes].sort().join(' ')}`,
  );
  assert.ok(stats.valid > 100 && stats.ran > 100, 'some mutations should leave the model valid');
  for (const code of [
    'bad-format',
    'bad-node',
    'invalid-id',
    'duplicate-id',
    'unknown-op',
    'missing-attr',
    'bad-attr',
    'unknown-attr',
    'bad-edge',
    'unknown-node',
    'port-out-of-range',
    'port-taken',
    'missing-input',
    'cycle',
    'shape-mismatch',
    'dtype-mismatch',
    'too-large',
    'bad-params',
    'bad-training',
  ]) {
    assert.ok(stats.codes.has(code), `no mutation produced ${code}`);
  }
});

test('fuzz: truncated text, corrupted bytes and random bytes', { timeout: 120_000 }, (t) => {
  const rng = new Random(7, 'fuzz-bytes');
  const stats: Stats = { cases: 0, valid: 0, compiled: 0, ran: 0, codes: new Set() };
  const texts = bases()
    .slice(0, 20)
    .map((b) => JSON.stringify(b.json, null, b.name === 'spec example' ? 2 : 0));
  texts.unshift(SPEC_EXAMPLE);
  for (let i = 0; i < 1500; i++) {
    const text = texts[i % texts.length];
    const bytes = encoder.encode(text);
    const kind = i % 4;
    if (kind === 0) {
      const cut = rng.int(text.length);
      check(text.slice(0, cut), `text ${i % texts.length} cut at ${cut}`, stats, rng);
    } else if (kind === 1) {
      const b = bytes.slice();
      const n = 1 + rng.int(4);
      for (let j = 0; j < n; j++) b[rng.int(b.length)] = rng.int(256);
      check(b, `text ${i % texts.length} with ${n} bytes changed`, stats, rng);
    } else if (kind === 2) {
      const b = new Uint8Array(rng.int(300));
      for (let j = 0; j < b.length; j++) b[j] = rng.int(256);
      check(b, `${b.length} random bytes`, stats, rng);
    } else {
      // Characters JSON gives meaning to, spliced in at random.
      const at = rng.int(text.length);
      const ins = ['{', '}', '[', ']', '"', ',', ':', '-', '0', 'e9', 'null', '\\', '\u0000', '\ud800', '"__proto__":{}', ',"port":-1'][rng.int(16)];
      check(text.slice(0, at) + ins + text.slice(at), `text ${i % texts.length} with ${JSON.stringify(ins)} at ${at}`, stats, rng);
    }
  }
  t.diagnostic(`${stats.cases} inputs: ${stats.valid} valid; codes seen: ${[...stats.codes].sort().join(' ')}`);
  assert.ok(stats.codes.has('bad-json'));
});

test('fuzz: deep nesting, huge arrays and prototype keys', { timeout: 60_000 }, () => {
  const rng = new Random(3, 'fuzz-deep');
  const stats: Stats = { cases: 0, valid: 0, compiled: 0, ran: 0, codes: new Set() };
  const spec = JSON.parse(SPEC_EXAMPLE) as Json;
  // Nesting deep enough to overflow any recursive walk, in every place a value can go.
  for (const depth of [100, 10_000, 100_000]) {
    const deep = '['.repeat(depth) + ']'.repeat(depth);
    const deepObj = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const all = paths(spec).filter((p) => p.length > 0);
    // The deepest only at a sample of places: each takes tens of milliseconds just to parse.
    for (const p of depth < 100_000 ? all : all.filter(() => rng.uniform() < 0.15)) {
      for (const d of [deep, deepObj]) {
        const text = JSON.stringify(set(clone(spec), p, '__DEEP__')).replace('"__DEEP__"', d);
        check(text, `${p.join('.')} nested ${depth} deep`, stats, rng);
      }
    }
    check(deep, `a bare array ${depth} deep`, stats, rng);
  }
  // Arrays past the limits, and just at them.
  const big = clone(spec) as { nodes: Json[]; edges: Json[] };
  big.nodes = Array.from({ length: LIMITS.nodes + 1 }, (_, i) => ({ id: `n${i}`, op: 'ReLU' }));
  check(big, 'too many nodes', stats, rng);
  const chain = {
    format: 'nn-graph',
    version: 1,
    nodes: [{ id: 'n0', op: 'Input', attrs: { shape: [2] } }, ...Array.from({ length: LIMITS.nodes - 1 }, (_, i) => ({ id: `n${i + 1}`, op: this_op(i) }))],
    edges: Array.from({ length: LIMITS.nodes - 1 }, (_, i) => ({ from: `n${i}`, to: `n${i + 1}` })),
  };
  check(chain, `a chain of ${LIMITS.nodes} nodes`, stats, rng);
  // The same chain with every node also in error: analysis stays fast.
  const broken = clone(chain) as { nodes: { attrs?: Json }[] };
  for (const n of broken.nodes.slice(1)) n.attrs = { bogus: 1 };
  check(broken, 'a chain with an error on every node', stats, rng);
  const edges = clone(spec) as { edges: Json[] };
  edges.edges = Array.from({ length: LIMITS.edges }, () => ({ from: 'x', to: 'fc1' }));
  check(edges, `${LIMITS.edges} edges into one port`, stats, rng);
  // Prototype keys everywhere JSON can put them.
  const proto = SPEC_EXAMPLE.replace('"attrs": { "outFeatures": 8 }', '"attrs": { "outFeatures": 8, "__proto__": { "bias": false } }').replace(
    '"training":',
    '"__proto__": { "nodes": [] }, "params": { "__proto__": { "shape": [1], "data": [0] } }, "training":',
  );
  check(proto, 'prototype keys', stats, rng);
  for (const id of PROTO_IDS) check(SPEC_EXAMPLE.replaceAll('"x"', JSON.stringify(id)), `input named ${id}`, stats, rng);
  assert.ok(stats.valid >= 5);
});

/** Shape-keeping ops for a long chain. */
function this_op(i: number): string {
  return ['ReLU', 'Tanh', 'Neg', 'Sigmoid'][i % 4];
}

test('feeding a model whose Input is named like a prototype property', () => {
  for (const id of PROTO_IDS) {
    const g = GraphModel.create(SPEC_EXAMPLE.replaceAll('"x"', JSON.stringify(id)));
    // Not fed: a clear message, not a TypeError from Object.prototype's member.
    assert.throws(
      () => g.forward({}, { training: false }),
      (e: Error) => e.name === 'FeedError' && e.message.includes(`feed "${id}" is missing`),
      id,
    );
    const feeds: Record<string, Tensor> = {};
    Object.defineProperty(feeds, id, { value: Tensor.fromData([1, 0, 0, 1], [2, 2]), enumerable: true });
    const pass = g.forward(feeds, { training: false });
    assert.deepEqual([...pass.outputs.get('fc2')!.shape], [2, 2], id);
  }
});

// ---------------------------------------------------------------------------------------------
// Beyond the model file: feeds, CSV datasets and the paths a model names (issue 11). Each is read by the
// code the command line uses, and must give its own one-line error or something sound, never an exception.

const SPEC_FEED = { x: { shape: [4, 2], data: [0, 0, 0, 1, 1, 0, 1, 1] }, y: { shape: [4], data: [0, 1, 1, 0] } };
const fuzzDir = mkdtempSync(join(tmpdir(), 'bps-fuzz-'));

test('fuzz: mutated feeds give a one-line InputError or a pass that runs, never an exception', { timeout: 120_000 }, (t) => {
  const rng = new Random(11, 'fuzz-feeds');
  const mut = new Mutator(rng);
  const model = GraphModel.create(SPEC_EXAMPLE);
  const feedPath = join(fuzzDir, 'feed.json');
  let refusedCount = 0;
  let ran = 0;
  for (let i = 0; i < 1500; i++) {
    let f = clone(SPEC_FEED);
    const steps: string[] = [];
    for (let j = 0, k = 1 + rng.int(3); j < k; j++) {
      const [next, what] = i % 3 === 0 ? mutateNumbers(f, rng) : mut.mutate(f);
      f = next;
      steps.push(what);
    }
    const what = `feed case ${i} (${steps.join('; ').slice(0, 200)})`;
    writeFileSync(feedPath, i % 5 === 4 ? JSON.stringify(f).slice(0, rng.int(60)) : JSON.stringify(f));
    let feeds: Record<string, Tensor>;
    try {
      feeds = loadFeed(feedPath, model, i % 2 === 0);
    } catch (e) {
      assert.ok(e instanceof InputError, `${what}: ${(e as Error).stack}`);
      assert.ok(!(e as Error).message.includes('\n') && (e as Error).message.length < 400, `${what}: one short line: ${(e as Error).message}`);
      refusedCount++;
      continue;
    }
    // A feed that was accepted runs: forward (with the loss when the Targets were required) and backward.
    try {
      const pass = model.forward(feeds, { training: i % 2 === 0 });
      if (pass.loss?.requiresGrad) pass.loss.backward();
      ran++;
    } catch (e) {
      // The engine's own checks of values it cannot know statically (a class index past the classes).
      assert.ok(e instanceof RangeError, `${what}: ${(e as Error).stack}`);
    }
  }
  t.diagnostic(`1500 feeds: ${refusedCount} refused, ${ran} ran`);
  assert.ok(refusedCount > 300 && ran > 100, `${refusedCount} refused, ${ran} ran`);
});

/** A number of the feed (a shape entry or a value) made extreme: the int32 and float32 edges. */
function mutateNumbers(f: Json, rng: Random): [Json, string] {
  const ps = paths(f).filter((p) => typeof get(f, p) === 'number');
  const p = ps[rng.int(ps.length)];
  const v = [2 ** 31, -(2 ** 31) - 1, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, 1e39, -1e39, 3.4e38, 1e308, 0.5, -1, 1e9, 2 ** 53][rng.int(13)];
  return [set(f, p, v), `number ${p.join('.')} = ${v}`];
}

const CSV_BASE = ['a,b,label', '1,2,cat', '3.5,-4,dog', '0.5,1e3,cat', '-.5,7.,dog', '2,2,cat'].join('\n');
const CELLS = [
  '',
  ' ',
  '1e39',
  '-1e39',
  '1e308',
  '3.4e38',
  '0x10',
  '0b1',
  '1_000',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e-50',
  '+2',
  '007',
  '"1,5"',
  '"x""y"',
  '\u0000',
  '\u001b[31m',
  '\ud800',
  'ä',
  'cat',
  'dog',
  'bird',
  '1,2',
  '"',
  '\r',
  '\n',
];

/** One change to the CSV text: a cell, a field added or dropped, a line duplicated or cut, bytes. */
function mutateCsv(text: string, rng: Random): [string, string] {
  const lines = text.split('\n');
  const r = rng.int(lines.length);
  const fields = lines[r].split(',');
  switch (rng.int(7)) {
    case 0: {
      const c = rng.int(fields.length);
      fields[c] = CELLS[rng.int(CELLS.length)];
      lines[r] = fields.join(',');
      return [lines.join('\n'), `row ${r + 1} field ${c} = ${JSON.stringify(fields[c])}`];
    }
    case 1:
      lines[r] += ',' + CELLS[rng.int(CELLS.length)];
      return [lines.join('\n'), `row ${r + 1} extra field`];
    case 2:
      lines[r] = fields.slice(0, rng.int(fields.length)).join(',');
      return [lines.join('\n'), `row ${r + 1} short`];
    case 3:
      lines.splice(r, 0, lines[r]);
      return [lines.join('\n'), `row ${r + 1} repeated`];
    case 4:
      return [text.slice(0, rng.int(text.length)), 'cut'];
    case 5: {
      const b = Array.from(text);
      b[rng.int(b.length)] = String.fromCharCode(rng.int(256));
      return [b.join(''), 'a character changed'];
    }
    default:
      lines.splice(r, 0, '');
      return [lines.join('\n'), `blank line at ${r + 1}`];
  }
}

test('fuzz: mutated CSV files give a CSV error or a dataset of finite values, never an exception', { timeout: 120_000 }, (t) => {
  const rng = new Random(5, 'fuzz-csv');
  const model = GraphModel.create(SPEC_EXAMPLE);
  const specs: DatasetJson[] = [
    { source: 'csv', path: 'd.csv', label: 'label' },
    { source: 'csv', path: 'd.csv', label: 'label', classes: ['cat', 'dog'] },
    { source: 'csv', path: 'd.csv', label: 'label', features: ['b', 'a'], normalization: { mean: [0, 0], std: [1, 2] } },
  ];
  let built = 0;
  let refusedCount = 0;
  for (let i = 0; i < 2000; i++) {
    let text = CSV_BASE;
    const steps: string[] = [];
    for (let j = 0, k = 1 + rng.int(3); j < k; j++) {
      const [next, what] = mutateCsv(text, rng);
      text = next;
      steps.push(what);
    }
    const spec = specs[i % specs.length];
    const what = `csv case ${i} (${steps.join('; ')}): ${JSON.stringify(text).slice(0, 200)}`;
    try {
      const data = buildDataset(model, spec, { table: parseCsvText(text, 'd.csv') });
      assert.ok(data.inputs.every(Number.isFinite) && data.targets.every(Number.isFinite), `${what}: every value finite`);
      assert.equal(data.inputs.length, data.n * 2, what);
      built++;
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      assert.ok(e instanceof CsvParseError || e instanceof CsvError || e instanceof DatasetError, `${what}: ${(e as Error).stack}`);
      const m = (e as Error).message;
      assert.ok(
        !m.includes('\n') && m.length < 400 && !/[\u0000-\u0008\u001b]/.test(m),
        `${what}: one short line, control characters escaped: ${JSON.stringify(m)}`,
      );
      refusedCount++;
    }
  }
  t.diagnostic(`2000 CSV files: ${built} built, ${refusedCount} refused`);
  assert.ok(built > 100 && refusedCount > 500, `${built} built, ${refusedCount} refused`);
});

test('fuzz: sidecar and dataset paths either stay inside the model’s folder tree (links resolved) or are refused', () => {
  const rng = new Random(9, 'fuzz-paths');
  const ws = realpathSync(mkdtempSync(join(tmpdir(), 'bps-fuzz-ws-')));
  const outside = realpathSync(mkdtempSync(join(tmpdir(), 'bps-fuzz-out-')));
  mkdirSync(join(ws, 'm', 'sub'), { recursive: true });
  symlinkSync(outside, join(ws, 'm', 'out'));
  symlinkSync(join(ws, 'm', 'sub'), join(ws, 'm', 'in'));
  symlinkSync('/dev/zero', join(ws, 'm', 'zero.safetensors'));
  symlinkSync('../..', join(ws, 'm', 'sub', 'up'));
  const model = join(ws, 'm', 'model.nn.json');
  const parts = [
    '..',
    '.',
    '',
    'sub',
    'in',
    'out',
    'up',
    'zero.safetensors',
    'x.safetensors',
    'x.csv',
    '/',
    '\\',
    'C:',
    '\u0000',
    '~',
    '%2e%2e',
    'ä',
    '..\\..',
    'a'.repeat(300),
  ];
  const links = { realpath: (p: string) => realpathSync(p), readlink: (p: string) => readlinkSync(p) };
  let inside = 0;
  for (let i = 0; i < 3000; i++) {
    const n = 1 + rng.int(5);
    let value = Array.from({ length: n }, () => parts[rng.int(parts.length)]).join(rng.uniform() < 0.8 ? '/' : '\\');
    if (i % 2 === 0 && !value.endsWith('.safetensors')) value += '.safetensors';
    const root = join(ws, 'm');
    for (const file of [SIDECAR_FILE, DATASET_FILE]) {
      const r = resolveContainedPath(model, value, root, file, links);
      if ('error' in r) {
        assert.ok(r.error.startsWith(file.key) && !r.error.includes('\n'), `${JSON.stringify(value)}: ${r.error}`);
        continue;
      }
      // Inside the root, and so is whatever a write there would touch: the real path of its folder.
      assert.ok(r.path.startsWith(root + '/'), `${JSON.stringify(value)} → ${r.path}`);
      const parent = realpathOfMaybeMissing(r.path.slice(0, r.path.lastIndexOf('/')), links);
      assert.ok(parent === root || parent.startsWith(root + '/'), `${JSON.stringify(value)} → ${r.path} (folder ${parent})`);
      if (file === SIDECAR_FILE) assert.match(r.path, /\.safetensors$/i);
      inside++;
    }
  }
  assert.ok(inside > 200, `${inside} paths inside`);
});

test('a training step’s gradient snapshot and the state dict keep nodes named like prototype properties', async () => {
  for (const id of PROTO_IDS) {
    const g = GraphModel.create(SPEC_EXAMPLE.replaceAll('"fc1"', JSON.stringify(id)));
    const data = {
      n: 4,
      inputs: Float32Array.from([0, 0, 0, 1, 1, 0, 1, 1]),
      inputShape: [2],
      targets: Int32Array.from([0, 1, 1, 0]),
      targetShape: [],
      targetDtype: 'int32' as const,
    };
    const trainer = new Trainer(g, data, null, { batchSize: 4, epochs: 1, seed: 0, edgeGrads: true });
    await trainer.trainStep();
    const snap = await trainer.gradientSnapshot();
    assert.ok(Object.hasOwn(snap.paramNorms, id) && snap.paramNorms[id] > 0, `paramNorms has "${id}"`);
    assert.ok(Object.hasOwn(await g.stateDict(), `${id}.weight`), `state dict has "${id}.weight"`);
  }
});
