// A run handed over (the WebGPU runner failed; fallbackRunner.ts) goes on exactly as the uninterrupted run, from any
// step: from a checkpoint's weights, position (step, history, the epoch under way's sums) and optimizer state (Adam's
// moments and step counts, SGD's momentum), the same batches and Dropout masks follow, so the final weights and every
// epoch's metrics are the uninterrupted run's, bit for bit. Steps to replay (shown before) are trained unpaced and unseen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSafetensors } from '../../engine';
import { runTraining, type RunControl } from '../../engine/train/run';
import type { RunCheckpoint } from '../../engine/train/checkpoints';
import type { FromWorker, RunOptions } from '../../extension/training/workerProtocol';

const modelWith = (optimizer: Record<string, unknown>) =>
  JSON.stringify({
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 8 } },
      { id: 'act', op: 'Tanh' },
      { id: 'drop', op: 'Dropout', attrs: { p: 0.3 } },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'act' },
      { from: 'act', to: 'drop' },
      { from: 'drop', to: 'fc2' },
      { from: 'fc2', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: { seed: 3, optimizer, batchSize: 16, epochs: 3, validationSplit: 0.25, dataset: { source: 'circle', size: 96 } },
  });
const OPTS: RunOptions = { overlay: false, maxUpdatesPerSecond: 20, boundaryGrid: 0 };

/** The run with a clock that moves 300 ms each time it is read: checkpoints come every few steps, mid-epoch too. */
async function run(model: string, sidecar: Uint8Array | null, options: Partial<RunOptions>, control: Partial<RunControl> = {}) {
  const msgs: FromWorker[] = [];
  const checkpoints: RunCheckpoint[] = [];
  let t = 0;
  await runTraining(
    { modelText: model, sidecar, external: {}, options: { ...OPTS, ...options } },
    (m) => msgs.push(m),
    {
      next: async () => 'go',
      checkpoint: (c) => checkpoints.push(c),
      ...control,
    },
    () => (t += 300),
  );
  const end = msgs.at(-1)!;
  assert.ok(end.type === 'finished', JSON.stringify(end));
  return { msgs, checkpoints, end };
}

const weightsOf = (m: FromWorker) => decodeSafetensors((m as Extract<FromWorker, { type: 'finished' }>).weights).tensors;
const progressSteps = (msgs: FromWorker[]) => msgs.flatMap((m) => (m.type === 'progress' ? [m.progress.step] : []));
const resumeFrom = ({ step, history, partial, optimizer }: RunCheckpoint) => ({ step, history, partial, optimizer });

function sameWeights(got: FromWorker, want: FromWorker, what: string) {
  const a = weightsOf(want);
  const b = weightsOf(got);
  for (const key of Object.keys(a)) assert.deepEqual([...b[key].data], [...a[key].data], `${what}: ${key}`);
}

for (const optimizer of [
  { type: 'Adam', lr: 0.03 },
  { type: 'SGD', lr: 0.1, momentum: 0.9 },
]) {
  test(`${optimizer.type}: resumed from any checkpoint (an epoch's end or mid-epoch), a run ends with the uninterrupted run's weights and history`, async () => {
    const model = modelWith(optimizer);
    const whole = await run(model, null, {});
    const stepsPerEpoch = (whole.msgs[0] as Extract<FromWorker, { type: 'started' }>).stepsPerEpoch;
    assert.equal(stepsPerEpoch, 5);
    const steps = whole.checkpoints.map((c) => c.step);
    for (const e of [1, 2, 3]) assert.ok(steps.includes(e * stepsPerEpoch), `a checkpoint at epoch ${e}'s end: ${steps}`);
    const mid = whole.checkpoints.filter((c) => c.step % stepsPerEpoch !== 0 && c.step > stepsPerEpoch);
    assert.ok(mid.length >= 2, `checkpoints mid-epoch too: ${steps}`);
    for (const cp of [whole.checkpoints.find((c) => c.step === stepsPerEpoch)!, ...mid.slice(0, 2)]) {
      assert.ok(
        cp.optimizer.params.some((p) => p !== null),
        "the checkpoint carries the optimizer's state",
      );
      const resumed = await run(model, cp.weights, { resume: resumeFrom(cp) });
      assert.equal(progressSteps(resumed.msgs)[0], cp.step + 1, 'it goes on with the step after the checkpoint');
      assert.deepEqual(
        resumed.end.type === 'finished' && resumed.end.history,
        whole.end.type === 'finished' && whole.end.history,
        `from step ${cp.step}: the history`,
      );
      sameWeights(resumed.end, whole.end, `from step ${cp.step}`);
    }
    // The test can tell: without the optimizer's state the run ends elsewhere, without the resume too, and a resume
    // that starts the epoch over (the batches already done not skipped) as well.
    const cp = mid[0];
    const fresh = weightsOf((await run(model, cp.weights, { resume: { ...resumeFrom(cp), optimizer: undefined } })).end);
    assert.notDeepEqual([...fresh['fc1.weight'].data], [...weightsOf(whole.end)['fc1.weight'].data]);
    const restarted = weightsOf((await run(model, cp.weights, {})).end);
    assert.notDeepEqual([...restarted['fc1.weight'].data], [...weightsOf(whole.end)['fc1.weight'].data]);
    const epochStart = cp.step - (cp.step % stepsPerEpoch);
    const redone = weightsOf((await run(model, cp.weights, { resume: { ...resumeFrom(cp), step: epochStart } })).end);
    assert.notDeepEqual([...redone['fc1.weight'].data], [...weightsOf(whole.end)['fc1.weight'].data]);
  });
}

