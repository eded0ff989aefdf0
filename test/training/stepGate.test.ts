// Pace control (engine/train/stepGate.ts) driving the real training run: Step takes exactly one
// optimizer step and pauses, Step epoch runs to the epoch's end, Pause/Step/Resume continue the same run, and a
// set pace spaces the steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTraining } from '../../engine/train/run';
import { StepGate } from '../../engine/train/stepGate';
import type { FromWorker, RunOptions } from '../../extension/training/workerProtocol';

const model = JSON.stringify({
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
});
// 160 training points, batch 32: 5 steps an epoch, 15 in all.
const OPTS: RunOptions = { overlay: true, maxUpdatesPerSecond: 20, boundaryGrid: 0 };
const tick = () => new Promise((r) => setTimeout(r, 30));

function start(options: Partial<RunOptions>, gate: StepGate) {
  const msgs: FromWorker[] = [];
  gate.configure({ ...OPTS, ...options });
  const done = runTraining({ modelText: model, sidecar: null, external: {}, options: { ...OPTS, ...options } }, (m) => msgs.push(m), gate);
  const lastStep = () => {
    const last = msgs.filter((m) => m.type === 'progress').at(-1);
    return last?.type === 'progress' ? last.progress.step : 0;
  };
  return { msgs, done, lastStep };
}

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 300 && !check(); i++) await tick();
  assert.ok(check(), what);
}

test('Step from a paused start takes exactly one optimizer step, then waits; Step epoch runs to the epoch’s end', async () => {
  const gate = new StepGate(() => undefined);
  const run = start({ startPaused: true }, gate);
  await tick();
  assert.equal(run.lastStep(), 0, 'paused before the first step');
  gate.step('step');
  await until(() => run.lastStep() === 1, 'one step');
  await tick();
  await tick();
  assert.equal(run.lastStep(), 1, 'and no more');
  gate.step('step');
  await until(() => run.lastStep() === 2, 'a second step');
  gate.step('epoch');
  await until(() => run.lastStep() === 5, 'to the end of epoch 1');
  await tick();
  assert.equal(run.lastStep(), 5);
  gate.step('epoch');
  await until(() => run.lastStep() === 10, 'a whole epoch more');
  gate.stop();
  await run.done;
  assert.equal(run.msgs.at(-1)!.type, 'finished');
});

test('Pause, Step and Resume continue the same run: the weights equal an uninterrupted run’s, bit for bit', async () => {
  const straight = start({}, new StepGate(() => undefined));
  await straight.done;
  const gate = new StepGate(() => undefined);
  const run = start({}, gate);
  gate.step('step'); // pauses the running run after its next step
  await until(() => run.lastStep() >= 1, 'a step');
  const at = run.lastStep();
  await tick();
  assert.equal(run.lastStep(), at, 'paused');
  gate.step('step');
  await until(() => run.lastStep() === at + 1, 'one more');
  gate.resume();
  await run.done;
  const a = straight.msgs.at(-1)!,
    b = run.msgs.at(-1)!;
  assert.ok(a.type === 'finished' && b.type === 'finished' && b.reason === 'completed');
  assert.deepEqual([...b.weights], [...a.weights]);
  assert.equal(run.lastStep(), 15);
});

test('a set pace spaces the steps 1/pace apart; a change of pace applies to the next step', async () => {
  let now = 0;
  // A fake clock: sleeping advances it, so the test measures what the gate asks for, not the machine.
  const gate = new StepGate(
    () => undefined,
    () => now,
    async (ms) => {
      now += ms;
    },
  );
  const times: number[] = [];
  gate.configure({ stepsPerSecond: 5 });
  const settle = async () => undefined;
  for (let i = 0; i < 6; i++) {
    assert.equal(await gate.next(settle, { step: i, stepsPerEpoch: 5 }), 'go');
    times.push(now);
    if (i === 3) gate.pace(20);
  }
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  assert.deepEqual(
    gaps.map((g) => Math.round(g)),
    [200, 200, 200, 50, 50],
  );
  gate.pace(null);
  const before = now;
  await gate.next(settle, { step: 6, stepsPerEpoch: 5 });
  assert.equal(now, before, 'as fast as possible: no wait');
});

test('at 5 steps/s every step is drawn: progress, gradients, node statistics, step costs and boundary for each step', async () => {
  let now = 0;
  // One fake clock for the gate's waits and the run's throttles: the steps come 200 ms apart.
  const gate = new StepGate(
    () => undefined,
    () => now,
    async (ms) => {
      now += ms;
    },
  );
  gate.configure({ stepsPerSecond: 5 });
  const msgs: FromWorker[] = [];
  await runTraining(
    { modelText: model, sidecar: null, external: {}, options: { ...OPTS, boundaryGrid: 4 } },
    (m) => msgs.push(m),
    gate,
    () => now,
  );
  const steps = (type: FromWorker['type']) =>
    msgs.flatMap((m) =>
      m.type !== type
        ? []
        : m.type === 'progress'
          ? [m.progress.step]
          : m.type === 'gradients'
            ? [m.update.step]
            : m.type === 'boundary' || m.type === 'nodeStats' || m.type === 'stepCosts'
              ? [m.step]
              : [],
    );
  const all = Array.from({ length: 15 }, (_, i) => i + 1);
  for (const type of ['progress', 'gradients', 'nodeStats', 'stepCosts', 'boundary'] as const) assert.deepEqual([...new Set(steps(type))], all, type);
});

test('a Pause that comes while the pace holds the next step back takes effect there: no step, no busy wait, and Resume goes on', async () => {
  let now = 0;
  let pauseInWait = false;
  const posted: string[] = [];
  const gate = new StepGate(
    (m) => posted.push(m.type),
    () => now,
    async (ms) => {
      now += ms;
      if (pauseInWait) {
        pauseInWait = false;
        gate.pause();
      }
    },
  );
  gate.configure({ stepsPerSecond: 5 });
  let settles = 0;
  const settle = async () => void settles++;
  assert.equal(await gate.next(settle, { step: 0, stepsPerEpoch: 5 }), 'go');
  pauseInWait = true;
  let outcome: string | undefined;
  const second = gate.next(settle, { step: 1, stepsPerEpoch: 5 }).then((o) => (outcome = o));
  await tick();
  assert.equal(outcome, undefined, 'no step after Pause');
  assert.deepEqual(posted, ['paused']);
  assert.ok(settles <= 2, `the paused gate waits instead of spinning (${settles} settles)`);
  gate.pace(null); // the person speeds it up while paused: still paused
  await tick();
  assert.equal(outcome, undefined);
  gate.resume();
  await second;
  assert.equal(outcome, 'go');
  assert.deepEqual(posted, ['paused', 'resumed']);
});
