// The graph compiler end to end: random valid models validate, their static shapes match the generator's
// own arithmetic and the run-time shapes, the loss's gradients match finite differences through the whole
// graph, edge gradients add up to node gradients, shapes are known without running, and every kind of
// broken model file gets an error that names the culprit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GraphModel,
  GraphValidationError,
  LIMITS,
  Tensor,
  allOps,
  analyzeModel,
  noGrad,
  type Dim,
  type ForwardOptions,
  type GraphError,
  type GraphErrorCode,
  type ModelJson,
  type NodeJson,
} from '../../engine';
import { randomModel, type Feeds } from './randomGraph';

const SEEDS = Array.from({ length: 30 }, (_, i) => i);

function tensors(feeds: Feeds, withGrad: (id: string) => boolean = () => false): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [id, f] of Object.entries(feeds)) out[id] = Tensor.fromData(f.data, f.shape, f.dtype, f.dtype === 'float32' && withGrad(id));
  return out;
}

const atBatch = (shape: readonly Dim[], batch: number) => shape.map((d) => (d === 'N' ? batch : d));
const isSourceOp = (op: string) => op === 'Input' || op === 'Target';
const isLossOp = (op: string) => op.endsWith('Loss');

/** Outputs by the spec's rule, read off the JSON: what feeds port 0 of a loss, or the sinks. */
function specOutputs(m: ModelJson): string[] {
  const losses = new Set(m.nodes.filter((n) => isLossOp(n.op)).map((n) => n.id));
  if (losses.size) return [...new Set(m.edges.filter((e) => losses.has(e.to) && (e.port ?? 0) === 0).map((e) => e.from))].sort();
  const fed = new Set(m.edges.map((e) => e.from));
  return m.nodes
    .filter((n) => !isSourceOp(n.op) && !fed.has(n.id))
    .map((n) => n.id)
    .sort();
}

const floatInputs = (m: ModelJson) =>
  new Set(m.nodes.filter((n) => n.op === 'Input' && ((n.attrs as { dtype?: string } | undefined)?.dtype ?? 'float32') === 'float32').map((n) => n.id));

// ───────────────────────────── random graphs: validity and shapes ─────────────────────────────

test('30 random graphs cover every op of the registry', () => {
  const seen = new Set<string>();
  for (const seed of SEEDS) for (const op of randomModel(seed).ops) seen.add(op);
  const missing = allOps()
    .map((s) => s.op)
    .filter((op) => !seen.has(op));
  assert.deepEqual(missing, [], `ops no random graph uses: ${missing.join(', ')}`);
});

test('random graphs validate, and static types match the generator and the run-time shapes at two batch sizes', () => {
  for (const seed of SEEDS) {
    const rm = randomModel(seed);
    const where = `seed ${seed}`;
    const a = analyzeModel(JSON.stringify(rm.model));
    assert.deepEqual(
      a.errors.map((e) => e.message),
      [],
      where,
    );
    assert.equal(a.nodes.size, rm.model.nodes.length, where);
    for (const n of rm.model.nodes) assert.deepEqual(a.nodes.get(n.id)!.type, rm.types[n.id], `${where}: static type of ${n.id} (${n.op})`);

    const model = GraphModel.create(rm.model);
    // Parameters and buffers: exactly the generator's keys and shapes.
    const state = Object.fromEntries([...model.state].map(([k, t]) => [k, [...t.shape]]));
    assert.deepEqual(state, rm.paramShapes, where);
    for (const k of Object.keys(rm.paramShapes)) assert.equal(model.isBuffer(k), rm.buffers.includes(k), `${where}: ${k}`);
    for (const [k, t] of Object.entries(rm.model.params ?? {})) assert.deepEqual([...model.state.get(k)!.dataSync()], t.data, `${where}: inline ${k}`);
    assert.deepEqual([...model.outputs].sort(), specOutputs(rm.model), where);

    for (const [batch, training] of [
      [1, false],
      [4, true],
    ] as const) {
      const pass = model.forward(tensors(rm.feedsFor(batch)), { training, computeLoss: true, step: seed });
      for (const n of rm.model.nodes) {
        const v = pass.values.get(n.id);
        assert.ok(v, `${where}: no value for ${n.id}`);
        assert.deepEqual([...v.shape], atBatch(rm.types[n.id].shape, batch), `${where}, batch ${batch}: run-time shape of ${n.id} (${n.op})`);
        assert.equal(v.dtype, rm.types[n.id].dtype, `${where}: dtype of ${n.id}`);
      }
      // The loss: the sum of the loss nodes, or of every element of the single sink.
      const losses = rm.model.nodes.filter((n) => isLossOp(n.op)).map((n) => n.id);
      const parts = losses.length ? losses.map((id) => pass.values.get(id)!.itemSync()) : [...pass.values.get(specOutputs(rm.model)[0])!.dataSync()];
      const expected = parts.reduce((s, v) => s + v, 0);
      const loss = pass.loss!.itemSync();
      assert.ok(Number.isFinite(loss), `${where}: loss ${loss}`);
      assert.ok(Math.abs(loss - expected) <= 1e-5 * (1 + parts.reduce((s, v) => s + Math.abs(v), 0)), `${where}: loss ${loss}, expected ${expected}`);
    }
  }
});

// ───────────────────────────── random graphs: gradients against finite differences ─────────────────────────────

/**
 * Finite differences on the engine itself (float32 forward), to check the graph's wiring and chain rule
 * rather than single ops (ops.test.ts checks those in float64).
 *
 * For every trainable parameter and every float32 Input, along three directions v (two random ±1
 * vectors and one coordinate): D(h) = (L(θ + h·v) − L(θ − h·v)) / 2h at h = 1e-2 and h/2, combined by
 * one Richardson step R = (4·D(h/2) − D(h)) / 3, whose truncation error is O(h⁴) — negligible here (the
 * graphs keep values O(1): see randomGraph.ts). R is compared with the analytic ⟨∇L, v⟩.
 *
 * Tolerance: |R − ⟨∇L, v⟩| ≤ 1e-2·S + 40·ε·(1 + |L|)/h, with S = Σ|∂L/∂θᵢ·vᵢ| and ε = 2⁻²⁴.
 *  - The second term is rounding: the float32 loss is only known to a few ulps of its size, and R
 *    divides that by h (times (8 + 1)/3 for the Richardson weights).
 *  - The first is relative to S, the size of the terms making up the directional derivative (a
 *    normalisation layer's or softmax's gradient sums terms that cancel).
 *  Measured over these 30 graphs, every check away from a kink is within 2e-3·S + 2.1·ε·(1 + |L|)/h:
 *  a margin of 5× and 20×, while a wiring mistake — a gradient lost on one of two edges, counted twice,
 *  sent to the wrong port or the wrong parameter — is off by a sizeable fraction of S.
 *
 * Kinks (ReLU or LeakyReLU at 0, ties in a max-pool window): with the kink a distance a from θ along v
 * and a slope jump J, R is off by up to J/2, yet D(h) and D(h/2) differ by only J·a/2h — nothing when
 * a ≪ h. The second differences s(h) = L(+h) − 2L + L(−h) catch that case: smooth, s(h) ≈ 4·s(h/2);
 * across a kink |s(h) − 4·s(h/2)|/h ≈ J·|1 − 3a/h|. R's error stays below 1.2× the larger of the two
 * statistics for any a, so a check whose statistic passes half the tolerance cannot fail from a kink;
 * one that does not is retried at h/8 and skipped if still not smooth (at most 5% may be).
 *
 * Dropout's masks depend on (seed, step, node) only, so the same step gives the same mask in every
 * evaluation; two thirds of the graphs run in training mode (Dropout on, BatchNorm on batch statistics),
 * the rest in eval mode.
 */
