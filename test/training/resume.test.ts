// A run handed over at an epoch's end (the WebGPU runner failed; fallbackRunner.ts) goes on exactly as the
// uninterrupted run: from the checkpoint's weights and epoch, the same batches and Dropout masks follow. With plain
// SGD (no optimizer state to lose) the final weights and every epoch's metrics are the uninterrupted run's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSafetensors, type EpochMetrics } from '../../engine';
import { runTraining } from '../../extension/training/run';
import type { FromWorker, RunOptions } from '../../extension/training/workerProtocol';

const model = JSON.stringify({
  format: 'nn-graph', version: 1,
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [2] } }, { id: 'fc1', op: 'Linear', attrs: { outFeatures: 8 } }, { id: 'act', op: 'Tanh' },
    { id: 'drop', op: 'Dropout', attrs: { p: 0.3 } },
    { id: 'fc2', op: 'Linear', attrs: { outFeatures: 2 } }, { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } }, { id: 'loss', op: 'CrossEntropyLoss' },
  ],
  edges: [{ from: 'x', to: 'fc1' }, { from: 'fc1', to: 'act' }, { from: 'act', to: 'drop' }, { from: 'drop', to: 'fc2' }, { from: 'fc2', to: 'loss' }, { from: 'y', to: 'loss', port: 1 }],
  training: { seed: 3, optimizer: { type: 'SGD', lr: 0.1 }, batchSize: 16, epochs: 3, validationSplit: 0.25, dataset: { source: 'circle', size: 96 } },
});
const OPTS: RunOptions = { overlay: false, maxUpdatesPerSecond: 20, boundaryGrid: 0 };

async function run(sidecar: Uint8Array | null, options: Partial<RunOptions>) {
  const msgs: FromWorker[] = [];
  const checkpoints: { weights: Uint8Array; epoch: number; history: EpochMetrics[] }[] = [];
  await runTraining({ modelText: model, sidecar, external: {}, options: { ...OPTS, ...options } }, (m) => msgs.push(m), {
    next: async () => 'go',
    checkpoint: (weights, epoch, history) => checkpoints.push({ weights, epoch, history }),
  });
  const end = msgs.at(-1)!;
  assert.ok(end.type === 'finished', JSON.stringify(end));
  return { msgs, checkpoints, end };
}

test('resumed from the checkpoint after epoch 1, a run ends with the uninterrupted run\'s weights and history', async () => {
  const whole = await run(null, {});
  assert.deepEqual(whole.checkpoints.map((c) => c.epoch), [1, 2, 3]);
  const cp = whole.checkpoints[0];
  const resumed = await run(cp.weights, { resume: { epoch: cp.epoch, history: cp.history } });
  // It trains epochs 2 and 3 only: its first step is step 1 + one epoch's steps.
  const firstStep = resumed.msgs.find((m) => m.type === 'progress');
  const stepsPerEpoch = (whole.msgs[0] as Extract<FromWorker, { type: 'started' }>).stepsPerEpoch;
  assert.ok(firstStep?.type === 'progress' && firstStep.progress.step === stepsPerEpoch + 1, JSON.stringify(firstStep));
  assert.deepEqual(resumed.end.type === 'finished' && resumed.end.history, whole.end.type === 'finished' && whole.end.history);
  const a = decodeSafetensors((whole.end as Extract<FromWorker, { type: 'finished' }>).weights).tensors;
  const b = decodeSafetensors((resumed.end as Extract<FromWorker, { type: 'finished' }>).weights).tensors;
  for (const key of Object.keys(a)) assert.deepEqual([...b[key].data], [...a[key].data], key);
  // Without the resume, the same weights trained 3 more epochs: different (the test can tell the two apart).
  const restarted = await run(cp.weights, {});
  const c = decodeSafetensors((restarted.end as Extract<FromWorker, { type: 'finished' }>).weights).tensors;
  assert.notDeepEqual([...c['fc1.weight'].data], [...a['fc1.weight'].data]);
});
