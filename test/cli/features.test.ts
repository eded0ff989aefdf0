// Input features (training.dataset.inputFeatures) and L1 (training.l1) on the command line: the feed commands
// take raw points and compute the features as the dataset does; L1 joins the loss only in `train MODEL`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors } from '../../engine';

const BIN = join(__dirname, '..', '..', 'bin', 'backprop-studio.js');
const dir = mkdtempSync(join(tmpdir(), 'bps-features-'));
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(content));
  return p;
}

const W = [0.5, -0.25, 0.75, 0.1, -0.6, 0.3];
const B = [0.05, -0.1];

/** x (features x1, x2, x1·x2) → Linear(3 → 2) → CrossEntropyLoss. */
function model(training: Record<string, unknown> = {}) {
  return {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [3] } },
      { id: 'fc', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    edges: [
      { from: 'x', to: 'fc' },
      { from: 'fc', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    params: { 'fc.weight': { shape: [2, 3], data: W }, 'fc.bias': { shape: [2], data: B } },
    training: { seed: 0, optimizer: { type: 'SGD', lr: 0.5 }, dataset: { source: 'xor', inputFeatures: ['x1', 'x2', 'x1*x2'] }, ...training },
  };
}

const RAW = [1.5, -2, 0.25, 3];
const feed = { x: { shape: [2, 2], data: RAW }, y: { shape: [2], data: [0, 1] } };

test('predict, grad and train --feed take raw points x1, x2 and compute the features', () => {
  const m = file('f.nn.json', model());
  const f = file('f.feed.json', feed);
  const p = cli('predict', m, '--feed', f);
  assert.equal(p.status, 0, p.stderr);
  const out = JSON.parse(p.stdout).outputs.fc;
  assert.deepEqual(out.shape, [2, 2]);
  for (let n = 0; n < 2; n++) {
    const [x1, x2] = [RAW[2 * n], RAW[2 * n + 1]];
    const feats = [x1, x2, x1 * x2];
    for (let o = 0; o < 2; o++) {
      const want = B[o] + feats.reduce((s, v, i) => s + v * W[o * 3 + i], 0);
      assert.ok(Math.abs(out.data[n * 2 + o] - want) < 1e-5, `fc[${n}, ${o}] = ${out.data[n * 2 + o]}, expected ${want}`);
    }
  }
  const g = cli('grad', m, '--feed', f);
  assert.equal(g.status, 0, g.stderr);
  const grad = JSON.parse(g.stdout);
  // The Input's value and gradient are the features the model received.
  assert.deepEqual(grad.outputs.x, { shape: [2, 3], data: [1.5, -2, -3, 0.25, 3, 0.75] });
  assert.deepEqual(grad.grads.x.shape, [2, 3]);
  const t = cli('train', m, '--feed', f, '--steps', '1');
  assert.equal(t.status, 0, t.stderr);
  assert.equal(JSON.parse(t.stdout).losses[0], grad.loss);
});

test('a feed of anything but raw points is refused, naming the key', () => {
  const m = file('f2.nn.json', model());
  const f = file('f2.feed.json', { x: { shape: [2, 3], data: [1, 2, 2, 3, 4, 12] } });
  const r = cli('predict', m, '--feed', f);
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(
    r.stderr,
    /feed "x" must hold raw points x1, x2, shape \[N, 2\], found \[2, 3\]: the model computes its 3 input features \(x1, x2, x1\*x2\) from them \(training\.dataset\.inputFeatures\)/,
  );
});

test("grad and train --feed keep the spec's loss: training.l1 changes nothing there", () => {
  const f = file('l1.feed.json', feed);
  const plain = file('plain.nn.json', model());
  const l1 = file('l1.nn.json', model({ l1: 0.5 }));
  for (const args of [['grad'], ['train', '--steps', '3']]) {
    const a = cli(args[0], plain, '--feed', f, ...args.slice(1));
    const b = cli(args[0], l1, '--feed', f, ...args.slice(1));
    assert.equal(a.status, 0, a.stderr);
    assert.equal(b.status, 0, b.stderr);
    assert.equal(b.stdout, a.stdout, `${args[0]}: the same result with and without training.l1`);
  }
});

test('train MODEL (the dataset) computes the features and adds the L1 penalty', () => {
  const dataset = { source: 'xor', size: 200, inputFeatures: ['x1', 'x2', 'x1*x2'] };
  const sumAbs = (name: string, l1?: number) => {
    const json = model({ optimizer: { type: 'Adam', lr: 0.01 }, epochs: 3, batchSize: 20, dataset, ...(l1 ? { l1 } : {}) });
    const p = file(`${name}.nn.json`, json);
    const r = cli('train', p);
    assert.equal(r.status, 0, r.stderr);
    const w = decodeSafetensors(readFileSync(join(dir, `${name}.safetensors`))).tensors['fc.weight'];
    assert.deepEqual(w.shape, [2, 3]);
    return Array.from(w.data as Float32Array).reduce((s, v) => s + Math.abs(v), 0);
  };
  const without = sumAbs('ds-plain');
  const withL1 = sumAbs('ds-l1', 1);
  assert.ok(withL1 < without - 0.3, `Σ|w| with L1 ${withL1}, without ${without}`);
});