test('random graphs: gradients w.r.t. every parameter and float Input match central differences', (t) => {
  const EPS = 2 ** -24;
  const H = 1e-2;
  let checks = 0;
  let skipped = 0;
  let worst = 0;
  const failures: string[] = [];
  for (const seed of SEEDS) {
    const rm = randomModel(seed);
    const model = GraphModel.create(rm.model);
    const opts: ForwardOptions = { training: seed % 3 !== 2, computeLoss: true, step: 3 };
    const fl = floatInputs(rm.model);
    const feedJson = rm.feedsFor(4, seed + 100);
    const feeds = tensors(feedJson, (id) => fl.has(id));
    model.zeroGrad();
    const pass = model.forward(feeds, opts);
    const L = pass.loss!.itemSync();
    pass.loss!.backward();

    const plain = tensors(feedJson);
    const lossNow = () => noGrad(() => model.forward(plain, opts).loss!.itemSync());
    const L0 = lossNow();
    assert.equal(L0, L, `seed ${seed}: the loss is not reproducible`);
    const targets: { name: string; base: Float32Array; grad: Float32Array; set: (v: Float32Array) => void }[] = [];
    for (const [key, t] of model.namedParameters()) {
      targets.push({
        name: key,
        base: Float32Array.from(t.dataSync()),
        // A parameter the loss does not reach has no gradient: zero.
        grad: t.grad ? Float32Array.from(t.grad.dataSync()) : new Float32Array(t.size),
        set: (v) => {
          t.storage = Tensor.fromData(v, t.shape).storage;
        },
      });
    }
    for (const id of fl) {
      const t = feeds[id];
      targets.push({
        name: `input ${id}`,
        base: Float32Array.from(t.dataSync()),
        grad: t.grad ? Float32Array.from(t.grad.dataSync()) : new Float32Array(t.size),
        set: (v) => {
          plain[id] = Tensor.fromData(v, t.shape);
        },
      });
    }
    assert.ok(targets.length > 0, `seed ${seed}: nothing to check`);
    const rng = new (class {
      s = seed * 7919 + 17;
      next() {
        this.s = (Math.imul(this.s, 1103515245) + 12345) >>> 0;
        return this.s / 2 ** 32;
      }
    })();

    for (const tg of targets) {
      const n = tg.base.length;
      for (let d = 0; d < 3; d++) {
        const v = new Float64Array(n);
        if (d < 2) for (let i = 0; i < n; i++) v[i] = rng.next() < 0.5 ? -1 : 1;
        else v[Math.floor(rng.next() * n)] = 1;
        let analytic = 0,
          S = 0;
        for (let i = 0; i < n; i++) {
          analytic += tg.grad[i] * v[i];
          S += Math.abs(tg.grad[i] * v[i]);
        }
        const at = (h: number) => {
          tg.set(Float32Array.from(tg.base, (b, i) => b + h * v[i]));
          const up = lossNow();
          tg.set(Float32Array.from(tg.base, (b, i) => b - h * v[i]));
          const down = lossNow();
          tg.set(tg.base);
          return [up, down];
        };
        checks++;
        let done = false;
        for (const h of [H, H / 8]) {
          const tol = 1e-2 * S + (40 * EPS * (1 + Math.abs(L))) / h;
          const [u1, d1] = at(h),
            [u2, d2] = at(h / 2);
          const D1 = (u1 - d1) / (2 * h),
            D2 = (u2 - d2) / h;
          // Smooth: D(h) ≈ D(h/2), and the second difference s(h) = L(+h) − 2L(0) + L(−h) ≈ 4·s(h/2).
          const kink = Math.max(Math.abs(D1 - D2), Math.abs(u1 - 2 * L0 + d1 - 4 * (u2 - 2 * L0 + d2)) / h);
          if (kink > tol / 2) continue;
          const r = (4 * D2 - D1) / 3;
          worst = Math.max(worst, Math.abs(r - analytic) / tol);
          if (Math.abs(r - analytic) > tol) {
            failures.push(
              `seed ${seed} (${[...rm.ops].join(' ')}): ${tg.name}, direction ${d}: finite differences ${r}, backward ${analytic} (tolerance ${tol.toExponential(2)})`,
            );
          }
          done = true;
          break;
        }
        if (!done) skipped++;
      }
    }
  }
  t.diagnostic(`${checks} checks, ${skipped} skipped as not smooth, worst error ${worst.toFixed(3)} of the tolerance`);
  assert.deepEqual(failures, []);
  assert.ok(checks > 300, `only ${checks} checks`);
  assert.ok(skipped <= 0.05 * checks, `${skipped} of ${checks} checks skipped as not smooth`);
});

// ───────────────────────────── edge gradients ─────────────────────────────

