// Walk through step in the real training run (engine/train/run.ts driven by the StepGate, as in the worker):
// it is one ordinary optimizer step, traced: the weights after it are those an untraced Step gives, bit for bit; the
// trace's forward order is the compiled order and its backward the reverse; the run pauses after it. The watched
// node's weights are posted for the step the run rests at, and again when the watch changes while paused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphModel, decodeSafetensors } from '../../engine';
import { runTraining } from '../../engine/train/run';
import { StepGate } from '../../engine/train/stepGate';
import type { FromWorker, RunOptions, StepUnit } from '../../extension/training/workerProtocol';

const json = {
  format: 'nn-graph',
  version: 1,
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [2] } },
    { id: 'fc1', op: 'Linear', attrs: { outFeatures: 8 } },
    { id: 'act', op: 'Tanh' },
    { id: 'fc2', op: 'Linear', attrs: { outFeatures: 2 } },
    { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
    { id: 'loss', op: 'CrossEntropyLoss' },
  ],
  edges: [
    { from: 'x', to: 'fc1' },
    { from: 'fc1', to: 'act' },
    { from: 'act', to: 'fc2' },
    { from: 'fc2', to: 'loss' },
    { from: 'y', to: 'loss', port: 1 },
  ],
  training: { seed: 0, optimizer: { type: 'Adam', lr: 0.03 }, batchSize: 32, epochs: 3, validationSplit: 0.2, dataset: { source: 'circle', size: 200 } },
};
const model = JSON.stringify(json);
const OPTS: RunOptions = { overlay: true, maxUpdatesPerSecond: 20, boundaryGrid: 0, startPaused: true };
const tick = () => new Promise((r) => setTimeout(r, 20));

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 400 && !check(); i++) await tick();
  assert.ok(check(), what);
}

function start(options: Partial<RunOptions> = {}) {
  const gate = new StepGate(() => undefined);
  const msgs: FromWorker[] = [];
  gate.configure({ ...OPTS, ...options });
  const done = runTraining({ modelText: model, sidecar: null, external: {}, options: { ...OPTS, ...options } }, (m) => msgs.push(m), gate);
  const steps = () => {
    const p = msgs.filter((m) => m.type === 'progress').at(-1);
    return p?.type === 'progress' ? p.progress.step : 0;
  };
  return { gate, msgs, done, steps };
}

/** Steps by these units from a paused start, then stops: the weights it ends with and every message. */
async function stepThrough(units: StepUnit[]) {
  const run = start();
  for (let i = 0; i < units.length; i++) {
    run.gate.step(units[i]);
    await until(() => run.steps() === i + 1, `step ${i + 1}`);
  }
  await tick();
  run.gate.stop();
  await run.done;
  const fin = run.msgs.at(-1)!;
  assert.ok(fin.type === 'finished', JSON.stringify(run.msgs.filter((m) => m.type === 'failed')));
  return { weights: decodeSafetensors(fin.weights).tensors, msgs: run.msgs };
}

test('Walk through step is one ordinary step, traced: the same weights as Step, bit for bit, and the compiled order', async () => {
  const plain = await stepThrough(['step', 'step', 'step']);
  const walked = await stepThrough(['step', 'walk', 'step']);
  assert.equal(plain.msgs.filter((m) => m.type === 'walkthrough').length, 0, 'Step traces nothing');
  const traces = walked.msgs.filter((m) => m.type === 'walkthrough');
  assert.equal(traces.length, 1, 'one trace, of the walked step');
  for (const [key, t] of Object.entries(plain.weights)) {
    assert.deepEqual(Array.from(walked.weights[key].data), Array.from(t.data), `${key}: the same after the same steps`);
  }
  const trace = traces[0].type === 'walkthrough' ? traces[0].trace : null;
  assert.ok(trace);
  assert.equal(trace.step, 2, 'the second step was the walked one');
  const order = GraphModel.create(model).order.filter((id) => !['x', 'y'].includes(id));
  assert.deepEqual(
    trace.forward.map((f) => f.node),
    order,
    'forward: the compiled order, without the fed nodes',
  );
  assert.deepEqual(
    trace.backward.map((b) => b.node),
    [...order].reverse(),
    'backward: its reverse',
  );
  assert.equal(trace.batchSize, 32);
  // The trace's loss is the step's, as its progress reported it.
  const progress = walked.msgs.find((m) => m.type === 'progress' && m.progress.step === 2);
  assert.ok(progress?.type === 'progress');
  assert.equal(trace.loss, progress.progress.loss);
});

test('a walk from a running run pauses after its traced step, and the Step after it is not traced', async () => {
  const run = start({ startPaused: false, stepsPerSecond: 50 });
  await until(() => run.steps() >= 2, 'running');
  run.gate.step('walk');
  await until(() => run.msgs.some((m) => m.type === 'walkthrough'), 'the trace');
  const trace = run.msgs.find((m) => m.type === 'walkthrough');
  const at = trace?.type === 'walkthrough' ? trace.trace.step : -1;
  await tick();
  await tick();
  assert.equal(run.steps(), at, 'paused at the walked step');
  run.gate.step('step');
  await until(() => run.steps() === at + 1, 'a plain step after');
  assert.equal(run.msgs.filter((m) => m.type === 'walkthrough').length, 1, 'which is not traced');
  run.gate.stop();
  await run.done;
});

test("the watched node's weights: posted for the step the run rests at, and when the watch changes while paused", async () => {
  const run = start({ watch: 'fc1' });
  const weights = () => run.msgs.filter((m) => m.type === 'weights') as Extract<FromWorker, { type: 'weights' }>[];
  await until(() => weights().length === 1, 'the initial weights, before any step');
  assert.equal(weights()[0].step, 0);
  assert.deepEqual(
    weights()[0].params.map((p) => [p.name, p.value.rows, p.value.cols, p.grad === undefined]),
    [
      ['weight', 8, 2, true],
      ['bias', 1, 8, true],
    ],
  );
  run.gate.step('step');
  await until(() => weights().some((w) => w.step === 1), 'after the step');
  const after = weights().find((w) => w.step === 1)!;
  assert.ok(after.params[0].grad, 'with the gradient the step applied');
  run.gate.watch('fc2');
  await until(() => weights().some((w) => w.nodeId === 'fc2'), 'the new node, without a step');
  assert.deepEqual(weights().at(-1)!.params[0].value.shape, [2, 8]);
  const n = weights().length;
  run.gate.watch('act');
  await tick();
  await tick();
  assert.equal(weights().length, n, 'a node without parameters: nothing');
  run.gate.stop();
  await run.done;
});
