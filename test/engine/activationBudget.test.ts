// The activation budget (engine/graph/activations.ts): a pass whose outputs would exceed
// LIMITS.activationBytes fails before any op runs, in GraphModel.forward and when a Trainer is built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ActivationBudgetError,
  FeedError,
  GraphModel,
  LIMITS,
  Tensor,
  Trainer,
  activationBudgetExcess,
  activationBudgetProblem,
  activationBytes,
  analyzeModel,
  formatBytes,
  getOp,
  largestBatchWithin,
  type Dataset,
  type ModelJson,
} from '../../engine';

/** [N, 1, size] + [N, size, 1]: a broadcast Add whose output is [N, size, size] from two small inputs. */
function broadcastAdd(size: number): ModelJson {
  return {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'row', op: 'Input', attrs: { shape: [1, size] } },
      { id: 'col', op: 'Input', attrs: { shape: [size, 1] } },
      { id: 'big', op: 'Add' },
    ],
    edges: [
      { from: 'row', to: 'big', port: 0 },
      { from: 'col', to: 'big', port: 1 },
    ],
  };
}

const feedsOf = (size: number, batch: number) => ({
  row: Tensor.fromData(
    new Float32Array(batch * size).map((_, i) => i % size),
    [batch, 1, size],
  ),
  col: Tensor.fromData(
    new Float32Array(batch * size).map((_, i) => 10 * (i % size)),
    [batch, size, 1],
  ),
});

/** Runs fn with every op's forward replaced by one that counts the call and throws: nothing gets computed. */
function withOpsBlocked<T>(fn: (calls: string[]) => T): T {
  const calls: string[] = [];
  const saved = ['Add'].map((op) => [getOp(op)!, getOp(op)!.forward] as const);
  for (const [spec] of saved)
    spec.forward = () => {
      calls.push(spec.op);
      throw new Error(`${spec.op} ran`);
    };
  try {
    return fn(calls);
  } finally {
    for (const [spec, f] of saved) spec.forward = f;
  }
}

test('the limit is 1 GiB of activations', () => {
  assert.equal(LIMITS.activationBytes, 2 ** 30);
});

test('a broadcast Add of [16, 1, 4096] and [16, 4096, 1] fails in forward, naming the node and its size, before any op runs', () => {
  const model = GraphModel.create(broadcastAdd(4096));
  const feeds = feedsOf(4096, 16);
  withOpsBlocked((calls) => {
    let err: unknown;
    try {
      model.forward(feeds, { training: true });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ActivationBudgetError, String(err));
    assert.ok(err instanceof FeedError, 'a FeedError, so the command line exits 1 with its message');
    assert.equal(err.nodeId, 'big');
    assert.equal(err.message.split('\n').length, 1);
    assert.equal(
      err.message,
      'node "big" (Add) output [16, 4096, 4096] would take 1 GiB for a batch of 16, and the activations of the whole pass 1.0005 GiB; ' +
        'at most 1 GiB of activations are supported: use a batch of at most 15, or smaller layers',
    );
    assert.deepEqual(calls, [], 'no op ran');
  });
  // Inference checks too (no loss, no gradient recording).
  withOpsBlocked((calls) => {
    assert.throws(() => model.forward(feeds, { training: false, computeLoss: false }), ActivationBudgetError);
    assert.deepEqual(calls, []);
  });
});

test('a model within the budget still runs', () => {
  const model = GraphModel.create(broadcastAdd(64));
  const pass = model.forward(feedsOf(64, 3), { training: true });
  const out = pass.values.get('big')!;
  assert.deepEqual(out.shape, [3, 64, 64]);
  const d = out.dataSync();
  // big[n, i, j] = row[n, 0, j] + col[n, i, 0] = j + 10 i
  assert.equal(d[2 * 64 * 64 + 5 * 64 + 7], 7 + 50);
  assert.ok(pass.loss);
  assert.equal(pass.loss.itemSync(), 3 * 64 * 64 * (31.5 + 315));
});