function edgeIndex(m: ModelJson, from: string, to: string, port = 0): number {
  const i = m.edges.findIndex((e) => e.from === from && e.to === to && (e.port ?? 0) === port);
  assert.ok(i >= 0, `no edge ${from} → ${to}:${port}`);
  return i;
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) => {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

test('edge gradients: the two edges leaving a residual node carry different gradients that add up to the node gradient', () => {
  // x [3] → fc1 (Linear 4) → relu → fc2 (Linear 4) → res = Add(fc1, fc2); no loss node: L = Σ res.
  const W1 = [
    [0.5, -0.2, 0.1],
    [-0.3, 0.4, 0.2],
    [0.25, 0.15, -0.35],
    [-0.1, -0.45, 0.3],
  ];
  const b1 = [0.05, -0.1, 0.2, 0.0];
  const W2 = [
    [0.2, -0.1, 0.3, 0.05],
    [0.4, 0.1, -0.2, 0.15],
    [-0.25, 0.35, 0.1, -0.3],
    [0.05, -0.4, 0.2, 0.25],
  ];
  const b2 = [0.1, 0.0, -0.1, 0.2];
  const model: ModelJson = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [3] } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 4 } },
      { id: 'relu', op: 'ReLU' },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 4 } },
      { id: 'res', op: 'Add' },
    ],
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'relu' },
      { from: 'relu', to: 'fc2' },
      { from: 'fc1', to: 'res', port: 0 },
      { from: 'fc2', to: 'res', port: 1 },
    ],
    params: {
      'fc1.weight': { shape: [4, 3], data: W1.flat() },
      'fc1.bias': { shape: [4], data: b1 },
      'fc2.weight': { shape: [4, 4], data: W2.flat() },
      'fc2.bias': { shape: [4], data: b2 },
    },
  };
  const xs = [
    [1, 2, -1],
    [-0.5, 0.3, 0.8],
  ];
  const g = GraphModel.create(model);
  const x = Tensor.fromData(xs.flat(), [2, 3], 'float32', true);
  const pass = g.forward({ x }, { training: true, edgeGrads: true, retainGrads: true });
  pass.loss!.backward();

  // By hand: dL/dres = 1, so the edge fc1 → res carries ones; the edge fc1 → relu carries
  // (1·W2)ⱼ = Σᵢ W2[i][j] where fc1 > 0, else 0; fc1's gradient is their sum.
  const h1 = xs.map((row) => W1.map((w, j) => w.reduce((s, wk, k) => s + wk * row[k], b1[j])));
  for (const row of h1) for (const v of row) assert.ok(Math.abs(v) > 0.05, 'keep fc1 away from the ReLU kink');
  assert.ok(h1.flat().some((v) => v > 0) && h1.flat().some((v) => v < 0));
  const colSum = [0, 1, 2, 3].map((j) => W2.reduce((s, r) => s + r[j], 0));
  const toRelu = h1.flatMap((row) => row.map((v, j) => (v > 0 ? colSum[j] : 0)));
  const toRes = Array(8).fill(1);
  const eRelu = pass.edgeGrads.get(edgeIndex(model, 'fc1', 'relu'))!;
  const eRes = pass.edgeGrads.get(edgeIndex(model, 'fc1', 'res', 0))!;
  assert.deepEqual([...eRelu.shape], [2, 4]);
  assert.deepEqual([...eRes.shape], [2, 4]);
  close(eRes.dataSync(), toRes, 1e-6, 'fc1 → res');
  close(eRelu.dataSync(), toRelu, 1e-6, 'fc1 → relu');
  assert.notDeepEqual([...eRelu.dataSync()], [...eRes.dataSync()]);
  const node = pass.values.get('fc1')!.grad!;
  close(
    node.dataSync(),
    toRes.map((v, i) => v + toRelu[i]),
    1e-6,
    'grad of fc1',
  );
  // The edge x → fc1 carries fc1's gradient times W1; the Input's own gradient is the same.
  const gx = [0, 1].flatMap((n) => [0, 1, 2].map((k) => W1.reduce((s, w, j) => s + w[k] * (1 + (h1[n][j] > 0 ? colSum[j] : 0)), 0)));
  close(pass.edgeGrads.get(edgeIndex(model, 'x', 'fc1'))!.dataSync(), gx, 1e-6, 'x → fc1');
  close(x.grad!.dataSync(), gx, 1e-6, 'grad of x');
  // fc2 → res and relu → fc2 carry ones and ones·W2.
  close(pass.edgeGrads.get(edgeIndex(model, 'fc2', 'res', 1))!.dataSync(), toRes, 1e-6, 'fc2 → res');
  close(pass.edgeGrads.get(edgeIndex(model, 'relu', 'fc2'))!.dataSync(), [...colSum, ...colSum], 1e-6, 'relu → fc2');
  assert.equal(pass.edgeGrads.size, 5);

  // Off: nothing is recorded, and the parameters get the same gradients.
  const before = g.namedParameters().map(([k, t]) => [k, [...t.grad!.dataSync()]] as const);
  g.zeroGrad();
  const quiet = g.forward({ x: Tensor.fromData(xs.flat(), [2, 3], 'float32', true) }, { training: true });
  quiet.loss!.backward();
  assert.equal(quiet.edgeGrads.size, 0);
  assert.equal(quiet.values.get('fc1')!.grad, null, 'no retained gradient without retainGrads');
  for (const [k, grad] of before) close(g.state.get(k)!.grad!.dataSync(), grad, 1e-6, k);
});

test('edge gradients: one node feeding two ports of the same node', () => {
  // h = Linear(x); y = Add(h, h); z = Mul(h, h) → L = Σ y + Σ z: the edges into Add carry 1 each, into Mul h each.
  const model: ModelJson = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'h', op: 'Linear', attrs: { outFeatures: 2, bias: false } },
      { id: 'twice', op: 'Add' },
      { id: 'sq', op: 'Mul' },
      { id: 'out', op: 'Add' },
    ],
    edges: [
      { from: 'x', to: 'h' },
      { from: 'h', to: 'twice', port: 0 },
      { from: 'h', to: 'twice', port: 1 },
      { from: 'h', to: 'sq', port: 0 },
      { from: 'h', to: 'sq', port: 1 },
      { from: 'twice', to: 'out', port: 0 },
      { from: 'sq', to: 'out', port: 1 },
    ],
    params: { 'h.weight': { shape: [2, 2], data: [1, 0.5, -0.25, 2] } },
  };
  const g = GraphModel.create(model);
  const pass = g.forward({ x: Tensor.fromData([1, -2], [1, 2]) }, { training: true, edgeGrads: true, retainGrads: true });
  pass.loss!.backward();
  const h = [1 * 1 + 0.5 * -2, -0.25 * 1 + 2 * -2]; // [0, -4.25]
  for (const i of [1, 2]) close(pass.edgeGrads.get(i)!.dataSync(), [1, 1], 0, `edge ${i} into Add`);
  for (const i of [3, 4]) close(pass.edgeGrads.get(i)!.dataSync(), h, 1e-6, `edge ${i} into Mul`);
  close(
    pass.values.get('h')!.grad!.dataSync(),
    h.map((v) => 2 + 2 * v),
    1e-6,
    'grad of h',
  );
  // x is not a gradient leaf here (no requiresGrad): its edge records nothing.
  assert.equal(pass.edgeGrads.has(0), false);
});

