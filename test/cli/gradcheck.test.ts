// `backprop-studio gradcheck` through the real binary: the table, the JSON, --node, --samples, --eps, and the exit
// codes 0 (all pass), 4 (a gradient disagrees: a genuine case, float32 unable to resolve its loss), and 2, 1, 3 first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'backprop-studio.js');
const XOR = join(ROOT, 'examples', 'xor.nn.json');
const XOR_FEED = join(ROOT, 'examples', 'xor.feed.json');
const dir = mkdtempSync(join(tmpdir(), 'bps-gradcheck-'));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(content));
  return p;
}

/** x [1] → fc → MSELoss; with x = y = 1e8 and bias 0.5, float32 computes 1e8 + 0.5 = 1e8: a zero loss and gradients. */
const scale = file('scale.nn.json', {
  format: 'nn-graph',
  version: 1,
  name: 'scale',
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [1] } },
    { id: 'fc', op: 'Linear', attrs: { outFeatures: 1 } },
    { id: 'y', op: 'Target', attrs: { shape: [1] } },
    { id: 'loss', op: 'MSELoss' },
  ],
  edges: [
    { from: 'x', to: 'fc' },
    { from: 'fc', to: 'loss' },
    { from: 'y', to: 'loss', port: 1 },
  ],
  params: { 'fc.weight': { shape: [1, 1], data: [1] }, 'fc.bias': { shape: [1], data: [0.5] } },
});
const scaleFeed = file('scale.feed.json', { x: { shape: [1, 1], data: [1e8] }, y: { shape: [1, 1], data: [1e8] } });

interface Result {
  passed: boolean;
  checked: number;
  kinks: number;
  tensors: {
    name: string;
    nodeId: string;
    checked: number;
    status: string;
    relError: number;
    forwardPasses: number;
    entries: { index: number; verdict: string }[];
  }[];
  backprop: { backwardPasses: number; backwardMs: number; gradients: number };
  numeric: { forwardPasses: number; ms: number; timeRatio: number; allValues: { forwardPasses: number } };
  eps: number;
  samples: number;
  feed: string;
}

const readResult = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Result;

test('exit 0 on the XOR example: a row per tensor, the totals, and the cost of finite differences against backprop', () => {
  const out = join(dir, 'xor.json');
  const r = cli('gradcheck', XOR, '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  for (const name of ['x', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'])
    assert.match(r.stdout, new RegExp(`^${name.replace('.', '\\.')}\\s.*\\spass$`, 'm'));
  const res = readResult(out);
  assert.ok(res.passed);
  assert.equal(res.feed, 'training.dataset (the first training batch)');
  // Without --feed: the first batch of the model's own dataset, its four inline rows (the truth table, batch 4):
  // x is [4, 2], 8 entries, all checked, as are fc1's 16 + 8 and fc2's 16 + 2 values.
  assert.equal(res.tensors[0].checked, 8);
  assert.equal(res.checked, 8 + 16 + 8 + 16 + 2);
  assert.equal(res.numeric.forwardPasses, 2 * res.checked);
  assert.equal(res.backprop.gradients, 8 + 16 + 8 + 16 + 2);
  assert.match(r.stdout, new RegExp(`backprop: +1 backward pass, [0-9.]+ ms, gave all ${res.backprop.gradients} gradient values at once`));
  assert.match(r.stdout, new RegExp(`finite differences: +${res.numeric.forwardPasses} forward passes \\(2 per checked entry, ${res.checked} entries\\)`));
  assert.match(r.stdout, /all 5 tensors pass; 0 entries at a kink/);
});

