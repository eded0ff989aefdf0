// A run handed over at an epoch's end (the WebGPU runner failed; fallbackRunner.ts) goes on exactly as the
// uninterrupted run: from the checkpoint's weights, epoch and optimizer state (Adam's moments and step counts, SGD's
// momentum), the same batches and Dropout masks follow, so the final weights and every epoch's metrics are the
// uninterrupted run's, bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSafetensors, type EpochMetrics, type OptimizerState } from '../../engine';
import { runTraining } from '../../engine/train/run';
import type { FromWorker, RunOptions } from '../../extension/training/workerProtocol';

const modelWith = (optimizer: Record<string, unknown>) => JSON.stringify({
  format: 'nn-graph', version: 1,
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [2] } }, { id: 'fc1', op: 'Linear', attrs: { outFeatures: 8 } }, { id: 'act', op: 'Tanh' },
    { id: 'drop', op: 'Dropout', attrs: { p: 0.3 } },
    { id: 'fc2', op: 'Linear', attrs: { outFeatures: 2 } }, { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } }, { id: 'loss', op: 'CrossEntropyLoss' },
  ],
  edges: [{ from: 'x', to: 'fc1' }, { from: 'fc1', to: 'act' }, { from: 'act', to: 'drop' }, { from: 'drop', to: 'fc2' }, { from: 'fc2', to: 'loss' }, { from: 'y', to: 'loss', port: 1 }],
  training: { seed: 3, optimizer, batchSize: 16, epochs: 3, validationSplit: 0.25, dataset: { source: 'circle', size: 96 } },
});
const OPTS: RunOptions = { overlay: false, maxUpdatesPerSecond: 20, boundaryGrid: 0 };

async function run(model: string, sidecar: Uint8Array | null, options: Partial<RunOptions>) {
  const msgs: FromWorker[] = [];
  const checkpoints: { weights: Uint8Array; epoch: number; history: EpochMetrics[]; optimizer: OptimizerState }[] = [];
  await runTraining({ modelText: model, sidecar, external: {}, options: { ...OPTS, ...options } }, (m) => msgs.push(m), {
    next: async () => 'go',
    checkpoint: (weights, epoch, history, optimizer) => checkpoints.push({ weights, epoch, history, optimizer }),
  });
  const end = msgs.at(-1)!;
  assert.ok(end.type === 'finished', JSON.stringify(end));
  return { msgs, checkpoints, end };
}

const weightsOf = (m: FromWorker) => decodeSafetensors((m as Extract<FromWorker, { type: 'finished' }>).weights).tensors;

for (const optimizer of [{ type: 'Adam', lr: 0.03 }, { type: 'SGD', lr: 0.1, momentum: 0.9 }]) {
  test(`${optimizer.type}: resumed from the checkpoint after epoch 1 (weights and optimizer state), a run ends with the uninterrupted run's weights and history`, async () => {
    const model = modelWith(optimizer);
    const whole = await run(model, null, {});
    assert.deepEqual(whole.checkpoints.map((c) => c.epoch), [1, 2, 3]);
    const cp = whole.checkpoints[0];
    assert.ok(cp.optimizer.params.some((p) => p !== null), 'the checkpoint carries the optimizer\'s state');
    const resumed = await run(model, cp.weights, { resume: { epoch: cp.epoch, history: cp.history, optimizer: cp.optimizer } });
    // It trains epochs 2 and 3 only: its first step is step 1 + one epoch's steps.
    const firstStep = resumed.msgs.find((m) => m.type === 'progress');
    const stepsPerEpoch = (whole.msgs[0] as Extract<FromWorker, { type: 'started' }>).stepsPerEpoch;
    assert.ok(firstStep?.type === 'progress' && firstStep.progress.step === stepsPerEpoch + 1, JSON.stringify(firstStep));
    assert.deepEqual(resumed.end.type === 'finished' && resumed.end.history, whole.end.type === 'finished' && whole.end.history);
    const a = weightsOf(whole.end);
    const b = weightsOf(resumed.end);
    for (const key of Object.keys(a)) assert.deepEqual([...b[key].data], [...a[key].data], key);
    // The test can tell: without the optimizer's state the run ends elsewhere, and without the resume too.
    const fresh = weightsOf((await run(model, cp.weights, { resume: { epoch: cp.epoch, history: cp.history } })).end);
    assert.notDeepEqual([...fresh['fc1.weight'].data], [...a['fc1.weight'].data]);
    const restarted = weightsOf((await run(model, cp.weights, {})).end);
    assert.notDeepEqual([...restarted['fc1.weight'].data], [...a['fc1.weight'].data]);
  });
}

test('an optimizer state that is not the model\'s optimizer\'s fails the run, saying why', async () => {
  const adam = await run(modelWith({ type: 'Adam', lr: 0.03 }), null, {});
  const cp = adam.checkpoints[0];
  const msgs: FromWorker[] = [];
  await runTraining({ modelText: modelWith({ type: 'SGD', lr: 0.1, momentum: 0.9 }), sidecar: cp.weights, external: {}, options: { ...OPTS, resume: { epoch: 1, history: cp.history, optimizer: cp.optimizer } } }, (m) => msgs.push(m), { next: async () => 'go' });
  const end = msgs.at(-1)!;
  assert.ok(end.type === 'failed');
  assert.match(end.message, /cannot go on from where it was handed over: optimizer state: it is Adam's, not SGD's/);
});