test('edge gradients on random graphs: every node gradient is the sum of the gradients on its outgoing edges', () => {
  for (const seed of SEEDS) {
    const rm = randomModel(seed);
    const model = GraphModel.create(rm.model);
    const fl = floatInputs(rm.model);
    const feeds = tensors(rm.feedsFor(3), (id) => fl.has(id));
    const pass = model.forward(feeds, { training: true, step: 1, edgeGrads: true, retainGrads: true });
    pass.loss!.backward();
    const byNode = new Map(rm.model.nodes.map((n) => [n.id, n] as const));
    let present = 0;
    for (const n of rm.model.nodes) {
      const out = rm.model.edges
        .map((e, i) => [e, i] as const)
        .filter(([e]) => e.from === n.id)
        .map(([, i]) => i);
      const grads = out.filter((i) => pass.edgeGrads.has(i)).map((i) => pass.edgeGrads.get(i)!);
      present += grads.length;
      const where = `seed ${seed}: node ${n.id} (${n.op})`;
      const value = pass.values.get(n.id)!;
      const nodeGrad = n.op === 'Input' || n.op === 'Target' ? feeds[n.id].grad : value.grad;
      if (n.op === 'Target' || value.dtype === 'int32') assert.equal(grads.length, 0, `${where}: edges from a tensor without gradient`);
      if (out.length === 0) {
        // A loss node, or the sink whose sum is the loss: its gradient is the seed, ones.
        if (isLossOp(n.op) || (specOutputs(rm.model).includes(n.id) && !rm.model.nodes.some((m) => isLossOp(m.op)))) {
          assert.ok(nodeGrad, `${where}: no gradient on the loss`);
          assert.ok(
            [...nodeGrad.dataSync()].every((v) => v === 1),
            `${where}: the loss's own gradient is not 1`,
          );
        } else assert.ok(!nodeGrad || isSourceOp(n.op), `${where}: a dangling node has a gradient`);
        continue;
      }
      if (!nodeGrad) {
        assert.equal(grads.length, 0, `${where}: edge gradients but no node gradient`);
        continue;
      }
      assert.ok(grads.length > 0, `${where}: a node gradient but no edge gradient`);
      const sum = new Float64Array(value.size);
      const mag = new Float64Array(value.size);
      for (const gr of grads) {
        assert.deepEqual([...gr.shape], [...value.shape], `${where}: edge gradient shape`);
        gr.dataSync().forEach((v, i) => {
          sum[i] += v;
          mag[i] += Math.abs(v);
        });
      }
      const ng = nodeGrad.dataSync();
      for (let i = 0; i < sum.length; i++) {
        assert.ok(Math.abs(ng[i] - sum[i]) <= 1e-6 * mag[i] + 1e-30, `${where}: gradient[${i}] ${ng[i]}, edges sum to ${sum[i]}`);
      }
      // An edge gradient is only there when its consumer's output has a gradient itself.
      for (const i of out) {
        const to = rm.model.edges[i].to;
        if (pass.edgeGrads.has(i)) assert.ok(pass.values.get(to)!.grad, `${where}: edge ${i} has a gradient but ${to} (${byNode.get(to)!.op}) has none`);
      }
    }
    assert.ok(present > 0, `seed ${seed}: no edge gradients at all`);
  }
});

// ───────────────────────────── shapes without running ─────────────────────────────

test("a CNN's shapes per node and per edge are known from analysis alone", () => {
  const m: ModelJson = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'img', op: 'Input', attrs: { shape: [1, 28, 28] } },
      { id: 'conv1', op: 'Conv2d', attrs: { outChannels: 8, kernelSize: 3 } },
      { id: 'relu1', op: 'ReLU' },
      { id: 'pool1', op: 'MaxPool2d', attrs: { kernelSize: 2 } },
      { id: 'conv2', op: 'Conv2d', attrs: { outChannels: 16, kernelSize: 3 } },
      { id: 'pool2', op: 'MaxPool2d', attrs: { kernelSize: 2 } },
      { id: 'flat', op: 'Flatten' },
      { id: 'fc', op: 'Linear', attrs: { outFeatures: 10 } },
      // A second head: stride and padding variants.
      { id: 'conv3', op: 'Conv2d', attrs: { outChannels: 4, kernelSize: 5, stride: 2, padding: 1 } },
      { id: 'avg', op: 'AvgPool2d', attrs: { kernelSize: 3, stride: 2, padding: 1 } },
      { id: 'conv4', op: 'Conv2d', attrs: { outChannels: 2, kernelSize: [3, 1], stride: [1, 2], padding: [0, 1] } },
    ],
    edges: [
      { from: 'img', to: 'conv1' },
      { from: 'conv1', to: 'relu1' },
      { from: 'relu1', to: 'pool1' },
      { from: 'pool1', to: 'conv2' },
      { from: 'conv2', to: 'pool2' },
      { from: 'pool2', to: 'flat' },
      { from: 'flat', to: 'fc' },
      { from: 'img', to: 'conv3' },
      { from: 'conv3', to: 'avg' },
      { from: 'avg', to: 'conv4' },
    ],
  };
  const a = analyzeModel(m);
  assert.deepEqual(a.errors, []);
  // By hand: out = ⌊(in + 2p − k) / s⌋ + 1.
  const expected: Record<string, Dim[]> = {
    img: ['N', 1, 28, 28],
    conv1: ['N', 8, 26, 26], // 28 − 3 + 1
    relu1: ['N', 8, 26, 26],
    pool1: ['N', 8, 13, 13], // 26 / 2
    conv2: ['N', 16, 11, 11], // 13 − 3 + 1
    pool2: ['N', 16, 5, 5], // ⌊11 / 2⌋
    flat: ['N', 400], // 16·5·5
    fc: ['N', 10],
    conv3: ['N', 4, 13, 13], // ⌊(28 + 2 − 5) / 2⌋ + 1
    avg: ['N', 4, 7, 7], // ⌊(13 + 2 − 3) / 2⌋ + 1
    conv4: ['N', 2, 5, 5], // h: 7 − 3 + 1; w: ⌊(7 + 2 − 1) / 2⌋ + 1
  };
  for (const [id, shape] of Object.entries(expected)) assert.deepEqual(a.nodes.get(id)!.type, { shape, dtype: 'float32' }, id);
  m.edges.forEach((e, i) => assert.deepEqual(a.edgeTypes[i]?.shape, expected[e.from], `edge ${i}`));
  const params = (id: string) => a.nodes.get(id)!.params.map((p) => [p.key, p.shape]);
  assert.deepEqual(params('conv1'), [
    ['conv1.weight', [8, 1, 3, 3]],
    ['conv1.bias', [8]],
  ]);
  assert.deepEqual(params('conv2'), [
    ['conv2.weight', [16, 8, 3, 3]],
    ['conv2.bias', [16]],
  ]);
  assert.deepEqual(params('fc'), [
    ['fc.weight', [10, 400]],
    ['fc.bias', [10]],
  ]);
  assert.deepEqual(params('conv4'), [
    ['conv4.weight', [2, 4, 3, 1]],
    ['conv4.bias', [2]],
  ]);
  assert.equal(a.nodes.get('fc')!.paramCount, 4010);
  assert.deepEqual(a.outputs.sort(), ['conv4', 'fc']);
  // And the run agrees.
  const g = GraphModel.create(m);
  const pass = g.forward({ img: Tensor.zeros([2, 1, 28, 28]) }, { training: false });
  for (const [id, shape] of Object.entries(expected)) assert.deepEqual([...pass.values.get(id)!.shape], atBatch(shape, 2), id);
});

