// The activation budget (LIMITS.activationBytes, 1 GiB) through the real binary and the editor's bundled
// training worker: a pass over it exits 1 (or fails the run) with one line naming the node and its size,
// before anything is computed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { GraphModel, LIMITS, activationBytes } from '../../engine';
import { boundaryGrid, runTraining } from '../../engine/train/run';
import type { FromWorker } from '../../extension/training/workerProtocol';

const BIN = join(__dirname, '..', '..', 'bin', 'backprop-studio.js');
const WORKER = join(__dirname, '..', '..', 'dist', 'trainWorker.js');
const dir = mkdtempSync(join(tmpdir(), 'bps-budget-'));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

/** [N, 1, 4096] + [N, 4096, 1]: a broadcast Add of two small inputs whose output is [N, 4096, 4096]. */
const broadcast = {
  format: 'nn-graph',
  version: 1,
  nodes: [
    { id: 'row', op: 'Input', attrs: { shape: [1, 4096] } },
    { id: 'col', op: 'Input', attrs: { shape: [4096, 1] } },
    { id: 'big', op: 'Add' },
  ],
  edges: [
    { from: 'row', to: 'big', port: 0 },
    { from: 'col', to: 'big', port: 1 },
  ],
};

const zeros = (shape: number[]) => ({ shape, data: new Array(shape.reduce((a, b) => a * b, 1)).fill(0) });

test('grad on a broadcast Add over the budget exits 1 with one line naming the node and its size, and writes nothing', () => {
  const model = file('broadcast.nn.json', broadcast);
  const feed = file('broadcast.feed.json', { row: zeros([16, 1, 4096]), col: zeros([16, 4096, 1]) });
  const out = join(dir, 'broadcast.result.json');
  for (const cmd of ['grad', 'predict']) {
    const r = cli(cmd, model, '--feed', feed);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.equal(
      lines[0],
      'backprop-studio: node "big" (Add) output [16, 4096, 4096] would take 1 GiB for a batch of 16, and the activations of the whole pass 1.0005 GiB; ' +
        'at most 1 GiB of activations are supported: use a batch of at most 15, or smaller layers',
    );
  }
  const r = cli('grad', model, '--feed', feed, '--out', out);
  assert.equal(r.code, 1);
  assert.equal(existsSync(out), false);
});

test('a broadcast Add within the budget runs', () => {
  const small = JSON.parse(JSON.stringify(broadcast).replace(/4096/g, '64'));
  const model = file('broadcast-ok.nn.json', small);
  const feed = file('broadcast-ok.feed.json', { row: zeros([2, 1, 64]), col: zeros([2, 64, 1]) });
  const r = cli('grad', model, '--feed', feed);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).outputs.big.shape, [2, 64, 64]);
});

/** xor with one very wide hidden layer: [N, 2^21] float32 is 8 MiB a sample. */
const wide = (batchSize: number) => ({
  format: 'nn-graph',
  version: 1,
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [2] } },
    { id: 'wide', op: 'Linear', attrs: { outFeatures: 2 ** 21 } },
    { id: 'fc2', op: 'Linear', attrs: { outFeatures: 2 } },
    { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
    { id: 'loss', op: 'CrossEntropyLoss' },
  ],
  edges: [
    { from: 'x', to: 'wide' },
    { from: 'wide', to: 'fc2' },
    { from: 'fc2', to: 'loss' },
    { from: 'y', to: 'loss', port: 1 },
  ],
  training: { seed: 0, batchSize, epochs: 1, dataset: { source: 'xor', size: 400 } },
});

const WIDE_MESSAGE =
  /^node "wide" \(Linear\) output \[256, 2097152\] would take 2 GiB for a batch of 256, and the activations of the whole pass 2 GiB; at most 1 GiB of activations are supported: use a batch of at most 127, or smaller layers$/;

test('train MODEL.nn.json with a batch over the budget exits 1 naming the node, before the first step', () => {
  const model = file('wide.nn.json', wide(256));
  const r = cli('train', model);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0].replace(/^backprop-studio: /, ''), WIDE_MESSAGE);
  assert.equal(existsSync(join(dir, 'wide.safetensors')), false);
});

test('editor training (the bundled worker) fails at its start with the same message', async () => {
  const worker = new Worker(WORKER);
  const seen: FromWorker[] = [];
  const end = await new Promise<FromWorker>((resolve) => {
    worker.on('message', (m: FromWorker) => {
      seen.push(m);
      if (m.type === 'finished' || m.type === 'failed' || m.type === 'nonFinite') resolve(m);
    });
    worker.postMessage({
      type: 'start',
      modelText: JSON.stringify(wide(256)),
      sidecar: null,
      external: {},
      options: { overlay: true, maxUpdatesPerSecond: 20, boundaryGrid: 0 },
    });
  });
  await worker.terminate();
  assert.deepEqual(
    seen.map((m) => m.type),
    ['failed'],
  );
  assert.ok(end.type === 'failed');
  assert.match(end.message, WIDE_MESSAGE);
});

test('editor training: the decision-boundary grid is computed in slices that fit, so a run whose batch fits never fails on it', async () => {
  const json = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 16 } },
      { id: 'act', op: 'Tanh' },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'act' },
      { from: 'act', to: 'fc2' },
      { from: 'fc2', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: { seed: 0, optimizer: { type: 'Adam', lr: 0.03 }, batchSize: 32, epochs: 1, dataset: { source: 'xor', size: 200 } },
  };
  const model = GraphModel.create(JSON.stringify(json));
  const whole = await boundaryGrid(model, 'x', 40);
  const saved = LIMITS.activationBytes;
  // Room for the training batch of 32, far from the grid's 1600 points at once.
  LIMITS.activationBytes = activationBytes(model.analysis, 50).total;
  try {
    assert.deepEqual(await boundaryGrid(model, 'x', 40), whole);
    const msgs: FromWorker[] = [];
    await runTraining(
      { modelText: JSON.stringify(json), sidecar: null, external: {}, options: { overlay: true, maxUpdatesPerSecond: 20, boundaryGrid: 40 } },
      (m) => msgs.push(m),
      { next: async () => 'go' },
    );
    const end = msgs.at(-1)!;
    assert.ok(end.type === 'finished' && end.reason === 'completed', JSON.stringify(msgs.filter((m) => m.type === 'failed')));
    assert.ok(msgs.some((m) => m.type === 'boundary' && m.values.length === 1600));
  } finally {
    LIMITS.activationBytes = saved;
  }
});
