// `backprop-studio train MODEL.nn.json` on the model's own dataset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, playgroundPoints } from '../../engine';

const BIN = join(__dirname, '..', '..', 'bin', 'backprop-studio.js');
const dir = mkdtempSync(join(tmpdir(), 'bps-ds-'));
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

function circleModel(dataset: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 8 } },
      { id: 'a1', op: 'Tanh' },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'a1' },
      { from: 'a1', to: 'fc2' },
      { from: 'fc2', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    weights: 'circle.safetensors',
    training: { seed: 0, optimizer: { type: 'Adam', lr: 0.03 }, batchSize: 32, epochs: 12, dataset },
    ...extra,
  };
}

test('trains on the circle dataset, prints one line per epoch and writes the sidecar the model names', () => {
  const model = join(dir, 'circle.nn.json');
  writeFileSync(model, JSON.stringify(circleModel({ source: 'circle', size: 400, noise: 0 })));
  const r = cli('train', model);
  assert.equal(r.status, 0, r.stderr);
  const epochs = r.stderr.split('\n').filter((l) => l.startsWith('epoch '));
  assert.equal(epochs.length, 12);
  assert.match(epochs[0], /loss \d\.\d+ +acc [\d.]+% +val_loss [\d.]+ +val_acc [\d.]+% +\d+ samples\/s/);
  const side = join(dir, 'circle.safetensors');
  const keys = Object.keys(decodeSafetensors(readFileSync(side)).tensors).sort();
  assert.deepEqual(keys, ['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight']);
  // The trained weights are what predict now uses: classify fresh circle points.
  const pts = playgroundPoints('circle', 200, 0, 123);
  writeFileSync(join(dir, 'feed.json'), JSON.stringify({ x: { shape: [200, 2], data: Array.from(pts.x) } }));
  const p = JSON.parse(cli('predict', model, '--feed', join(dir, 'feed.json')).stdout);
  const logits: number[] = p.outputs.fc2.data;
  let correct = 0;
  for (let i = 0; i < 200; i++) if ((logits[2 * i + 1] > logits[2 * i] ? 1 : 0) === pts.y[i]) correct++;
  assert.ok(correct / 200 > 0.95, `accuracy ${correct / 200}`);
});

test('a model without a dataset, or with a bad one, exits 1 naming the key and writes nothing', () => {
  const m1 = join(dir, 'nodata.nn.json');
  const noData = circleModel({ source: 'circle' });
  delete (noData.training as Record<string, unknown>).dataset;
  writeFileSync(m1, JSON.stringify({ ...noData, weights: 'nodata.safetensors' }));
  const r1 = cli('train', m1);
  assert.equal(r1.status, 1);
  assert.match(r1.stderr, /training\.dataset/);
  const m2 = join(dir, 'bad.nn.json');
  writeFileSync(m2, JSON.stringify(circleModel({ source: 'moons' }, { weights: 'bad.safetensors' })));
  const r2 = cli('train', m2);
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /training\.dataset\.source.*"moons"/);
  assert.equal(existsSync(join(dir, 'bad.safetensors')), false);
  const m3 = join(dir, 'wrongshape.nn.json');
  const wrong = circleModel({ source: 'xor' }, { weights: 'wrong.safetensors' });
  (wrong.nodes[0].attrs as { shape: number[] }).shape = [3];
  writeFileSync(m3, JSON.stringify(wrong));
  const r3 = cli('train', m3);
  assert.equal(r3.status, 1);
  assert.match(r3.stderr, /2 features per sample but Input "x" has shape \[3\]/);
});