// ───────────────────────────── validation: one test per error code ─────────────────────────────

/** The spec's example (XOR classifier). */
function xor(): ModelJson {
  return {
    format: 'nn-graph',
    version: 1,
    name: 'XOR classifier',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] }, ui: { x: 40, y: 120 } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 8 } },
      { id: 'act1', op: 'ReLU' },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'act1' },
      { from: 'act1', to: 'fc2' },
      { from: 'fc2', to: 'loss', port: 0 },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: { seed: 0, optimizer: { type: 'Adam', lr: 0.01 } },
  };
}

const node = (m: ModelJson, id: string): NodeJson => m.nodes.find((n) => n.id === id)!;

/** The errors of a model (object or text); GraphModel.create must throw the same list. */
function errorsOf(m: unknown): GraphError[] {
  const errors = analyzeModel(m).errors;
  assert.throws(
    () => GraphModel.create(m as ModelJson),
    (e: unknown) => e instanceof GraphValidationError && e.errors.length === errors.length,
  );
  return errors;
}

/** The one error of `code` (others may come with it); asserts the fields given and that the message holds each of `says`. */
function expectError(m: unknown, code: GraphErrorCode, fields: Partial<GraphError>, says: (string | RegExp)[] = []): GraphError {
  const errors = errorsOf(m);
  const e = errors.find((x) => x.code === code);
  assert.ok(e, `expected a ${code} error, got ${JSON.stringify(errors)}`);
  for (const [k, v] of Object.entries(fields)) assert.deepEqual(e[k as keyof GraphError], v, `${code}: field ${k} in ${JSON.stringify(e)}`);
  for (const s of says) {
    if (typeof s === 'string') assert.ok(e.message.includes(s), `${code}: message ${JSON.stringify(e.message)} should say ${JSON.stringify(s)}`);
    else assert.match(e.message, s);
  }
  return e;
}

test("the spec's example is valid", () => {
  assert.deepEqual(analyzeModel(xor()).errors, []);
  assert.deepEqual(analyzeModel(JSON.stringify(xor())).errors, []);
});

test('bad-json: text that is not JSON, and bytes that are not UTF-8 JSON', () => {
  const text = JSON.stringify(xor());
  const e = expectError(text.slice(0, 40), 'bad-json', {}, ['not valid JSON']);
  assert.equal(analyzeModel(text.slice(0, 40)).errors.length, 1);
  assert.equal(e.nodeId, undefined);
  expectError(new Uint8Array([0x7b, 0xff, 0xfe, 0x00]), 'bad-json', {}, ['not valid JSON']);
  expectError('', 'bad-json', {});
});

test('bad-format: not an object, wrong format tag, wrong types at the top level', () => {
  expectError([1, 2], 'bad-format', {}, ['JSON object', '[1,2]']);
  expectError(null, 'bad-format', {}, ['JSON object', 'null']);
  expectError({ ...xor(), format: 'nn-grph' }, 'bad-format', { key: 'format' }, ['"nn-graph"', 'nn-grph']);
  const noFormat: Record<string, unknown> = { ...xor() };
  delete noFormat.format;
  expectError(noFormat, 'bad-format', { key: 'format' }, ['"format"', 'undefined']);
  expectError({ ...xor(), version: '1' }, 'bad-format', { key: 'version' }, ['"version"', '"1"']);
  expectError({ ...xor(), version: 0 }, 'bad-format', { key: 'version' }, ['positive integer', '0']);
  expectError({ ...xor(), nodes: {} }, 'bad-format', { key: 'nodes' }, ['"nodes" must be an array', '{}']);
  expectError({ ...xor(), edges: 'x->fc1' }, 'bad-format', { key: 'edges' }, ['"edges" must be an array', 'x->fc1']);
  expectError({ ...xor(), name: 5 }, 'bad-format', { key: 'name' }, ['"name"', '5']);
  expectError({ ...xor(), weights: '' }, 'bad-format', { key: 'weights' }, ['"weights"', 'safetensors']);
});

test('unsupported-version: a newer format version', () => {
  expectError({ ...xor(), version: 2 }, 'unsupported-version', { key: 'version' }, ['version 2', '(1)']);
});

test('bad-node: a node that is not an object, a ui that is not an object', () => {
  const m = xor();
  (m.nodes as unknown[])[2] = 'act1';
  expectError(m, 'bad-node', { key: 'nodes[2]' }, ['nodes[2]', '"act1"', '"id"', '"op"']);
  const m2 = xor();
  (node(m2, 'fc1') as unknown as Record<string, unknown>).ui = 'left';
  expectError(m2, 'bad-node', { nodeId: 'fc1' }, ['"fc1"', '"ui"', '"left"']);
});

test('invalid-id: ids that are not identifiers', () => {
  for (const bad of ['2fc', 'fc-1', '', 'a b', 'x'.repeat(129)]) {
    const m = xor();
    m.nodes[1].id = bad;
    const e = expectError(m, 'invalid-id', { key: 'nodes[1].id', nodeId: bad }, ['nodes[1]', 'not a valid identifier']);
    assert.ok(e.message.includes(JSON.stringify(bad).slice(0, 20)), e.message);
  }
  const m = xor();
  (m.nodes[1] as unknown as Record<string, unknown>).id = 7;
  expectError(m, 'invalid-id', { key: 'nodes[1].id', nodeId: undefined }, ['nodes[1]', 'id 7']);
});

test('duplicate-id: two nodes with one id', () => {
  const m = xor();
  m.nodes[3].id = 'fc1';
  expectError(m, 'duplicate-id', { nodeId: 'fc1', key: 'nodes[3].id' }, ['"fc1"', 'nodes[1]', 'nodes[3]']);
});

