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
import type { FromWorker } from '../../extension/training/workerProtocol';
import { FakeUri, startHost, type Host, type OpenEditor } from './host-harness';

const WS = FakeUri.file('/ws');
const model = (epochs: number) => JSON.stringify({
  format: 'nn-graph', version: 1,
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [2] } }, { id: 'fc', op: 'Linear', attrs: { outFeatures: 2 } },
    { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } }, { id: 'loss', op: 'CrossEntropyLoss' },
  ],
  edges: [{ from: 'x', to: 'fc' }, { from: 'fc', to: 'loss' }, { from: 'y', to: 'loss', port: 1 }],
  training: { seed: 0, optimizer: { type: 'SGD', lr: 0.1 }, batchSize: 16, epochs, dataset: { source: 'xor', size: 64 } },
}, null, 2);

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
  await runTraining(start.input, (m) => {
    relayed.push(m);
    a.send({ type: 'gpuRun', runId: start.runId, message: m });
  }, gate);
  const fin = relayed.at(-1)!;
  assert.ok(fin.type === 'finished');
  await until(() => lastState(b)?.status === 'completed' && host.files.has('file:///ws/m.safetensors'), 'completed, weights saved', [a, b]);
  assert.equal(lastState(a)?.backend, 'WebGPU: Fake GPU');
  assert.deepEqual([...host.files.get('file:///ws/m.safetensors')!], [...fin.weights], 'the page\'s final weights are the sidecar');
  assert.ok(b.posts('gradients').length > 0 && b.posts('trainingMetrics').length > 0, 'the other editor draws the overlay and charts');
  // A message of another run is not this run's (nothing is left to change, and nothing breaks).
  a.send({ type: 'gpuRun', runId: start.runId + 1, message: { type: 'failed', message: 'stale' } });
  await host.settle();
  assert.equal(lastState(b)?.status, 'completed');
});

for (const [how, go] of [['hidden', (e: OpenEditor) => e.setVisible(false)], ['reloaded', (e: OpenEditor) => e.send({ type: 'ready' })]] as const) {
  test(`the editor that runs it ${how}: the CPU finishes the run from the checkpoint; the panel says so`, async () => {
    const { host, a, b } = await twoEditors(3);
    a.send({ type: 'gpuAdapter', adapter: 'Fake GPU' });
    a.send({ type: 'trainingControl', action: 'start' });
    await until(() => a.posts('gpuRunStart').length === 1, 'the run handed to editor a', [a, b]);
    const start = a.posts('gpuRunStart')[0] as { runId: number; input: RunInput };
    // The page trains one epoch and sends its checkpoint, then its tab is hidden (VS Code unloads the page).
    let stop = false;
    const relayed: FromWorker[] = [];
    await runTraining(start.input, (m) => {
      // Nothing more comes from a page that is gone.
      if (stop) return;
      relayed.push(m);
      a.send({ type: 'gpuRun', runId: start.runId, message: m });
    }, {
      next: async () => (stop ? 'stop' : 'go'),
      checkpoint: (c) => {
        if (c.step === 0 || c.epoch !== 1) return;
        a.send({ type: 'gpuRun', runId: start.runId, message: { type: 'checkpoint', ...c } });
        stop = true;
      },
    });
    go(a);
    await until(() => lastState(b)?.status === 'completed', 'completed on the CPU', [a, b]);
    assert.match(lastState(b)?.backend ?? '', new RegExp(`^CPU: WebGPU stopped \\(the editor running it was ${how}\\)`));
    const metrics = b.posts('trainingMetrics').at(-1) as { history: unknown[] };
    assert.equal(metrics.history.length, 3, 'three epochs: one from the page, two from the CPU');
    assert.ok(host.files.has('file:///ws/m.safetensors'));
  });
}

test('without an adapter the CPU runs, saying why; with the setting cpu it says so', async () => {
  const { host, a, b, uri } = await twoEditors(1);
  a.send({ type: 'gpuAdapter', adapter: null, why: 'no WebGPU adapter' });
  a.send({ type: 'trainingControl', action: 'start' });
  await until(() => lastState(a)?.status === 'completed', 'completed', [a, b]);
  assert.equal(lastState(a)?.backend, 'CPU: no WebGPU adapter');
  assert.equal(a.posts('gpuRunStart').length, 0);

  (host.vscode.workspace as Record<string, unknown>).getConfiguration = (section: string) => ({ get: (key: string) => (section === 'backpropStudio.training' && key === 'backend' ? 'cpu' : undefined) });
  b.send({ type: 'gpuAdapter', adapter: 'Fake GPU' });
  await host.rec.commands.get('backpropStudio.train')!(uri);
  assert.equal(lastState(b)?.backend, 'CPU: chosen in settings');
  assert.equal(b.posts('gpuRunStart').length, 0);
});