test('activationBytes counts every output of the pass: Inputs, computed nodes, and Targets and losses with the loss', () => {
  const a = analyzeModel({
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'fc', op: 'Linear', attrs: { outFeatures: 3 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    edges: [
      { from: 'x', to: 'fc' },
      { from: 'fc', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
  });
  assert.deepEqual(a.errors, []);
  const est = activationBytes(a, 10);
  assert.deepEqual(
    est.nodes.map((n) => [n.id, n.shape, n.bytes]),
    [
      ['x', [10, 2], 80],
      ['y', [10], 40],
      ['fc', [10, 3], 120],
      ['loss', [], 4],
    ],
  );
  assert.equal(est.total, 244);
  assert.equal(est.largest?.id, 'fc');
  assert.equal(activationBytes(a, 10, { loss: false }).total, 200);
});

test('the boundary: a pass of exactly the limit fits, one byte over does not', () => {
  const a = analyzeModel(broadcastAdd(8));
  // row 8 + col 8 + big 64 elements per sample, 4 bytes each
  const perSample = 4 * (8 + 8 + 64);
  assert.equal(activationBytes(a, 5).total, 5 * perSample);
  assert.equal(activationBudgetProblem(a, 5, 5 * perSample), null);
  assert.equal(activationBudgetExcess(a, 5, 5 * perSample), null);
  const over = activationBudgetExcess(a, 5, 5 * perSample - 1);
  assert.ok(over);
  assert.equal(over.nodeId, 'big');
  assert.deepEqual(over.shape, [5, 8, 8]);
  assert.equal(over.nodeBytes, 5 * 64 * 4);
  assert.equal(over.total, 5 * perSample);
  assert.equal(over.maxBatch, 4);
  assert.equal(
    over.message,
    'node "big" (Add) output [5, 8, 8] would take 1.25 KiB for a batch of 5, and the activations of the whole pass 1.563 KiB; ' +
      'at most 1.562 KiB of activations are supported: use a batch of at most 4, or smaller layers',
  );
  assert.equal(largestBatchWithin(a, 100, 5 * perSample), 5);
  assert.equal(largestBatchWithin(a, 3, 5 * perSample), 3);
  // Not even one sample fits.
  const none = activationBudgetExcess(a, 5, perSample - 1)!;
  assert.equal(none.maxBatch, 0);
  assert.match(none.message, /even a batch of 1 needs 320 bytes: use smaller layers$/);
  // The default limit, exactly at and just over 1 GiB: 256 samples of 2^20 float32 values.
  const wide = analyzeModel({ format: 'nn-graph', version: 1, nodes: [{ id: 'x', op: 'Input', attrs: { shape: [2 ** 20] } }], edges: [] });
  assert.equal(activationBudgetProblem(wide, 256), null);
  assert.match(
    activationBudgetProblem(wide, 257)!,
    /^node "x" \(Input\) output \[257, 1048576\] would take 1\.004 GiB for a batch of 257, and the activations of the whole pass 1\.004 GiB; at most 1 GiB of activations are supported: use a batch of at most 256,/,
  );
});

test('sizes past 2^53 bytes are compared and printed without overflow', () => {
  const a = analyzeModel(broadcastAdd(2 ** 20));
  const e = activationBudgetExcess(a, 2 ** 20)!;
  assert.equal(e.nodeBytes, 2 ** 62);
  assert.match(e.message, /output \[1048576, 1048576, 1048576\] would take 4 EiB for a batch of 1048576,.*even a batch of 1 needs 4 TiB/);
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(32 * 2 ** 30), '32 GiB');
});

/** x [N, 1, 4096] → reshaped [N, 4096, 1] → Add → [N, 4096, 4096] → Linear(1) → Flatten → Linear(2) → CrossEntropyLoss. */
function broadcastClassifier(size: number): ModelJson {
  return {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [1, size] } },
      { id: 'col', op: 'Reshape', attrs: { shape: [size, 1] } },
      { id: 'big', op: 'Add' },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 1 } },
      { id: 'flat', op: 'Flatten' },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    edges: [
      { from: 'x', to: 'col' },
      { from: 'x', to: 'big', port: 0 },
      { from: 'col', to: 'big', port: 1 },
      { from: 'big', to: 'fc1' },
      { from: 'fc1', to: 'flat' },
      { from: 'flat', to: 'fc2' },
      { from: 'fc2', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
  };
}

function dataset(n: number, size: number): Dataset {
  return { n, inputs: new Float32Array(n * size), inputShape: [1, size], targets: new Int32Array(n), targetShape: [], targetDtype: 'int32' };
}

test('a Trainer whose minibatch is over the budget fails when it is built, naming the node', () => {
  const model = GraphModel.create(broadcastClassifier(4096));
  assert.throws(
    () => new Trainer(model, dataset(100, 4096), null, { batchSize: 32, epochs: 1, seed: 0 }),
    (e: unknown) =>
      e instanceof ActivationBudgetError &&
      e.nodeId === 'big' &&
      /^node "big" \(Add\) output \[32, 4096, 4096\] would take 2 GiB for a batch of 32, .* use a batch of at most 15, or smaller layers$/.test(e.message),
  );
  // The batch is min(batchSize, the training set): 8 samples fit, however large batchSize is.
  assert.doesNotThrow(() => new Trainer(model, dataset(8, 4096), null, { batchSize: 4096, epochs: 1, seed: 0 }));
});

test('evaluation batches shrink to fit the budget (a training batch that fits never fails at validation)', async () => {
  const model = GraphModel.create(broadcastClassifier(16));
  const perSample = activationBytes(model.analysis, 1).total;
  const saved = LIMITS.activationBytes;
  LIMITS.activationBytes = 10 * perSample;
  try {
    const trainer = new Trainer(model, dataset(40, 16), dataset(100, 16), { batchSize: 10, epochs: 1, seed: 0 });
    assert.throws(() => model.forward({ x: Tensor.zeros([11, 1, 16]), y: Tensor.zeros([11], 'int32') }, { training: true }), ActivationBudgetError);
    while (!trainer.done) await trainer.trainStep();
    assert.equal(trainer.history.length, 1);
    assert.ok(Number.isFinite(trainer.history[0].valLoss));
    assert.throws(() => new Trainer(model, dataset(40, 16), null, { batchSize: 11, epochs: 1, seed: 0 }), /for a batch of 11, .*use a batch of at most 10,/);
  } finally {
    LIMITS.activationBytes = saved;
  }
});