test('unknown-op: an op the registry does not have, and an op that is not a string', () => {
  const m = xor();
  node(m, 'fc1').op = 'Lienar';
  expectError(m, 'unknown-op', { nodeId: 'fc1', found: 'Lienar' }, ['"fc1"', '"Lienar"', 'Linear']);
  const m2 = xor();
  node(m2, 'act1').op = 'relu';
  expectError(m2, 'unknown-op', { nodeId: 'act1', found: 'relu' }, ['"act1"', 'ReLU']);
  const m3 = xor();
  (node(m3, 'act1') as unknown as Record<string, unknown>).op = 5;
  expectError(m3, 'unknown-op', { nodeId: 'act1' }, ['"act1"', 'must be a string', '5']);
});

test('missing-attr: a required attribute left out', () => {
  const m = xor();
  delete node(m, 'fc1').attrs;
  const e = expectError(m, 'missing-attr', { nodeId: 'fc1', attr: 'outFeatures' }, ['"fc1"', 'Linear', '"outFeatures"']);
  assert.ok(e.expected);
  const m2 = xor();
  node(m2, 'x').attrs = { shape: null };
  expectError(m2, 'missing-attr', { nodeId: 'x', attr: 'shape' }, ['"x"', '"shape"']);
});

test('bad-attr: attribute values of the wrong type or range, attrs not an object', () => {
  const cases: [string, Record<string, unknown>, string, string, string[]][] = [
    ['fc1', { outFeatures: 0 }, 'outFeatures', '0', ['at least 1']],
    ['fc1', { outFeatures: '8' }, 'outFeatures', '"8"', ['integer']],
    ['fc1', { outFeatures: 2.5 }, 'outFeatures', '2.5', ['integer']],
    ['fc1', { outFeatures: 8, bias: 'yes' }, 'bias', '"yes"', ['true or false']],
    ['x', { shape: [2, -3] }, 'shape', '[2,-3]', ['positive integers']],
    ['x', { shape: [2], dtype: 'float64' }, 'dtype', '"float64"', ['"float32"', '"int32"']],
  ];
  for (const [id, attrs, attr, found, says] of cases) {
    const m = xor();
    node(m, id).attrs = attrs;
    const e = expectError(m, 'bad-attr', { nodeId: id, attr, found }, [`"${id}"`, `"${attr}"`, found, ...says]);
    assert.ok(e.expected && says.every((s) => e.expected!.includes(s)), `expected field: ${JSON.stringify(e)}`);
  }
  const m = xor();
  (node(m, 'fc1') as unknown as Record<string, unknown>).attrs = [8];
  expectError(m, 'bad-attr', { nodeId: 'fc1' }, ['"fc1"', '"attrs" must be an object', '[8]']);
});

test('unknown-attr: an attribute the op does not take', () => {
  const m = xor();
  node(m, 'fc1').attrs = { outFeatures: 8, out_features: 8 };
  expectError(m, 'unknown-attr', { nodeId: 'fc1', attr: 'out_features' }, ['"fc1"', '"out_features"', 'outFeatures, bias']);
  const m2 = xor();
  node(m2, 'act1').attrs = { inplace: true };
  expectError(m2, 'unknown-attr', { nodeId: 'act1', attr: 'inplace' }, ['"act1"', 'takes: none']);
});

test('bad-edge: an edge that is not an object, or lacks an end', () => {
  const m = xor();
  (m.edges as unknown[])[1] = 'fc1->act1';
  expectError(m, 'bad-edge', { edgeIndex: 1 }, ['edges[1]', '"from"', '"fc1->act1"']);
  const m2 = xor();
  delete (m2.edges[1] as unknown as Record<string, unknown>).to;
  expectError(m2, 'bad-edge', { edgeIndex: 1 }, ['edges[1]', '"to" must be a node id']);
  const m3 = xor();
  (m3.edges[2] as unknown as Record<string, unknown>).from = 3;
  expectError(m3, 'bad-edge', { edgeIndex: 2 }, ['edges[2]', '"from"', 'found 3']);
});

test('unknown-node: an edge naming no node', () => {
  const m = xor();
  m.edges[1].to = 'act9';
  expectError(m, 'unknown-node', { edgeIndex: 1, found: 'act9' }, ['edges[1]', '"to"', '"act9"']);
  const m2 = xor();
  m2.edges[0].from = 'X';
  expectError(m2, 'unknown-node', { edgeIndex: 0, found: 'X' }, ['edges[0]', '"from"', '"X"']);
  // An edge naming a node whose own id is invalid says so.
  const m3 = xor();
  m3.nodes[1].id = 'fc-1';
  m3.edges[0].to = 'fc-1';
  m3.edges[1].from = 'fc-1';
  expectError(m3, 'unknown-node', { edgeIndex: 0, found: 'fc-1' }, ['edges[0]', '"fc-1"', 'not a valid node id', 'nodes[1]']);
});

test("port-out-of-range: a port past a fixed op's inputs, negative, fractional, past 64", () => {
  const m = xor();
  m.edges[0].port = 1;
  expectError(m, 'port-out-of-range', { edgeIndex: 0, nodeId: 'fc1', port: 1, expected: 'ports 0..0', found: '1' }, [
    'edges[0]',
    'Linear node "fc1"',
    '1 input port',
    '0 input',
    'not port 1',
  ]);
  for (const bad of [-1, 0.5, '0', true]) {
    const m2 = xor();
    (m2.edges[4] as unknown as Record<string, unknown>).port = bad;
    expectError(m2, 'port-out-of-range', { edgeIndex: 4, nodeId: 'loss', found: JSON.stringify(bad) }, [
      'edges[4]',
      'non-negative integer',
      JSON.stringify(bad),
    ]);
  }
  const m4 = xor();
  m4.nodes.push({ id: 'sum', op: 'Add' });
  m4.edges.push({ from: 'fc1', to: 'sum', port: 0 }, { from: 'fc1', to: 'sum', port: 1e9 });
  expectError(m4, 'port-out-of-range', { edgeIndex: 6, nodeId: 'sum', port: 1e9 }, ['edges[6]', '"sum"', 'at most 64']);
});

test('port-taken: two edges into one port', () => {
  const m = xor();
  m.edges.push({ from: 'x', to: 'fc2', port: 0 });
  expectError(m, 'port-taken', { edgeIndex: 5, nodeId: 'fc2', port: 0 }, ['edges[5]', '"fc2"', 'port 0', '"act1"', 'edges[2]']);
});