test('a CSV dataset: bad cells are reported with row and column', () => {
  writeFileSync(join(dir, 'pts.csv'), 'a,b,label\n1,2,yes\n3,oops,no\n');
  const m = join(dir, 'csv.nn.json');
  writeFileSync(m, JSON.stringify(circleModel({ source: 'csv', path: 'pts.csv', features: ['a', 'b'], label: 'label' }, { weights: 'csv.safetensors' })));
  const r = cli('train', m);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /row 3, column "b": "oops" is not a number/);
  writeFileSync(join(dir, 'pts.csv'), 'a,b,label\n' + Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2 ? 'yes' : 'no'}`).join('\n'));
  const ok = cli('train', m, '--epochs', '2');
  assert.equal(ok.status, 0, ok.stderr);
  assert.ok(existsSync(join(dir, 'csv.safetensors')));
});

test('the XOR example trains on its inline truth table, then predict gets all four rows right', () => {
  // The example as shipped, in a folder of its own: its weights key names xor.safetensors beside it.
  const ex = mkdtempSync(join(tmpdir(), 'bps-xor-'));
  const model = join(ex, 'xor.nn.json');
  writeFileSync(model, readFileSync(join(__dirname, '..', '..', 'examples', 'xor.nn.json')));
  const r = cli('train', model);
  assert.equal(r.status, 0, r.stderr);
  const epochs = r.stderr.split('\n').filter((l) => l.startsWith('epoch '));
  assert.equal(epochs.length, 300);
  // Four rows, no validation split: no row is held out, so no validation figures.
  assert.doesNotMatch(r.stderr, /val_loss/);
  assert.match(epochs.at(-1)!, /acc 100\.0%/);
  const p = cli('predict', model, '--feed', join(__dirname, '..', '..', 'examples', 'xor.feed.json'));
  assert.equal(p.status, 0, p.stderr);
  const logits: number[] = JSON.parse(p.stdout).outputs.fc2.data;
  const classes = [0, 1, 2, 3].map((i) => (logits[2 * i + 1] > logits[2 * i] ? 1 : 0));
  // The truth table: (0,0) → 0, (0,1) → 1, (1,0) → 1, (1,1) → 0.
  assert.deepEqual(classes, [0, 1, 1, 0]);
});

test('a bad inline row exits 1 naming the key, the row and the value, and writes nothing', () => {
  const m = join(dir, 'badrows.nn.json');
  const json = circleModel(
    {
      source: 'inline',
      rows: [
        [0, 0, 0],
        [0, 1, 'one'],
      ],
    },
    { weights: 'badrows.safetensors' },
  );
  writeFileSync(m, JSON.stringify(json));
  const r = cli('train', m);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /training\.dataset\.rows\[1\]\[2\] must be a finite number, found "one"/);
  const wide = join(dir, 'widerows.nn.json');
  writeFileSync(wide, JSON.stringify(circleModel({ source: 'inline', rows: [[0, 0, 0, 0]] }, { weights: 'badrows.safetensors' })));
  const w = cli('train', wide);
  assert.equal(w.status, 1);
  assert.match(w.stderr, /training\.dataset\.rows have 4 values a row \(3 input values and the label\) but Input "x" has shape \[2\]/);
  assert.equal(existsSync(join(dir, 'badrows.safetensors')), false);
});

test('a model named relative to the working directory keeps its weights beside it (train, then predict reads them)', () => {
  const work = mkdtempSync(join(tmpdir(), 'bps-rel-'));
  const sub = join(work, 'models');
  mkdirSync(sub);
  writeFileSync(
    join(sub, 'rel.nn.json'),
    JSON.stringify(
      circleModel(
        { source: 'circle', size: 200, noise: 0 },
        {
          weights: undefined,
          training: { seed: 0, optimizer: { type: 'Adam', lr: 0.03 }, batchSize: 32, epochs: 1, dataset: { source: 'circle', size: 200 } },
        },
      ),
    ),
  );
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: work });
  const trained = run('train', 'models/rel.nn.json');
  assert.equal(trained.status, 0, trained.stderr);
  assert.ok(existsSync(join(sub, 'rel.safetensors')), 'the weights are beside the model, not under /models');
  writeFileSync(join(work, 'feed.json'), JSON.stringify({ x: { shape: [1, 2], data: [0, 0] } }));
  const predicted = run('predict', 'models/rel.nn.json', '--feed', 'feed.json');
  assert.equal(predicted.status, 0, predicted.stderr);
  // The prediction comes from the trained weights: the same as the absolute path gives.
  const absolute = cli('predict', join(sub, 'rel.nn.json'), '--feed', join(work, 'feed.json'));
  assert.equal(predicted.stdout, absolute.stdout);
});
