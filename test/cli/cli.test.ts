// The command-line contract of ../shared/spec/graph-format.md, exercised through the real binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSafetensors } from '../../engine';

const BIN = join(__dirname, '..', '..', 'bin', 'backprop-studio.js');
const dir = mkdtempSync(join(tmpdir(), 'bps-cli-'));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content));
  return p;
}

const W1 = [0.5, -0.25, 0.75, 0.1, -0.6, 0.3];
const B1 = [0.05, -0.1, 0.2];
const W2 = [0.3, -0.2, 0.4, -0.5, 0.1, 0.6];
const B2 = [0.01, -0.02];

function mlp(extra: Record<string, unknown> = {}) {
  return {
    format: 'nn-graph',
    version: 1,
    name: 'tiny',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 3 } },
      { id: 'act', op: 'Tanh' },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'act' },
      { from: 'act', to: 'fc2' },
      { from: 'fc2', to: 'loss', port: 0 },
      { from: 'y', to: 'loss', port: 1 },
    ],
    params: {
      'fc1.weight': { shape: [3, 2], data: W1 },
      'fc1.bias': { shape: [3], data: B1 },
      'fc2.weight': { shape: [2, 3], data: W2 },
      'fc2.bias': { shape: [2], data: B2 },
    },
    training: { seed: 0, optimizer: { type: 'SGD', lr: 0.5 } },
    ...extra,
  };
}

const X = [1, 2, -1, 0.5, 0, -2];
const Y = [0, 1, 1];
const feed = { x: { shape: [3, 2], data: X }, y: { shape: [3], data: Y } };

/** The tiny MLP's forward in float64, written from the formulas. */
function reference() {
  const logits: number[][] = [];
  for (let n = 0; n < 3; n++) {
    const h = [0, 1, 2].map((j) => Math.tanh(W1[j * 2] * X[n * 2] + W1[j * 2 + 1] * X[n * 2 + 1] + B1[j]));
    logits.push([0, 1].map((k) => W2[k * 3] * h[0] + W2[k * 3 + 1] * h[1] + W2[k * 3 + 2] * h[2] + B2[k]));
  }
  const loss = logits.reduce((s, l, n) => s + Math.log(Math.exp(l[0]) + Math.exp(l[1])) - l[Y[n]], 0) / 3;
  // d loss / d fc2.bias = mean over the batch of softmax − one-hot
  const gb2 = [0, 1].map((k) => logits.reduce((s, l, n) => s + Math.exp(l[k]) / (Math.exp(l[0]) + Math.exp(l[1])) - (Y[n] === k ? 1 : 0), 0) / 3);
  return { logits, loss, gb2 };
}

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol + 1e-4 * Math.abs(b), `${a} vs ${b}`);

test('--help lists the commands; no arguments or a bad command is a usage error (exit 2, one line)', () => {
  const h = cli('--help');
  assert.equal(h.code, 0);
  for (const c of ['grad', 'train', 'predict', 'export']) assert.match(h.stdout, new RegExp(`^  ${c} `, 'm'));
  assert.equal(cli().code, 2);
  const bad = cli('frobnicate');
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /unknown command "frobnicate"/);
  const noSteps = cli('train', file('m0.nn.json', mlp()), '--feed', file('f0.json', feed));
  assert.equal(noSteps.code, 2);
  assert.match(noSteps.stderr, /--steps/);
});

test('grad: loss, every node output and every gradient, matching the formulas', () => {
  const r = cli('grad', file('m1.nn.json', mlp()), '--feed', file('f1.json', feed));
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const ref = reference();
  close(out.loss, ref.loss);
  assert.deepEqual(Object.keys(out.outputs).sort(), ['act', 'fc1', 'fc2', 'loss', 'x', 'y']);
  assert.deepEqual(out.outputs.fc2.shape, [3, 2]);
  ref.logits.flat().forEach((v, i) => close(out.outputs.fc2.data[i], v));
  assert.deepEqual(Object.keys(out.grads).sort(), ['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight', 'x']);
  ref.gb2.forEach((v, i) => close(out.grads['fc2.bias'].data[i], v));
  assert.deepEqual(out.grads.x.shape, [3, 2]);
});