test('--feed, --node, --samples and --eps shape what is checked', () => {
  const out = join(dir, 'node.json');
  const r = cli('gradcheck', XOR, '--feed', XOR_FEED, '--node', 'fc1', '--samples', '3', '--eps', '1e-5', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  const res = readResult(out);
  assert.equal(res.feed, XOR_FEED);
  assert.deepEqual(
    res.tensors.map((t) => t.name),
    ['fc1.weight', 'fc1.bias'],
  );
  assert.deepEqual(
    res.tensors.map((t) => t.checked),
    [3, 3],
  );
  assert.equal(res.eps, 1e-5);
  assert.equal(res.samples, 3);
  assert.doesNotMatch(r.stdout, /^fc2/m);
  // The feed's Input: 4 × 2 entries, all of them at --samples 8.
  const x = join(dir, 'x.json');
  assert.equal(cli('gradcheck', XOR, '--feed', XOR_FEED, '--node', 'x', '--samples', '8', '--out', x).code, 0);
  assert.deepEqual(
    readResult(x).tensors[0].entries.map((e) => e.index),
    [0, 1, 2, 3, 4, 5, 6, 7],
  );
});

test('exit 4 when a gradient disagrees: float32 cannot resolve this loss, float64 can; the JSON is still written', () => {
  const out = join(dir, 'scale.json');
  const r = cli('gradcheck', scale, '--feed', scaleFeed, '--out', out);
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stdout, /^fc\.bias\s.*\sFAIL$/m);
  assert.match(r.stdout, /3 of 3 tensors FAIL/);
  const res = readResult(out);
  assert.equal(res.passed, false);
  assert.deepEqual(
    res.tensors.map((t) => t.status),
    ['fail', 'fail', 'fail'],
  );
});

test('exit 3 for a non-finite loss, naming the node; nothing written', () => {
  const nan = file('nan.nn.json', {
    format: 'nn-graph',
    version: 1,
    name: 'nan',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [1] } },
      { id: 'fc', op: 'Linear', attrs: { outFeatures: 1 } },
      { id: 'root', op: 'Pow', attrs: { exponent: 0.5 } },
      { id: 'y', op: 'Target', attrs: { shape: [1] } },
      { id: 'loss', op: 'MSELoss' },
    ],
    edges: [
      { from: 'x', to: 'fc' },
      { from: 'fc', to: 'root' },
      { from: 'root', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    params: { 'fc.weight': { shape: [1, 1], data: [1] }, 'fc.bias': { shape: [1], data: [-5] } },
  });
  const out = join(dir, 'nan.json');
  const r = cli('gradcheck', nan, '--feed', file('nan.feed.json', { x: { shape: [1, 1], data: [1] }, y: { shape: [1, 1], data: [0] } }), '--out', out);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /^backprop-studio: non-finite values first appeared in the output of node "root"/);
  assert.ok(!existsSync(out));
});

test('exit 1 for a bad model or feed, or no dataset to take a batch from', () => {
  const noData = file('nodata.nn.json', { ...JSON.parse(readFileSync(XOR, 'utf8')), training: { seed: 0 } });
  let r = cli('gradcheck', noData);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /the model has no training\.dataset for gradcheck to take a batch from; pass --feed FEED\.json/);
  r = cli('gradcheck', XOR, '--feed', file('bad.feed.json', { x: { shape: [4, 3], data: new Array(12).fill(0) } }));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /feed "x" must have shape \[N, 2\]/);
  r = cli('gradcheck', join(dir, 'missing.nn.json'));
  assert.equal(r.code, 1);
});

test('exit 2 for usage errors, before the model is read', () => {
  const missing = join(dir, 'missing.nn.json');
  for (const [args, message] of [
    [['--samples', '0'], /--samples needs a positive integer/],
    [['--samples', '2.5'], /--samples needs a positive integer/],
    [['--eps', 'abc'], /--eps needs a number between 0 and 1/],
    [['--eps', '-1e-6'], /--eps needs a number between 0 and 1/],
    [['--steps', '3'], /--steps does not apply to gradcheck/],
    [['--target', 'engine'], /--target applies to export, not gradcheck/],
  ] as [string[], RegExp][]) {
    const r = cli('gradcheck', missing, ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  // The node is checked against the model: after it is read, still a usage error.
  let r = cli('gradcheck', XOR, '--node', 'act1');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--node: node "act1" \(ReLU\) has no parameters or float input to check; nodes that have: x, fc1, fc2/);
  r = cli('gradcheck', XOR, '--node', 'nope');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--node: the model has no node "nope"/);
  // gradcheck's options belong to it alone.
  r = cli('grad', XOR, '--feed', XOR_FEED, '--samples', '3');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--samples applies to gradcheck, not grad/);
  assert.match(cli('--help').stdout, /gradcheck MODEL\.nn\.json \[--feed FEED\.json\] \[--node ID\] \[--samples K\] \[--eps E\] \[--out FILE\.json\]/);
});