test('missing-input: an unconnected port, a variadic gap, too few variadic inputs', () => {
  const m = xor();
  m.edges.splice(2, 1); // act1 → fc2
  expectError(m, 'missing-input', { nodeId: 'fc2', port: 0 }, ['"fc2"', 'Linear', 'input port 0 (input) is not connected']);
  const m2 = xor();
  m2.edges.splice(4, 1); // y → loss
  expectError(m2, 'missing-input', { nodeId: 'loss', port: 1 }, ['"loss"', 'port 1 (target)']);
  const m3 = xor();
  m3.nodes.push({ id: 'sum', op: 'Add' });
  m3.edges.push({ from: 'fc1', to: 'sum', port: 0 }, { from: 'act1', to: 'sum', port: 2 });
  expectError(m3, 'missing-input', { nodeId: 'sum', port: 1 }, ['"sum"', 'port 1', 'no gaps']);
  const m4 = xor();
  m4.nodes.push({ id: 'cat', op: 'Concat' });
  m4.edges.push({ from: 'fc1', to: 'cat' });
  expectError(m4, 'missing-input', { nodeId: 'cat', port: 1 }, ['"cat"', 'Concat needs at least 2 inputs']);
});

test("an edge past a fixed op's ports is port-out-of-range; an edge into an Input or Target is extra-input", () => {
  const m = xor();
  m.edges.push({ from: 'fc1', to: 'act1', port: 1 });
  const errors = errorsOf(m);
  assert.deepEqual(
    errors.map((e) => e.code),
    ['port-out-of-range'],
  );
  assert.match(errors[0].message, /ReLU node "act1" has 1 input port \(0 input\), not port 1/);
  const m2 = xor();
  m2.edges.push({ from: 'fc1', to: 'x' });
  expectError(m2, 'extra-input', { nodeId: 'x', edgeIndex: m2.edges.length - 1 }, ['Input node "x" takes no inputs']);
});

test('cycle: every node on the cycle is named, with the cycle spelled out', () => {
  const m: ModelJson = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [4] } },
      { id: 'mix', op: 'Add' },
      { id: 'fc', op: 'Linear', attrs: { outFeatures: 4 } },
      { id: 'after', op: 'Tanh' },
    ],
    edges: [
      { from: 'x', to: 'mix', port: 0 },
      { from: 'fc', to: 'mix', port: 1 },
      { from: 'mix', to: 'fc' },
      { from: 'fc', to: 'after' },
    ],
  };
  const errors = errorsOf(m).filter((e) => e.code === 'cycle');
  assert.deepEqual(errors.map((e) => e.nodeId).sort(), ['fc', 'mix'], 'only the nodes on the cycle, not the one after it');
  for (const e of errors) assert.match(e.message, /mix → fc → mix|fc → mix → fc/);
  // A self-loop.
  const self: ModelJson = {
    ...m,
    edges: [
      { from: 'x', to: 'mix', port: 0 },
      { from: 'mix', to: 'mix', port: 1 },
    ],
  };
  expectError(self, 'cycle', { nodeId: 'mix' }, ['"mix"', 'mix → mix']);
});

test('cycle: a cycle closed by an edge that is itself in error still names both nodes', () => {
  // a's port 0 is taken by x, so the edge b → a is port-taken, but it still closes a → b → a.
  const m: ModelJson = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [4] } },
      { id: 'a', op: 'Linear', attrs: { outFeatures: 4 } },
      { id: 'b', op: 'Linear', attrs: { outFeatures: 4 } },
    ],
    edges: [
      { from: 'x', to: 'a' },
      { from: 'b', to: 'a' },
      { from: 'a', to: 'b' },
    ],
  };
  const errors = errorsOf(m);
  assert.ok(errors.some((e) => e.code === 'port-taken' && e.edgeIndex === 1));
  const cycle = errors.filter((e) => e.code === 'cycle');
  assert.deepEqual(cycle.map((e) => e.nodeId).sort(), ['a', 'b']);
  for (const e of cycle) assert.match(e.message, /a → b → a|b → a → b/);
});

test('shape-mismatch: shapes that do not fit, pinned to the port and edge', () => {
  const m = xor();
  m.nodes.push({ id: 'sum', op: 'Add' });
  m.edges.push({ from: 'x', to: 'sum', port: 0 }, { from: 'fc1', to: 'sum', port: 1 });
  expectError(m, 'shape-mismatch', { nodeId: 'sum', port: 1, edgeIndex: 6, found: 'N×2, N×8' }, ['"sum"', 'N×2', 'N×8', 'do not broadcast']);

  const m2 = xor();
  node(m2, 'loss').op = 'MSELoss';
  node(m2, 'y').attrs = { shape: [3] };
  expectError(m2, 'shape-mismatch', { nodeId: 'loss', port: 1, edgeIndex: 4 }, ['"loss"', 'N×2', 'N×3', 'same shape']);

  const m3 = xor();
  node(m3, 'fc1').op = 'Conv2d';
  node(m3, 'fc1').attrs = { outChannels: 2, kernelSize: 3 };
  expectError(m3, 'shape-mismatch', { nodeId: 'fc1' }, ['"fc1"', 'NCHW', 'N×2']);

  const m4 = xor();
  node(m4, 'x').attrs = { shape: [1, 2, 2] };
  node(m4, 'fc1').op = 'Conv2d';
  node(m4, 'fc1').attrs = { outChannels: 2, kernelSize: 3 };
  expectError(m4, 'shape-mismatch', { nodeId: 'fc1' }, ['"fc1"', '3×3', '2×2']);

  const m5 = xor();
  node(m5, 'act1').op = 'Reshape';
  node(m5, 'act1').attrs = { shape: [3, -1] };
  expectError(m5, 'shape-mismatch', { nodeId: 'act1' }, ['"act1"', 'Reshape', '[3, -1]', '8']);

  const m6 = xor();
  node(m6, 'act1').op = 'LogSoftmax';
  node(m6, 'act1').attrs = { dim: 2 };
  expectError(m6, 'shape-mismatch', { nodeId: 'act1' }, ['"act1"', 'LogSoftmax', 'dim 2', 'N×8']);
});

test('dtype-mismatch: int32 where float32 is needed and the other way round', () => {
  const m = xor();
  node(m, 'x').attrs = { shape: [2], dtype: 'int32' };
  expectError(m, 'dtype-mismatch', { nodeId: 'fc1', port: 0, edgeIndex: 0 }, ['"fc1"', 'float32', 'int32']);
  const m2 = xor();
  node(m2, 'y').attrs = { shape: [] };
  const e2 = expectError(m2, 'dtype-mismatch', { nodeId: 'loss', port: 1, edgeIndex: 4 }, ['"loss"', 'int32 class indices', 'N']);
  // Says which node feeds the port, what it gives, and the fix.
  assert.equal(
    e2.message,
    'node "loss" (CrossEntropyLoss): CrossEntropyLoss expects int32 class indices as its target (port 1); Target y gives float32 [N]: set its dtype to int32',
  );
  const e1 = analyzeModel(JSON.stringify(m)).errors.find((e) => e.code === 'dtype-mismatch')!;
  assert.match(e1.message, /; Input x gives int32 \[N, 2\]: set its dtype to float32$/);
  const m3 = xor();
  node(m3, 'act1').op = 'Embedding';
  node(m3, 'act1').attrs = { numEmbeddings: 4, embeddingDim: 2 };
  const e3 = expectError(m3, 'dtype-mismatch', { nodeId: 'act1', port: 0, edgeIndex: 1 }, ['"act1"', 'int32', 'N×8']);
  // A computed node has no dtype to set: only what it gives.
  assert.match(e3.message, /; Linear fc1 gives float32 \[N, 8\]$/);
});