test('a run that comes to rest takes a checkpoint of that step before it waits', async () => {
  const model = modelWith({ type: 'Adam', lr: 0.03 });
  const checkpoints: RunCheckpoint[] = [];
  let restedAt = -1;
  await runTraining(
    { modelText: model, sidecar: null, external: {}, options: OPTS },
    () => undefined,
    {
      next: async (settle, at) => {
        if (at.step === 7) {
          await settle();
          restedAt = checkpoints.at(-1)?.step ?? -1;
        }
        return 'go';
      },
      checkpoint: (c) => checkpoints.push(c),
      // A clock that stands still: only epoch ends, the first step and rests take one.
    },
    () => 0,
  );
  assert.equal(restedAt, 7, 'settled at step 7, its checkpoint was posted before the run went on');
  assert.deepEqual(
    checkpoints.map((c) => c.step),
    [1, 5, 7, 10, 15],
  );
});

test("a resume that replays steps trains them without asking the gate and without showing them, except their epochs' ends", async () => {
  const model = modelWith({ type: 'Adam', lr: 0.03 });
  const whole = await run(model, null, {});
  const cp = whole.checkpoints.find((c) => c.step === 3)!;
  assert.ok(cp, `a checkpoint at step 3: ${whole.checkpoints.map((c) => c.step)}`);
  const asked: number[] = [];
  const resumed = await run(
    model,
    cp.weights,
    { resume: { ...resumeFrom(cp), replayTo: 8 } },
    {
      next: async (_settle, at) => {
        asked.push(at.step);
        return 'go';
      },
    },
  );
  assert.equal(asked[0], 8, 'the gate is first asked before step 9');
  assert.equal(progressSteps(resumed.msgs)[0], 9);
  for (const m of resumed.msgs) {
    if (m.type === 'gradients') assert.ok(m.update.step > 8);
    if (m.type === 'nodeStats' || m.type === 'boundary' || m.type === 'stepCosts' || m.type === 'weights') assert.ok(m.step > 8, m.type);
  }
  assert.deepEqual(
    resumed.msgs.flatMap((m) => (m.type === 'epoch' ? [m.metrics.epoch] : [])),
    [0, 1, 2],
    'epoch 1, which ended at step 5 in the replay, is posted',
  );
  sameWeights(resumed.end, whole.end, 'replayed');
});

test("an optimizer state that is not the model's optimizer's fails the run, saying why", async () => {
  const adam = await run(modelWith({ type: 'Adam', lr: 0.03 }), null, {});
  const cp = adam.checkpoints.find((c) => c.step === 5)!;
  const msgs: FromWorker[] = [];
  await runTraining(
    { modelText: modelWith({ type: 'SGD', lr: 0.1, momentum: 0.9 }), sidecar: cp.weights, external: {}, options: { ...OPTS, resume: resumeFrom(cp) } },
    (m) => msgs.push(m),
    { next: async () => 'go' },
  );
  const end = msgs.at(-1)!;
  assert.ok(end.type === 'failed');
  assert.match(end.message, /cannot go on from where it was handed over: optimizer state: it is Adam's, not SGD's/);
});
