// When a run that keeps checkpoints (the WebGPU run) takes one: at an epoch's end, at most about once a second between,
// less often for a model whose checkpoints are large (CHECKPOINT_BYTES_PER_SECOND), and at rest unless one of that
// step is taken already. The model and trainer are stand-ins: only their sizes and step counts matter here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Checkpoints, type RunCheckpoint } from '../../engine/train/checkpoints';
import type { GraphModel, Trainer } from '../../engine';

function setUp(values: number) {
  let t = 0;
  const trainer = {
    step: 0,
    epoch: 0,
    position: () => ({ step: trainer.step, history: [], partial: { loss: 0, correct: 0, samples: 0 } }),
    optimizer: {
      exportState: async () => ({ kind: 'Adam', params: [{ step: trainer.step, buffers: { m: new Float32Array(values), v: new Float32Array(values) } }] }),
    },
  };
  const model = { stateDict: async () => ({ w: { dtype: 'F32', shape: [values], data: new Float32Array(values) } }) };
  const sent: RunCheckpoint[] = [];
  const c = new Checkpoints(
    model as unknown as GraphModel,
    trainer as unknown as Trainer,
    (x) => sent.push(x),
    () => t,
  );
  /** One step taken `ms` after the last, then the checkpoint's reads given time to arrive. */
  const step = async (ms: number, epochEnd = false) => {
    t += ms;
    trainer.step++;
    c.afterStep(epochEnd);
    await new Promise((r) => setImmediate(r));
  };
  return { c, step, sent: () => sent.map((x) => x.step) };
}

test("a small model: one at the first step, then about once a second, and at every epoch's end", async () => {
  const { step, sent } = setUp(100);
  for (let i = 0; i < 12; i++) await step(250, i === 5);
  // Steps at 250 ms … 3000 ms: the first, then one a second after the last; step 6 ends an epoch.
  assert.deepEqual(sent(), [1, 5, 6, 10]);
});

test("a large model's checkpoints come less often: about its size over CHECKPOINT_BYTES_PER_SECOND", async () => {
  // 2.5 million values in each of weights, m and v: 30 MB, 2.86 s at 10 MiB/s: steps every 500 ms, so every sixth step.
  const { step, sent } = setUp(2_500_000);
  for (let i = 0; i < 16; i++) await step(500);
  assert.deepEqual(sent(), [1, 7, 13]);
});

test('at rest: one of that step, unless taken already', async () => {
  const { c, step, sent } = setUp(100);
  await step(100);
  await c.atRest();
  assert.deepEqual(sent(), [1], 'step 1 has one already');
  await step(100);
  await c.atRest();
  await c.atRest();
  assert.deepEqual(sent(), [1, 2]);
});
