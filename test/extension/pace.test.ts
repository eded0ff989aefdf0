// Step, Pause, Resume and the speed setting through the extension host (fake VS Code, the real training worker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeUri, startHost, type OpenEditor } from './host-harness';
import { encodeSafetensors } from '../../engine';

const WS = FakeUri.file('/ws');
const model = JSON.stringify(
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
    training: { seed: 0, optimizer: { type: 'SGD', lr: 0.1 }, batchSize: 16, epochs: 50, dataset: { source: 'xor', size: 200 } },
  },
  null,
  2,
);

const lastState = (e: OpenEditor) => e.posts('trainingState').at(-1) as { status: string; progress?: { step: number; stepsPerEpoch: number } } | undefined;
async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(check(), what);
}

test('Step on a model that is not training starts a paused run that has taken one step; Step epoch, Resume and Stop go on from there', async (t) => {
  const host = await startHost({ workspaceFolder: WS });
  const uri = FakeUri.file('/ws/m.nn.json');
  const editor = await host.open(uri, model);
  t.after(() => host.rec.commands.get('backpropStudio.stopTraining')!(uri));
  const ack = () => editor.send({ type: 'trainingAck' });
  editor.send({ type: 'trainingControl', action: 'step' });
  await until(() => {
    ack();
    return lastState(editor)?.status === 'paused' && lastState(editor)?.progress?.step === 1;
  }, 'paused at step 1');
  await host.rec.commands.get('backpropStudio.stepTrainingEpoch')!(uri);
  await until(() => {
    ack();
    return lastState(editor)?.progress?.step === lastState(editor)?.progress?.stepsPerEpoch;
  }, 'at the end of epoch 1');
  assert.equal(lastState(editor)?.status, 'paused');
  await host.rec.commands.get('backpropStudio.resumeTraining')!(uri);
  await until(() => {
    ack();
    return lastState(editor)?.status === 'running';
  }, 'running');
  await host.rec.commands.get('backpropStudio.pauseTraining')!(uri);
  await until(() => {
    ack();
    return lastState(editor)?.status === 'paused';
  }, 'paused again');
  await host.rec.commands.get('backpropStudio.stopTraining')!(uri);
  await until(() => {
    ack();
    return lastState(editor)?.status === 'stopped';
  }, 'stopped');
  assert.ok(host.files.get('file:///ws/m.safetensors'), 'the weights were saved');
});

test('the speed setting paces the run: at 5 steps a second it is still early in its first epoch after half a second', async (t) => {
  const host = await startHost({ workspaceFolder: WS });
  const uri = FakeUri.file('/ws/p.nn.json');
  const editor = await host.open(uri, model);
  t.after(() => host.rec.commands.get('backpropStudio.stopTraining')!(uri));
  editor.send({ type: 'trainingPace', stepsPerSecond: 5 });
  editor.send({ type: 'trainingControl', action: 'start' });
  await until(() => {
    editor.send({ type: 'trainingAck' });
    return lastState(editor)?.status === 'running';
  }, 'running');
  await new Promise((r) => setTimeout(r, 500));
  editor.send({ type: 'trainingAck' });
  // Unpaced, the 500 steps of this run take well under a second; paced, at most a handful have run.
  assert.ok((lastState(editor)?.progress?.step ?? 0) <= 5, `step ${lastState(editor)?.progress?.step}`);
  await host.rec.commands.get('backpropStudio.stopTraining')!(uri);
  await until(() => {
    editor.send({ type: 'trainingAck' });
    return lastState(editor)?.status === 'stopped';
  }, 'stopped');
  // A bad pace is refused by the message check.
  editor.send({ type: 'trainingPace', stepsPerSecond: 7 });
  assert.match(String(editor.posts('editRejected').at(-1)?.reason), /trainingPace\.stepsPerSecond: must be one of 1, 5, 20, 100 or null .*found 7/);
});

