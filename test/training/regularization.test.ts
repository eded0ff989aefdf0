// L1 regularisation of dataset training (training.l1, engine/train/regularization.ts): one step checked
// against a step computed by hand, the weights it covers, and the loss the trainer reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphModel, Trainer, analyzeModel, l1Penalty, l1Weights, type Dataset } from '../../engine';

const close = (got: ArrayLike<number>, want: number[], what: string) => {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-6, `${what}[${i}]: ${got[i]}, expected ${want[i]}`);
};

/** y = x·Wᵀ + b with W = [0.5, -0.25, 0], b = 0.1, MSE against a float target; SGD lr 0.1. */
function oneLayer(l1: number | undefined) {
  return {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [3] } },
      { id: 'fc', op: 'Linear', attrs: { outFeatures: 1 } },
      { id: 'y', op: 'Target', attrs: { shape: [1] } },
      { id: 'loss', op: 'MSELoss' },
    ],
    edges: [
      { from: 'x', to: 'fc' },
      { from: 'fc', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    params: { 'fc.weight': { shape: [1, 3], data: [0.5, -0.25, 0] }, 'fc.bias': { shape: [1], data: [0.1] } },
    training: { seed: 0, optimizer: { type: 'SGD', lr: 0.1 }, ...(l1 === undefined ? {} : { l1 }) },
  };
}

/** One sample: x = [1, 2, 3], target 1. */
const sample: Dataset = {
  n: 1,
  inputs: new Float32Array([1, 2, 3]),
  inputShape: [3],
  targets: new Float32Array([1]),
  targetShape: [1],
  targetDtype: 'float32',
};

test('one SGD step with training.l1 = 0.5 matches the step worked by hand', async () => {
  const model = GraphModel.create(JSON.stringify(oneLayer(0.5)));
  const trainer = new Trainer(model, sample, null, { batchSize: 1, epochs: 1, seed: 0 });
  const r = await trainer.trainStep();
  // Forward: 0.5·1 − 0.25·2 + 0·3 + 0.1 = 0.1; loss (0.1 − 1)² = 0.81; ∂loss/∂out = 2(0.1 − 1) = −1.8.
  // Data gradient: W −1.8·[1, 2, 3] = [−1.8, −3.6, −5.4], b −1.8.
  // L1 gradient: 0.5·sign(W) = [0.5, −0.5, 0] (sign(0) = 0, as PyTorch); the bias is not penalised.
  // W − 0.1·[−1.3, −4.1, −5.4] = [0.63, 0.16, 0.54]; b − 0.1·(−1.8) = 0.28.
  close(model.state.get('fc.weight')!.dataSync(), [0.63, 0.16, 0.54], 'fc.weight');
  close(model.state.get('fc.bias')!.dataSync(), [0.28], 'fc.bias');
  // The reported loss is the data loss (comparable with validation's); the penalty 0.5·(0.5 + 0.25 + 0) apart.
  assert.ok(Math.abs(r.loss - 0.81) < 1e-6, `loss ${r.loss}`);
  assert.ok(Math.abs(r.l1Penalty! - 0.375) < 1e-6, `penalty ${r.l1Penalty}`);
});

test('without training.l1 the step is the plain one', async () => {
  const model = GraphModel.create(JSON.stringify(oneLayer(undefined)));
  const r = await new Trainer(model, sample, null, { batchSize: 1, epochs: 1, seed: 0 }).trainStep();
  close(model.state.get('fc.weight')!.dataSync(), [0.68, 0.11, 0.54], 'fc.weight');
  assert.equal(r.l1Penalty, undefined);
});

test('the penalty covers Linear, Conv2d and Embedding weights, not biases or normalisation parameters', () => {
  const json = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'ln', op: 'LayerNorm' },
      { id: 'bn', op: 'BatchNorm1d' },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 1, bias: false } },
    ],
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'ln' },
      { from: 'ln', to: 'bn' },
      { from: 'bn', to: 'fc2' },
    ],
    params: {
      'fc1.weight': { shape: [2, 2], data: [1, -2, 0, 0.5] },
      'fc1.bias': { shape: [2], data: [3, -3] },
      'ln.weight': { shape: [2], data: [2, 2] },
      'ln.bias': { shape: [2], data: [1, 1] },
      'fc2.weight': { shape: [1, 2], data: [-0.25, 4] },
    },
  };
  const model = GraphModel.create(JSON.stringify(json));
  assert.deepEqual(
    l1Weights(model).map(([k]) => k),
    ['fc1.weight', 'fc2.weight'],
  );
  const p = l1Penalty(model, 0.1)!;
  // 0.1·(1 + 2 + 0 + 0.5 + 0.25 + 4) = 0.775
  assert.ok(Math.abs(p.itemSync() - 0.775) < 1e-6, `penalty ${p.itemSync()}`);
  p.backward();
  close(model.state.get('fc1.weight')!.grad!.dataSync(), [0.1, -0.1, 0, 0.1], 'fc1.weight grad');
  close(model.state.get('fc2.weight')!.grad!.dataSync(), [-0.1, 0.1], 'fc2.weight grad');
  for (const k of ['fc1.bias', 'ln.weight', 'ln.bias', 'bn.weight', 'bn.bias']) assert.equal(model.state.get(k)!.grad ?? null, null, `${k} is not penalised`);
  assert.equal(l1Penalty(model, 0), null, 'λ = 0: no penalty');
});

test('training.l1 must be a non-negative number', () => {
  for (const bad of [-0.1, 'x', null, [1]]) {
    const a = analyzeModel({ ...oneLayer(undefined), training: { l1: bad } });
    assert.ok(
      a.errors.some((e) => e.key === 'training.l1' && /training\.l1 must be a non-negative number/.test(e.message)),
      `${JSON.stringify(bad)}: ${JSON.stringify(a.errors)}`,
    );
  }
  assert.deepEqual(analyzeModel({ ...oneLayer(0.01) }).errors, []);
});