test('grad: a parameter the loss does not reach has a zero gradient', () => {
  const m = mlp();
  m.nodes.push({ id: 'side', op: 'Linear', attrs: { outFeatures: 4 } });
  m.edges.push({ from: 'x', to: 'side' });
  const r = cli('grad', file('m2.nn.json', m), '--feed', file('f2.json', feed));
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.grads['side.weight'].shape, [4, 2]);
  assert.ok(out.grads['side.weight'].data.every((v: number) => v === 0));
  assert.ok(out.grads['fc1.weight'].data.some((v: number) => v !== 0));
});

test('train: losses before each step, and one SGD step is p − lr·grad', () => {
  const g = JSON.parse(cli('grad', file('m3.nn.json', mlp()), '--feed', file('f3.json', feed)).stdout);
  const r = cli('train', file('m3.nn.json', mlp()), '--feed', file('f3.json', feed), '--steps', '1');
  assert.equal(r.code, 0, r.stderr);
  const t = JSON.parse(r.stdout);
  assert.equal(t.losses.length, 1);
  close(t.losses[0], g.loss);
  const p0 = mlp().params;
  for (const key of Object.keys(p0) as (keyof typeof p0)[]) {
    p0[key].data.forEach((v, i) => close(t.params[key].data[i], v - 0.5 * g.grads[key].data[i]));
  }
  const many = JSON.parse(cli('train', file('m3.nn.json', mlp()), '--feed', file('f3.json', feed), '--steps', '50').stdout);
  assert.equal(many.losses.length, 50);
  assert.ok(many.losses[49] < many.losses[0] / 2, `loss should fall: ${many.losses[0]} → ${many.losses[49]}`);
});

test('train: buffers are written with the parameters (BatchNorm running statistics)', () => {
  const m = mlp();
  m.nodes.splice(2, 0, { id: 'bn', op: 'BatchNorm1d' });
  m.edges = [
    { from: 'x', to: 'fc1' },
    { from: 'fc1', to: 'bn' },
    { from: 'bn', to: 'act' },
    { from: 'act', to: 'fc2' },
    { from: 'fc2', to: 'loss', port: 0 },
    { from: 'y', to: 'loss', port: 1 },
  ];
  const t = JSON.parse(cli('train', file('m4.nn.json', m), '--feed', file('f4.json', feed), '--steps', '1').stdout);
  for (const k of ['bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var']) assert.ok(t.params[k], k);
  // running_mean = 0.9·0 + 0.1·(batch mean of fc1's output)
  const fc1 = [0, 1, 2].map((j) => [0, 1, 2].reduce((s, n) => s + W1[j * 2] * X[n * 2] + W1[j * 2 + 1] * X[n * 2 + 1] + B1[j], 0) / 3);
  fc1.forEach((v, j) => close(t.params['bn.running_mean'].data[j], 0.1 * v));
});

test('predict: eval-mode outputs of the output nodes, no Target needed', () => {
  const r = cli('predict', file('m5.nn.json', mlp()), '--feed', file('f5.json', { x: feed.x }));
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out.outputs), ['fc2']);
  reference()
    .logits.flat()
    .forEach((v, i) => close(out.outputs.fc2.data[i], v));
});