test('paused at 5 steps a second, a change to as fast as possible and Resume run on to the end', async (t) => {
  const host = await startHost({ workspaceFolder: WS });
  const uri = FakeUri.file('/ws/q.nn.json');
  const editor = await host.open(uri, model);
  t.after(() => host.rec.commands.get('backpropStudio.stopTraining')!(uri));
  const ack = () => editor.send({ type: 'trainingAck' });
  editor.send({ type: 'trainingPace', stepsPerSecond: 5 });
  editor.send({ type: 'trainingControl', action: 'start' });
  await until(() => {
    ack();
    return (lastState(editor)?.progress?.step ?? 0) >= 2;
  }, 'two paced steps');
  editor.send({ type: 'trainingControl', action: 'pause' });
  await until(() => {
    ack();
    return lastState(editor)?.status === 'paused';
  }, 'paused');
  await new Promise((r) => setTimeout(r, 200));
  ack();
  // The status bar, throttled while running, shows the step the run rests at.
  const rest = lastState(editor) as unknown as { progress: { epoch: number; loss: number } };
  const bar = host.rec.statusBarItems.map((i) => i.text).find((t) => /Epoch/.test(t)) ?? '';
  assert.equal(/Epoch \d+\/50 · loss [\d.]+/.exec(bar)?.[0], `Epoch ${rest.progress.epoch + 1}/50 · loss ${rest.progress.loss.toPrecision(4)}`, bar);
  editor.send({ type: 'trainingPace', stepsPerSecond: null });
  await new Promise((r) => setTimeout(r, 300));
  editor.send({ type: 'trainingControl', action: 'resume' });
  await until(
    () => {
      ack();
      return lastState(editor)?.status === 'completed';
    },
    `completed (last: ${JSON.stringify(lastState(editor))})`,
  );
});

test("Walk Through Step on a model that is not training: one traced step, paused, its trace and the watched node's weights sent to the editor", async (t) => {
  const host = await startHost({ workspaceFolder: WS });
  const uri = FakeUri.file('/ws/w.nn.json');
  const editor = await host.open(uri, model);
  t.after(() => host.rec.commands.get('backpropStudio.stopTraining')!(uri));
  const ack = () => editor.send({ type: 'trainingAck' });
  editor.send({ type: 'watchNode', nodeId: 'fc' });
  await host.rec.commands.get('backpropStudio.walkThroughStep')!(uri);
  await until(() => {
    ack();
    return editor.posts('walkthrough').length === 1 && lastState(editor)?.status === 'paused';
  }, 'the trace, paused');
  const trace = (editor.posts('walkthrough')[0] as { trace: { step: number; forward: { node: string }[]; backward: { node: string }[] } }).trace;
  assert.equal(trace.step, 1);
  assert.equal(lastState(editor)?.progress?.step, 1, 'paused at the walked step');
  assert.deepEqual(
    trace.forward.map((f) => f.node),
    ['fc', 'loss'],
  );
  assert.deepEqual(
    trace.backward.map((b) => b.node),
    ['loss', 'fc'],
  );
  await until(() => {
    ack();
    return editor.posts('weights').some((w) => (w as { step: number }).step === 1);
  }, "fc's weights at step 1");
  assert.equal((editor.posts('weights').at(-1) as { nodeId: string }).nodeId, 'fc');
  // From the panel, a second walk continues the same run.
  editor.send({ type: 'trainingControl', action: 'walk' });
  await until(() => {
    ack();
    return editor.posts('walkthrough').length === 2;
  }, 'a second trace');
  assert.equal((editor.posts('walkthrough')[1] as { trace: { step: number } }).trace.step, 2);
});

test('with no run going, watching a node sends its weights as saved (the weights file), without a gradient', async () => {
  const host = await startHost({ workspaceFolder: WS });
  const uri = FakeUri.file('/ws/r.nn.json');
  host.files.set(
    'file:///ws/r.safetensors',
    encodeSafetensors({
      'fc.weight': { dtype: 'F32', shape: [2, 2], data: Float32Array.from([1, -2, 3, -4]) },
      'fc.bias': { dtype: 'F32', shape: [2], data: Float32Array.from([0.5, -0.5]) },
    }),
  );
  const editor = await host.open(uri, model);
  editor.send({ type: 'watchNode', nodeId: 'fc' });
  await until(() => editor.posts('weights').length === 1, 'the saved weights');
  const w = editor.posts('weights')[0] as {
    nodeId: string;
    saved?: boolean;
    params: { name: string; value: { values: number[]; min: number; max: number }; grad?: unknown }[];
  };
  assert.equal(w.nodeId, 'fc');
  assert.equal(w.saved, true);
  assert.deepEqual(
    w.params.map((p) => [p.name, p.value.values, p.grad]),
    [
      ['weight', [1, -2, 3, -4], undefined],
      ['bias', [0.5, -0.5], undefined],
    ],
  );
  // A node without parameters, or none: nothing more.
  editor.send({ type: 'watchNode', nodeId: 'loss' });
  editor.send({ type: 'watchNode', nodeId: null });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(editor.posts('weights').length, 1);
});
