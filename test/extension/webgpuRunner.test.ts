// The WebGPU runner through the bundled extension (fake VS Code, host-harness.ts): the editor that reports an adapter
// and presses Train is handed the run (gpuRunStart) and the host treats what it relays (gpuRun) as the worker
// thread's — every editor on the model sees the run, the panel line says "WebGPU: …", the final weights are saved;
// hiding (or reloading) that editor hands the run to the CPU worker, which finishes it; without an adapter, or with
// backpropStudio.training.backend set to cpu, the CPU runs and the panel says why. Here the "page" is this test,
// running the host's own training loop in process (on the CPU backend) and relaying its messages as the page does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTraining, type RunInput } from '../../engine/train/run';
import { StepGate } from '../../engine/train/stepGate';
import type { RunCheckpoint } from '../../engine/train/checkpoints';
import { decodeSafetensors } from '../../engine';
import type { FromWorker } from '../../extension/training/workerProtocol';
import { FakeUri, startHost, type Host, type OpenEditor } from './host-harness';

const WS = FakeUri.file('/ws');
const model = (epochs: number) =>
  JSON.stringify(
    {
      format: 'nn-graph',
      version: 1,
      nodes: [
        { id: 'x', op: 'Input', attrs: { shape: [2] } },
        { id: 'fc', op: 'Linear', attrs: { outFeatures: 2 } },
        { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
        { id: 'loss', op: 'CrossEntropyLoss' },
      ],
      edges: [
        { from: 'x', to: 'fc' },
        { from: 'fc', to: 'loss' },
        { from: 'y', to: 'loss', port: 1 },
      ],
      training: { seed: 0, optimizer: { type: 'SGD', lr: 0.1 }, batchSize: 16, epochs, dataset: { source: 'xor', size: 64 } },
    },
    null,
    2,
  );

type State = { status: string; backend?: string; progress?: { step: number } };
const lastState = (e: OpenEditor) => e.posts('trainingState').at(-1) as State | undefined;
async function until(check: () => boolean, what: string, editors: OpenEditor[]) {
  for (let i = 0; i < 600 && !check(); i++) {
    for (const e of editors) e.send({ type: 'trainingAck' });
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.ok(check(), what);
}

async function twoEditors(epochs: number): Promise<{ host: Host; a: OpenEditor; b: OpenEditor; uri: FakeUri }> {
  const host = await startHost({ workspaceFolder: WS });
  const uri = FakeUri.file('/ws/m.nn.json');
  const a = await host.open(uri, model(epochs));
  const b = await host.openAnother(a.doc);
  return { host, a, b, uri };
}

test('the editor with an adapter that presses Train runs it; every editor sees the run, the panel says WebGPU, the weights are saved', async () => {
  const { host, a, b } = await twoEditors(2);
  a.send({ type: 'gpuAdapter', adapter: 'Fake GPU' });
  b.send({ type: 'gpuAdapter', adapter: 'Another GPU' });
  a.send({ type: 'trainingControl', action: 'start' });
  await until(() => a.posts('gpuRunStart').length === 1, 'the run handed to editor a', [a, b]);
  assert.equal(b.posts('gpuRunStart').length, 0, 'the other editor does not run it');
  const start = a.posts('gpuRunStart')[0] as { runId: number; input: RunInput };
  assert.equal(start.input.modelText, model(2));
  assert.equal(lastState(b)?.backend, 'WebGPU: Fake GPU');

  // The page: the training loop, its messages relayed as gpuRun (typed arrays and all, as VS Code carries them).
  const relayed: FromWorker[] = [];
  const gate = new StepGate((m) => a.send({ type: 'gpuRun', runId: start.runId, message: m }));
  gate.configure(start.input.options);
  await runTraining(
    start.input,
    (m) => {
      relayed.push(m);
      a.send({ type: 'gpuRun', runId: start.runId, message: m });
    },
    gate,
  );
  const fin = relayed.at(-1)!;
  assert.ok(fin.type === 'finished');
  await until(() => lastState(b)?.status === 'completed' && host.files.has('file:///ws/m.safetensors'), 'completed, weights saved', [a, b]);
  assert.equal(lastState(a)?.backend, 'WebGPU: Fake GPU');
  assert.deepEqual([...host.files.get('file:///ws/m.safetensors')!], [...fin.weights], "the page's final weights are the sidecar");
  assert.ok(b.posts('gradients').length > 0 && b.posts('trainingMetrics').length > 0, 'the other editor draws the overlay and charts');
  // A message of another run is not this run's (nothing is left to change, and nothing breaks).
  a.send({ type: 'gpuRun', runId: start.runId + 1, message: { type: 'failed', message: 'stale' } });
  await host.settle();
  assert.equal(lastState(b)?.status, 'completed');
});

/** The progress steps every trainingState post showed, in order. */
const shownSteps = (e: OpenEditor) => e.posts('trainingState').flatMap((m) => ((m as State).progress ? [(m as State).progress!.step] : []));
function assertNeverBack(steps: number[]) {
  for (let i = 1; i < steps.length; i++) assert.ok(steps[i] >= steps[i - 1], `step ${steps[i]} shown after step ${steps[i - 1]}: ${steps}`);
}

/** The weights of the same run on the CPU alone (4 steps an epoch). */
async function uninterrupted(epochs: number): Promise<Uint8Array> {
  const msgs: FromWorker[] = [];
  await runTraining(
    { modelText: model(epochs), sidecar: null, external: {}, options: { overlay: true, maxUpdatesPerSecond: 20, boundaryGrid: 0 } },
    (m) => msgs.push(m),
    { next: async () => 'go' },
  );
  const end = msgs.at(-1)!;
  assert.ok(end.type === 'finished');
  return end.weights;
}

function assertWeightsNear(got: Uint8Array, want: Uint8Array) {
  const g = decodeSafetensors(got).tensors;
  for (const [key, w] of Object.entries(decodeSafetensors(want).tensors)) {
    for (let i = 0; i < w.data.length; i++)
      assert.ok(Math.abs(g[key].data[i] - w.data[i]) <= 1e-5 + 1e-4 * Math.abs(w.data[i]), `${key}[${i}]: ${g[key].data[i]}, uninterrupted ${w.data[i]}`);
  }
}

/**
 * The page: the training loop on a clock that moves 200 ms a read (every step is shown), relaying its messages and the
 * checkpoints `keep` lets through (the others still being read when the tab went), until it goes: before step
 * `last` + 1, or when go() is called.
 */
function page(a: OpenEditor, start: { runId: number; input: RunInput }, gate: StepGate, keep: (step: number) => boolean, last = Infinity) {
  let gone = false;
  let t = 0;
  const send = (message: FromWorker | ({ type: 'checkpoint' } & RunCheckpoint)) => {
    if (!gone) a.send({ type: 'gpuRun', runId: start.runId, message });
  };
  const done = runTraining(
    start.input,
    send,
    {
      next: async (settle, at) => {
        if (at.step < last) return gate.next(settle, at);
        gone = true;
        return 'stop';
      },
      traceNext: () => gate.traceNext(),
      watched: () => gate.watched(),
      checkpoint: (c) => {
        if (keep(c.step)) send({ type: 'checkpoint', ...c });
      },
    },
    () => (t += 200),
  );
  return {
    done,
    go() {
      gone = true;
      gate.stop();
    },
  };
}

async function startOnPage(epochs: number) {
  const { host, a, b } = await twoEditors(epochs);
  a.send({ type: 'gpuAdapter', adapter: 'Fake GPU' });
  a.send({ type: 'trainingControl', action: 'start' });
  await until(() => a.posts('gpuRunStart').length === 1, 'the run handed to editor a', [a, b]);
  const start = a.posts('gpuRunStart')[0] as { runId: number; input: RunInput };
  const gate = new StepGate((m) => a.send({ type: 'gpuRun', runId: start.runId, message: m }));
  gate.configure(start.input.options);
  return { host, a, b, start, gate };
}

for (const [how, go] of [
  ['hidden', (e: OpenEditor) => e.setVisible(false)],
  ['reloaded', (e: OpenEditor) => e.send({ type: 'ready' })],
] as const) {
  test(`the editor that runs it ${how} mid-epoch: the CPU replays the steps shown since the last checkpoint and ends with the uninterrupted run's weights; the panel says from which step`, async () => {
    const { host, a, b, start, gate } = await startOnPage(3);
    // A test that fails leaves no run behind (its worker would keep the process alive).
    try {
      // The page shows step 7 (mid-epoch 2; its last checkpoint to arrive is of step 5), then its tab goes.
      await page(a, start, gate, (step) => step <= 5, 7).done;
      go(a);
      await until(() => lastState(b)?.status === 'completed' && host.files.has('file:///ws/m.safetensors'), 'completed on the CPU', [a, b]);
      assert.match(lastState(b)?.backend ?? '', new RegExp(`^CPU: WebGPU stopped \\(the editor running it was ${how}\\); went on from step 7$`));
      const metrics = b.posts('trainingMetrics').at(-1) as { history: unknown[] };
      assert.equal(metrics.history.length, 3, 'three epochs: one from the page, two from the CPU');
      assertNeverBack(shownSteps(b));
      assertWeightsNear(host.files.get('file:///ws/m.safetensors')!, await uninterrupted(3));
    } finally {
      host.closeDocument(a.doc);
    }
  });
}

test('paused at step S (Step) when the editor running it is hidden: the CPU replays to S and rests there, and its Step is S + 1', async () => {
  const { host, a, b, start, gate } = await startOnPage(2);
  try {
    // Paused after step 6 (where Step leaves it); the checkpoints after step 4 never arrive, so the CPU replays 5 and 6.
    const next = gate.next.bind(gate);
    gate.next = (settle, at) => {
      if (at.step === 6) gate.pause();
      return next(settle, at);
    };
    const run = page(a, start, gate, (step) => step <= 4);
    await until(() => lastState(b)?.status === 'paused', 'paused', [a, b]);
    const s = lastState(b)!.progress!.step;
    assert.equal(s, 6);
    run.go();
    await run.done;
    a.setVisible(false);
    await until(() => /went on from step/.test(lastState(b)?.backend ?? ''), 'handed to the CPU', [a, b]);
    // The CPU catches up and rests where the page rested: paused, showing step S.
    await until(() => lastState(b)?.status === 'paused', 'the CPU paused', [a, b]);
    assert.equal(lastState(b)?.backend, `CPU: WebGPU stopped (the editor running it was hidden); went on from step ${s}`);
    assert.equal(lastState(b)?.progress?.step, s, 'still step S');
    b.send({ type: 'trainingControl', action: 'step' });
    await until(() => (lastState(b)?.progress?.step ?? 0) > s, 'a step taken', [a, b]);
    assert.equal(lastState(b)?.progress?.step, s + 1, 'Step takes step S + 1');
    b.send({ type: 'trainingControl', action: 'resume' });
    await until(() => lastState(b)?.status === 'completed' && host.files.has('file:///ws/m.safetensors'), 'completed on the CPU', [a, b]);
    assertNeverBack(shownSteps(b));
    assertWeightsNear(host.files.get('file:///ws/m.safetensors')!, await uninterrupted(2));
  } finally {
    host.closeDocument(a.doc);
  }
});

test('without an adapter the CPU runs, saying why; with the setting cpu it says so', async () => {
  const { host, a, b, uri } = await twoEditors(1);
  a.send({ type: 'gpuAdapter', adapter: null, why: 'no WebGPU adapter' });
  a.send({ type: 'trainingControl', action: 'start' });
  await until(() => lastState(a)?.status === 'completed', 'completed', [a, b]);
  assert.equal(lastState(a)?.backend, 'CPU: no WebGPU adapter');
  assert.equal(a.posts('gpuRunStart').length, 0);

  (host.vscode.workspace as Record<string, unknown>).getConfiguration = (section: string) => ({
    get: (key: string) => (section === 'backpropStudio.training' && key === 'backend' ? 'cpu' : undefined),
  });
  b.send({ type: 'gpuAdapter', adapter: 'Fake GPU' });
  await host.rec.commands.get('backpropStudio.train')!(uri);
  assert.equal(lastState(b)?.backend, 'CPU: chosen in settings');
  assert.equal(b.posts('gpuRunStart').length, 0);
});