test('predict reads parameters from the safetensors sidecar; inline params win', () => {
  const m = mlp({ weights: 'tiny.safetensors' }) as ReturnType<typeof mlp> & { params?: unknown };
  const inline = { 'fc1.weight': m.params['fc1.weight'], 'fc1.bias': m.params['fc1.bias'], 'fc2.weight': m.params['fc2.weight'] };
  const sidecar = encodeSafetensors({
    'fc2.bias': { dtype: 'F32', shape: [2], data: Float32Array.from(B2) },
    'fc2.weight': { dtype: 'F32', shape: [2, 3], data: new Float32Array(6).fill(99) },
  });
  file('tiny.safetensors', sidecar);
  const out = JSON.parse(cli('predict', file('m6.nn.json', { ...m, params: inline }), '--feed', file('f6.json', { x: feed.x })).stdout);
  reference()
    .logits.flat()
    .forEach((v, i) => close(out.outputs.fc2.data[i], v));
});

test('--out writes the result; a bad model exits 1 with one line naming the node and writes nothing', () => {
  const outPath = join(dir, 'result.json');
  assert.equal(cli('grad', file('m7.nn.json', mlp()), '--feed', file('f7.json', feed), '--out', outPath).code, 0);
  assert.ok(JSON.parse(readFileSync(outPath, 'utf8')).loss > 0);
  const bad = mlp();
  (bad.nodes[3].attrs as Record<string, unknown>).outFeatures = -2;
  const badOut = join(dir, 'bad-result.json');
  const r = cli('grad', file('m8.nn.json', bad), '--feed', file('f8.json', feed), '--out', badOut);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /"fc2".*outFeatures/);
  assert.equal(existsSync(badOut), false);
});

test('bad feeds exit 1 naming the key', () => {
  const m = file('m9.nn.json', mlp());
  const wrongShape = cli('grad', m, '--feed', file('f9a.json', { ...feed, x: { shape: [3, 3], data: new Array(9).fill(0) } }));
  assert.equal(wrongShape.code, 1);
  assert.match(wrongShape.stderr, /"x".*\[N, 2\].*\[3, 3\]/);
  const unknown = cli('grad', m, '--feed', file('f9b.json', { ...feed, z: { shape: [1], data: [0] } }));
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /"z"/);
  const missing = cli('grad', m, '--feed', file('f9c.json', { x: feed.x }));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /"y" is missing/);
  const badLabel = cli('grad', m, '--feed', file('f9d.json', { ...feed, y: { shape: [3], data: [0, 5, 1] } }));
  assert.equal(badLabel.code, 1);
  assert.match(badLabel.stderr, /target 5/);
  const notJson = cli('grad', m, '--feed', file('f9e.json', '{"x": '));
  assert.equal(notJson.code, 1);
  assert.match(notJson.stderr, /not valid JSON/);
});

test('a non-finite loss exits 3 naming the first node in forward order where it appeared', () => {
  const m = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'lin', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'lg', op: 'Log' },
      { id: 'ex', op: 'Exp' },
      { id: 's', op: 'Sum' },
    ],
    edges: [
      { from: 'x', to: 'lin' },
      { from: 'lin', to: 'lg' },
      { from: 'lg', to: 'ex' },
      { from: 'ex', to: 's' },
    ],
    params: { 'lin.weight': { shape: [2, 2], data: [1, 0, 0, 1] }, 'lin.bias': { shape: [2], data: [0, 0] } },
  };
  const outPath = join(dir, 'nan-result.json');
  const r = cli('grad', file('m10.nn.json', m), '--feed', file('f10.json', { x: { shape: [1, 2], data: [-1, 2] } }), '--out', outPath);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /node "lg" \(Log\)/);
  assert.equal(existsSync(outPath), false);
});

test('a non-finite gradient (finite loss) exits 3 naming the node', () => {
  // sqrt(0) is 0 but its derivative is infinite.
  const m = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'root', op: 'Pow', attrs: { exponent: 0.5 } },
      { id: 's', op: 'Sum' },
    ],
    edges: [
      { from: 'x', to: 'root' },
      { from: 'root', to: 's' },
    ],
  };
  const r = cli('grad', file('m11.nn.json', m), '--feed', file('f11.json', { x: { shape: [1, 2], data: [0, 4] } }));
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /gradient/);
  assert.match(r.stderr, /"x"|"root"/);
});
