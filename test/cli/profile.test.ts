// `backprop-studio profile`: the table, the JSON (docs/cli.md), usage and input errors, and the analytic FLOPs of the
// MLP template by hand. Measured times are machine-dependent: only checked to be positive, finite and within their
// phase totals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mlpClassifier } from '../../extension/templates/mlpClassifier';

const BIN = join(__dirname, '..', '..', 'bin', 'backprop-studio.js');
const dir = mkdtempSync(join(tmpdir(), 'bps-profile-'));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

const mlpPath = file('mlp.nn.json', mlpClassifier.model);

interface Phases {
  forwardMs: number;
  backwardMs: number;
  updateMs: number;
  stepMs: number;
  backwardOverForward: number;
  stepOverForward: number;
}
interface Row {
  id: string;
  op: string;
  forwardMs: number;
  backwardMs: number;
  forwardFlops: number;
  backwardFlops: number;
  flopRatio: number | null;
}
interface Profile {
  source: string;
  batch: number;
  steps: number;
  warmup: number;
  phases: Phases;
  observedPhases: Phases;
  flops: { forward: number; backward: number; update: number; backwardOverForward: number; stepOverForward: number };
  nodes: Row[];
  backend: { name: string };
  kernels: { kernels: string; threads: number };
}

const positive = (v: number, what: string) => assert.ok(Number.isFinite(v) && v > 0, `${what}: ${v}`);