test('too-large: parameters past the limits are refused before anything is allocated', () => {
  const huge = xor();
  node(huge, 'x').attrs = { shape: [1 << 20] };
  node(huge, 'fc1').attrs = { outFeatures: 1 << 24 };
  const e = expectError(huge, 'too-large', { nodeId: 'fc1' }, ['"fc1"', 'fc1.weight', String(LIMITS.paramElements)]);
  assert.equal(e.found, `N×${1 << 20}`);

  const emb = xor();
  node(emb, 'x').attrs = { shape: [2], dtype: 'int32' };
  node(emb, 'fc1').op = 'Embedding';
  node(emb, 'fc1').attrs = { numEmbeddings: 1 << 24, embeddingDim: 1 << 16 };
  expectError(emb, 'too-large', { nodeId: 'fc1' }, ['fc1.weight']);

  // Each tensor under the per-tensor limit, together over the total.
  const many: ModelJson = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [1 << 13] } },
      ...[1, 2, 3].map((i) => ({ id: `fc${i}`, op: 'Linear', attrs: { outFeatures: 1 << (i === 1 ? 14 : 13), bias: false } })),
    ],
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'fc2' },
      { from: 'fc2', to: 'fc3' },
    ],
  };
  expectError(many, 'too-large', { nodeId: 'fc3' }, ['"fc3"', String(LIMITS.totalParamElements)]);

  const nodes = Array.from({ length: LIMITS.nodes + 1 }, (_, i) => ({ id: `n${i}`, op: 'ReLU' }));
  expectError({ ...xor(), nodes }, 'too-large', { key: 'nodes' }, [String(LIMITS.nodes + 1), String(LIMITS.nodes)]);
  const edges = Array.from({ length: LIMITS.edges + 1 }, () => ({ from: 'x', to: 'fc1' }));
  expectError({ ...xor(), edges }, 'too-large', { key: 'edges' }, [String(LIMITS.edges + 1)]);

  // Absurd shapes without parameters are fine to analyse: nothing is allocated until run.
  const t0 = Date.now();
  const wide = xor();
  node(wide, 'x').attrs = { shape: [1e9, 1e9] };
  node(wide, 'fc1').op = 'Flatten';
  delete node(wide, 'fc1').attrs;
  expectError(wide, 'too-large', { nodeId: 'fc2' }, ['fc2.weight']);
  assert.ok(Date.now() - t0 < 2000);
});

test('bad-params: a wrong shape, an unknown key, a wrong count, a value that is not a number', () => {
  const m = xor();
  m.params = { 'fc1.weight': { shape: [2, 8], data: Array(16).fill(0) } };
  expectError(m, 'bad-params', { key: 'fc1.weight', nodeId: 'fc1', expected: '[8, 2]', found: '[2,8]' }, ['"fc1.weight"', '[2,8]', '[8, 2]']);
  const m2 = xor();
  m2.params = { 'fc9.weight': { shape: [1], data: [0] } };
  expectError(m2, 'bad-params', { key: 'fc9.weight' }, ['"fc9.weight"', 'names no parameter']);
  const m3 = xor();
  m3.params = { 'fc1.gamma': { shape: [1], data: [0] } };
  expectError(m3, 'bad-params', { key: 'fc1.gamma', nodeId: 'fc1' }, ['"fc1.gamma"', 'weight, bias']);
  const m4 = xor();
  m4.params = { 'fc1.bias': { shape: [8], data: [1, 2, 3] } };
  expectError(m4, 'bad-params', { key: 'fc1.bias', nodeId: 'fc1' }, ['"fc1.bias"', '3 values', '8']);
  const m5 = xor();
  m5.params = { 'fc1.bias': { shape: [8], data: [0, 0, 0, null, 0, 0, 0, 0] } } as unknown as ModelJson['params'];
  expectError(m5, 'bad-params', { key: 'fc1.bias', nodeId: 'fc1' }, ['"fc1.bias"', 'data[3]', 'finite number', 'null']);
  const m6 = xor();
  m6.params = { 'fc1.bias': [0, 1] } as unknown as ModelJson['params'];
  expectError(m6, 'bad-params', { key: 'fc1.bias' }, ['"fc1.bias"', '"shape"', '"data"']);
  expectError({ ...xor(), params: [] }, 'bad-params', { key: 'params' }, ['"params" must be an object']);
});

test('bad-training: seed and optimizer settings', () => {
  const cases: [unknown, string, string[]][] = [
    [{ seed: -1 }, 'training.seed', ['non-negative integer', '-1']],
    [{ seed: 1.5 }, 'training.seed', ['1.5']],
    [{ optimizer: { type: 'RMSprop' } }, 'training.optimizer.type', ['SGD, Adam, AdamW', '"RMSprop"']],
    [{ optimizer: { type: 'Adam', lr: -0.1 } }, 'training.optimizer.lr', ['positive', '-0.1']],
    [{ optimizer: { type: 'SGD' } }, 'training.optimizer.lr', ['required for SGD']],
    [{ optimizer: { type: 'Adam', betas: [0.9, 1] } }, 'training.optimizer.betas', ['[0.9,1]']],
    [{ optimizer: { type: 'SGD', lr: 0.1, nesterov: true } }, 'training.optimizer.nesterov', ['momentum']],
    [{ optimizer: 'adam' }, 'training.optimizer', ['must be an object', '"adam"']],
    ['fast', 'training', ['must be an object', '"fast"']],
  ];
  for (const [training, key, says] of cases) expectError({ ...xor(), training }, 'bad-training', { key }, [key, ...says]);
});

test('errors of one kind do not hide the independent ones', () => {
  const m = xor();
  node(m, 'fc1').attrs = { outFeatures: 0 };
  m.edges.push({ from: 'nope', to: 'fc2' });
  m.params = { 'zz.weight': { shape: [1], data: [0] } };
  const codes = errorsOf(m)
    .map((e) => e.code)
    .sort();
  assert.deepEqual(codes, ['bad-attr', 'bad-params', 'unknown-node']);
});