test('profile on the MLP template: the table, the JSON, and the analytic FLOPs by hand', () => {
  const out = join(dir, 'mlp-profile.json');
  const r = cli('profile', mlpPath, '--steps', '5', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  // The table: the phases with measured and analytic ratios, the rule of thumb, then one row per node.
  const lines = r.stdout.split('\n');
  assert.match(lines[0], /batch of 16 \(the model's dataset, seeded\); medians of 5 steps/);
  // The CPU backend by default, on the WebAssembly kernels on every core (relaxed SIMD: bin/ turns it on in Node 20).
  assert.equal(lines[1], 'backend: CPU');
  assert.match(lines[2], /^kernels: WebAssembly relaxed SIMD, \d+ threads?$/);
  assert.match(r.stdout, /^phase\s+ms\s+× forward\s+analytic × forward$/m);
  for (const phase of ['forward', 'backward', 'update', 'step'])
    assert.match(r.stdout, new RegExp(`^${phase}\\s+\\d+\\.\\d+\\s+\\d+\\.\\d\\d\\s+\\d+\\.\\d\\d$`, 'm'));
  assert.match(r.stdout, /Rule of thumb: backward ≈ 2 × forward, step ≈ 3 × forward/);
  for (const [id, op] of [
    ['fc1', 'Linear'],
    ['act1', 'ReLU'],
    ['fc2', 'Linear'],
    ['act2', 'ReLU'],
    ['fc3', 'Linear'],
    ['loss', 'CrossEntropyLoss'],
    ['total', ''],
  ]) {
    assert.match(r.stdout, new RegExp(`^${id}\\s+${op}\\s+\\d`, 'm'), `a row for ${id}`);
  }

  const p = JSON.parse(readFileSync(out, 'utf8')) as Profile;
  assert.deepEqual(Object.keys(p).sort(), ['backend', 'batch', 'flops', 'kernels', 'nodes', 'observedPhases', 'phases', 'source', 'steps', 'warmup']);
  assert.deepEqual(p.backend, { name: 'cpu' });
  assert.equal(p.kernels.kernels, 'relaxed-simd');
  assert.equal(p.source, 'dataset');
  assert.equal(p.batch, 16);
  assert.equal(p.steps, 5);
  for (const phases of [p.phases, p.observedPhases]) {
    assert.deepEqual(Object.keys(phases).sort(), ['backwardMs', 'backwardOverForward', 'forwardMs', 'stepMs', 'stepOverForward', 'updateMs']);
    for (const [k, v] of Object.entries(phases)) positive(v, k);
  }
  assert.deepEqual(
    p.nodes.map((n) => n.id),
    ['fc1', 'act1', 'fc2', 'act2', 'fc3', 'loss'],
  );
  for (const n of p.nodes) {
    assert.deepEqual(Object.keys(n).sort(), ['backwardFlops', 'backwardMs', 'flopRatio', 'forwardFlops', 'forwardMs', 'id', 'op']);
    positive(n.forwardMs, `${n.id} forward`);
    positive(n.backwardMs, `${n.id} backward`);
  }
  // Per-node times are timed inside the observed steps' phases: together at most those (medians: some slack).
  const sum = (k: 'forwardMs' | 'backwardMs') => p.nodes.reduce((s, n) => s + n[k], 0);
  assert.ok(sum('forwardMs') <= p.observedPhases.forwardMs * 1.5 + 0.05, `forward: nodes ${sum('forwardMs')} vs ${p.observedPhases.forwardMs}`);
  assert.ok(sum('backwardMs') <= p.observedPhases.backwardMs * 1.5 + 0.05, `backward: nodes ${sum('backwardMs')} vs ${p.observedPhases.backwardMs}`);

  // By hand, batch b = 16: Linear i → o forward 2·b·i·o + b·o (bias); backward dW 2·b·i·o, db b·o, and dx 2·b·i·o except
  // for fc1, whose input is the data. ReLU b·16 each way. Cross-entropy over [16, 2]: 4 per logit + 4 per row + 1
  // forward, 8 per logit + 1 per row backward. Adam: 13 per parameter value.
  const b = 16;
  const lin = (i: number, o: number, dx: boolean) => [2 * b * i * o + b * o, (dx ? 2 : 1) * 2 * b * i * o + b * o];
  const expected: Record<string, number[]> = {
    fc1: lin(2, 16, false),
    act1: [b * 16, b * 16],
    fc2: lin(16, 16, true),
    act2: [b * 16, b * 16],
    fc3: lin(16, 2, true),
    loss: [4 * b * 2 + 4 * b + 1, 8 * b * 2 + b],
  };
  for (const n of p.nodes) assert.deepEqual([n.forwardFlops, n.backwardFlops], expected[n.id], n.id);
  const fwd = Object.values(expected).reduce((s, v) => s + v[0], 0),
    bwd = Object.values(expected).reduce((s, v) => s + v[1], 0);
  const params = 2 * 16 + 16 + 16 * 16 + 16 + 16 * 2 + 2;
  assert.deepEqual(p.flops, {
    forward: fwd,
    backward: bwd,
    update: 13 * params,
    backwardOverForward: Number((bwd / fwd).toPrecision(4)),
    stepOverForward: Number(((fwd + bwd + 13 * params) / fwd).toPrecision(4)),
  });
  assert.equal(p.nodes[0].flopRatio, Number((expected.fc1[1] / expected.fc1[0]).toPrecision(4)));
});

test("profile with --feed takes the feed's batch; without --out it prints the table only", () => {
  const feed = file('feed.json', { x: { shape: [3, 2], data: [1, 2, -1, 0.5, 0, -2] }, y: { shape: [3], data: [0, 1, 1] } });
  const r = cli('profile', mlpPath, '--feed', feed, '--steps', '2');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^.*batch of 3 \(the feed\); medians of 2 steps/);
  assert.ok(!r.stdout.includes('{'), 'no JSON on standard output');
});

test('profile: usage errors exit 2 with one line', () => {
  for (const [args, msg] of [
    [['profile'], /profile needs a model file/],
    [['profile', mlpPath, '--steps', '0'], /--steps needs a positive integer/],
    [['profile', mlpPath, '--steps', 'many'], /--steps needs a positive integer/],
    [['profile', mlpPath, '--epochs', '2'], /--epochs does not apply to profile/],
    [['profile', mlpPath, '--target', 'engine'], /--target applies to export/],
    [['profile', mlpPath, 'extra'], /unexpected argument "extra"/],
    [['profile', mlpPath, '--feed'], /--feed needs a value/],
  ] as const) {
    const r = cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, msg);
    assert.equal(r.stdout, '');
  }
});

test('profile: a bad model, a model without a dataset, or a bad feed exits 1 and writes nothing', () => {
  const out = join(dir, 'never.json');
  const bad = structuredClone(mlpClassifier.model);
  (bad.nodes[3].attrs as Record<string, unknown>).outFeatures = -2;
  const r = cli('profile', file('bad.nn.json', bad), '--out', out);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /"fc2".*outFeatures/);
  const noData = structuredClone(mlpClassifier.model);
  delete (noData as { training?: unknown }).training;
  const r2 = cli('profile', file('nodata.nn.json', noData), '--out', out);
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /no training\.dataset for profile to take a batch from; pass --feed FEED\.json/);
  const r3 = cli('profile', mlpPath, '--feed', file('badfeed.json', { x: { shape: [1, 3], data: [1, 2, 3] } }), '--out', out);
  assert.equal(r3.code, 1);
  assert.match(r3.stderr, /"x"/);
  for (const x of [r, r2, r3]) assert.equal(x.stderr.trim().split('\n').length, 1);
  assert.equal(existsSync(out), false);
});

test('profile: --out is checked before the work (a missing folder exits 1), and an existing file is replaced', () => {
  const r = cli('profile', mlpPath, '--out', join(dir, 'no-such-folder', 'p.json'));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot write --out .*does not exist/);
  assert.equal(r.stdout, '', 'nothing ran');
  const out = file('old.json', 'old');
  assert.equal(cli('profile', mlpPath, '--steps', '1', '--out', out).code, 0);
  assert.equal((JSON.parse(readFileSync(out, 'utf8')) as Profile).steps, 1);
});

test('profile: a non-finite loss exits 3 naming the node', () => {
  const m = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'lin', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'lg', op: 'Log' },
      { id: 's', op: 'Sum' },
    ],
    edges: [
      { from: 'x', to: 'lin' },
      { from: 'lin', to: 'lg' },
      { from: 'lg', to: 's' },
    ],
    params: { 'lin.weight': { shape: [2, 2], data: [1, 0, 0, 1] }, 'lin.bias': { shape: [2], data: [0, 0] } },
  };
  const out = join(dir, 'nan.json');
  const r = cli('profile', file('nan.nn.json', m), '--feed', file('nanfeed.json', { x: { shape: [1, 2], data: [-1, 2] } }), '--out', out);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /node "lg" \(Log\)/);
  assert.equal(existsSync(out), false);
});
