// The training run behind the extension's session (engine/train/run.ts) with the real engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { GraphModel, Tensor, buildDataset, decodeSafetensors, readDatasetSpec, splitDataset } from '../../engine';
import { boundaryGrid, runTraining, type RunControl } from '../../engine/train/run';
import type { FromWorker, RunOptions } from '../../extension/training/workerProtocol';
import { addTrainPoint } from '../../extension/training/session';
import type { TrainPoint } from '../../protocol/messages';

function mlp(source: string, extra: Record<string, unknown> = {}, hidden = 8) {
  return {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: hidden } },
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
    training: { seed: 0, optimizer: { type: 'Adam', lr: 0.03 }, batchSize: 32, epochs: 15, validationSplit: 0.2, dataset: { source, size: 400, noise: 0 } },
    ...extra,
  };
}

const OPTS: RunOptions = { overlay: true, maxUpdatesPerSecond: 20, boundaryGrid: 0 };
const always: RunControl = { next: async () => 'go' };

async function run(model: unknown, options: Partial<RunOptions> = {}, control = always): Promise<FromWorker[]> {
  const msgs: FromWorker[] = [];
  await runTraining({ modelText: JSON.stringify(model), sidecar: null, external: {}, options: { ...OPTS, ...options } }, (m) => msgs.push(m), control);
  return msgs;
}

for (const source of ['xor', 'circle']) {
  test(`${source} reaches over 95% training accuracy within 15 epochs (fixed seed)`, async () => {
    const msgs = await run(mlp(source));
    const fin = msgs.find((m) => m.type === 'finished');
    assert.ok(fin && fin.type === 'finished' && fin.reason === 'completed', JSON.stringify(msgs.filter((m) => m.type === 'failed')));
    const last = fin.history.at(-1)!;
    assert.ok(last.trainAccuracy! > 0.95, `train accuracy ${last.trainAccuracy}`);
    assert.equal(fin.history.length, 15);
    assert.equal(msgs.filter((m) => m.type === 'epoch').length, 15);
  });
}

test("overlay gradients agree with the engine's own node gradients", async () => {
  // One full-batch step: the overlay's RMS per edge must equal the RMS of the gradient autograd gives
  // the edge's source node (each node here feeds exactly one edge).
  const json = mlp('circle', {}, 6);
  json.training.epochs = 1;
  json.training.batchSize = 1000;
  const msgs = await run(json, { maxUpdatesPerSecond: 1e9 });
  const g = msgs.find((m) => m.type === 'gradients');
  assert.ok(g && g.type === 'gradients');
  assert.equal(g.update.step, 1);

  const model = GraphModel.create(JSON.stringify(json));
  const data = buildDataset(model, readDatasetSpec(json.training).spec!);
  const { train } = splitDataset(data, 0.2, 0);
  const pass = model.forward(
    { x: Tensor.fromData(train.inputs, [train.n, 2]), y: Tensor.fromData(train.targets, [train.n], 'int32') },
    { training: true, retainGrads: true },
  );
  pass.loss!.backward();
  json.edges.forEach((e, i) => {
    const grad = pass.values.get(e.from)!.grad;
    if (!grad) return assert.equal(g.update.edges[i], 0, `edge ${i} from ${e.from} carries no gradient`);
    const d = Array.from(grad.dataSync());
    const rms = Math.sqrt(d.reduce((s, v) => s + v * v, 0) / d.length);
    assert.ok(Math.abs(g.update.edges[i] - rms) <= 1e-6 + 1e-4 * rms, `edge ${i} (${e.from} → ${e.to}): overlay ${g.update.edges[i]} vs engine ${rms}`);
  });
  // Parameter-gradient norms are per node.
  const w = model.state.get('fc1.weight')!.grad!.dataSync(),
    b = model.state.get('fc1.bias')!.grad!.dataSync();
  const norm = Math.sqrt([...w, ...b].reduce((s, v) => s + v * v, 0));
  assert.ok(Math.abs(g.update.paramNorms.fc1 - norm) <= 1e-5 * norm);
});

test('overlay updates are throttled to the requested rate', async () => {
  let t = 0;
  const msgs: FromWorker[] = [];
  // A fake clock advancing 10 ms a step: at 20 updates/s, one snapshot every 5 steps.
  await runTraining(
    { modelText: JSON.stringify(mlp('xor')), sidecar: null, external: {}, options: { ...OPTS, maxUpdatesPerSecond: 20 } },
    (m) => msgs.push(m),
    always,
    () => (t += 10),
  );
  const steps = msgs.filter((m) => m.type === 'gradients').map((m) => (m.type === 'gradients' ? m.update.step : 0));
  assert.ok(steps.length > 10);
  for (let i = 1; i < steps.length; i++) assert.ok(steps[i] - steps[i - 1] >= 2, `updates at steps ${steps[i - 1]} and ${steps[i]}`);
});

test('stop ends the run cleanly with the current weights', async () => {
  let calls = 0;
  const control: RunControl = { next: async () => (++calls > 3 ? 'stop' : 'go') };
  const msgs = await run(mlp('xor'), {}, control);
  const fin = msgs.at(-1)!;
  assert.equal(fin.type, 'finished');
  assert.ok(fin.type === 'finished' && fin.reason === 'stopped');
  const keys = Object.keys(decodeSafetensors(fin.weights).tensors).sort();
  assert.deepEqual(keys, ['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight']);
});

test('NaN stops the run, names the step and the first node, and keeps finite weights', async () => {
  // log of a linear layer's output: negative values make NaN in the first step.
  const json = mlp('xor');
  json.nodes.splice(2, 1, { id: 'lg', op: 'Log' });
  json.edges = [
    { from: 'x', to: 'fc1' },
    { from: 'fc1', to: 'lg' },
    { from: 'lg', to: 'fc2' },
    { from: 'fc2', to: 'loss' },
    { from: 'y', to: 'loss', port: 1 },
  ];
  const msgs = await run(json);
  const nf = msgs.find((m) => m.type === 'nonFinite');
  assert.ok(nf && nf.type === 'nonFinite', JSON.stringify(msgs.map((m) => m.type)));
  assert.equal(nf.step, 1);
  assert.equal(nf.nodeId, 'lg');
  assert.match(nf.detail, /step 1.*"lg" \(Log\)/);
  for (const t of Object.values(decodeSafetensors(nf.weights).tensors)) assert.ok(t.data.every(Number.isFinite));
});

test('a model without a dataset fails with a message, not an exception', async () => {
  const json = mlp('xor');
  delete (json.training as Record<string, unknown>).dataset;
  const msgs = await run(json);
  assert.deepEqual(
    msgs.map((m) => m.type),
    ['failed'],
  );
  assert.match((msgs[0] as { message: string }).message, /dataset/);
});

test('the bundled worker thread trains, pauses, resumes and stops on request', async () => {
  const worker = new Worker(join(__dirname, '..', '..', 'dist', 'trainWorker.js'));
  const seen: FromWorker['type'][] = [];
  let started: FromWorker | undefined;
  const done = new Promise<FromWorker>((resolve) => {
    worker.on('message', (m: FromWorker) => {
      seen.push(m.type);
      if (m.type === 'started') started = m;
      if (m.type === 'progress' && !seen.includes('paused')) worker.postMessage({ type: 'pause' });
      if (m.type === 'paused') setTimeout(() => worker.postMessage({ type: 'resume' }), 50);
      if (m.type === 'resumed') worker.postMessage({ type: 'stop' });
      if (m.type === 'finished' || m.type === 'failed' || m.type === 'nonFinite') resolve(m);
    });
  });
  const json = mlp('xor');
  json.training.epochs = 1000;
  worker.postMessage({ type: 'start', modelText: JSON.stringify(json), sidecar: null, external: {}, options: OPTS });
  const end = await done;
  await worker.terminate();
  assert.equal(end.type, 'finished');
  assert.ok(end.type === 'finished' && end.reason === 'stopped');
  assert.ok(seen.indexOf('paused') < seen.indexOf('resumed'));
  // It trains on the WebAssembly kernels from dist/kernels/ (relaxed SIMD: the suite runs with it, as Electron does).
  assert.ok(started?.type === 'started');
  assert.equal(started.kernels.kernels, 'relaxed-simd');
  assert.ok(started.kernels.threads >= 1);
});

/** The step of the last message of each view kind before the run's final message. */
function lastSteps(msgs: FromWorker[]) {
  const at = (type: string) => {
    const m = msgs.filter((x) => x.type === type).at(-1);
    return m?.type === 'progress' ? m.progress.step : m?.type === 'gradients' ? m.update.step : m?.type === 'boundary' ? m.step : undefined;
  };
  return { progress: at('progress'), gradients: at('gradients'), boundary: at('boundary') };
}

test('a completed run ends with progress, gradients and boundary all at its last step, however throttled', async () => {
  const json = mlp('xor');
  json.training.epochs = 3;
  const msgs: FromWorker[] = [];
  // A clock that never moves: throttling lets through only the first update of each kind.
  await runTraining(
    { modelText: JSON.stringify(json), sidecar: null, external: {}, options: { ...OPTS, boundaryGrid: 8 } },
    (m) => msgs.push(m),
    always,
    () => 0,
  );
  const started = msgs.find((m) => m.type === 'started');
  assert.ok(started?.type === 'started');
  const S = 3 * started.stepsPerEpoch;
  assert.equal(msgs.at(-1)!.type, 'finished');
  assert.deepEqual(lastSteps(msgs), { progress: S, gradients: S, boundary: S });
  // The boundary sent last is the one of the saved weights.
  const fin = msgs.at(-1)!;
  assert.ok(fin.type === 'finished');
  const model = GraphModel.create(JSON.stringify(json), { sidecar: decodeSafetensors(fin.weights).tensors });
  const b = msgs.filter((m) => m.type === 'boundary').at(-1)!;
  assert.ok(b.type === 'boundary');
  assert.deepEqual([...b.values], [...(await boundaryGrid(model, 'x', 8))]);
});

test('a stopped run ends at the last step it took, and a paused one settles there before it waits', async () => {
  let calls = 0;
  const stopAt: RunControl = { next: async () => (++calls > 7 ? 'stop' : 'go') };
  const stopped: FromWorker[] = [];
  await runTraining(
    { modelText: JSON.stringify(mlp('xor')), sidecar: null, external: {}, options: { ...OPTS, boundaryGrid: 8 } },
    (m) => stopped.push(m),
    stopAt,
    () => 0,
  );
  assert.deepEqual(lastSteps(stopped), { progress: 7, gradients: 7, boundary: 7 });

  // Pause before the 5th step: settle runs before the wait, then the run goes on to the end.
  const paused: FromWorker[] = [];
  let n = 0;
  let atPause: ReturnType<typeof lastSteps> | undefined;
  const pauseOnce: RunControl = {
    next: async (settle) => {
      if (++n === 5) {
        await settle();
        atPause = lastSteps(paused);
      }
      return 'go';
    },
  };
  await runTraining(
    { modelText: JSON.stringify(mlp('xor')), sidecar: null, external: {}, options: { ...OPTS, boundaryGrid: 8 } },
    (m) => paused.push(m),
    pauseOnce,
    () => 0,
  );
  assert.deepEqual(atPause, { progress: 4, gradients: 4, boundary: 4 });
  assert.equal(paused.at(-1)!.type, 'finished');
});

test('the host keeps a training point for every epoch, bounded however long the run', () => {
  const points: TrainPoint[] = [];
  const stepsPerEpoch = 50;
  // 400 epochs reported as the run does: every epoch's last step, and a few steps between.
  for (let step = 1; step <= 400 * stepsPerEpoch; step++) {
    if (step % stepsPerEpoch === 0 || step % 7 === 0)
      addTrainPoint(points, { step, epoch: Math.floor((step - 1) / stepsPerEpoch), epochs: 400, stepsPerEpoch, loss: 1 / step, samplesPerSecond: 1 }, 1000);
  }
  assert.ok(points.length <= 1000, `${points.length} points`);
  const epochEnds = new Set(points.filter((p) => p.step % stepsPerEpoch === 0).map((p) => p.step / stepsPerEpoch));
  assert.equal(epochEnds.size, 400, 'one point per epoch');
  assert.equal(points.at(-1)!.step, 400 * stepsPerEpoch, 'the last step is there');
  assert.ok(
    points.every((p, i) => i === 0 || p.step > points[i - 1].step),
    'in step order',
  );
  // A repeated step or a non-finite loss adds nothing.
  const n = points.length;
  addTrainPoint(points, { step: 400 * stepsPerEpoch, epoch: 399, epochs: 400, stepsPerEpoch, loss: 0.1, samplesPerSecond: 1 });
  addTrainPoint(points, { step: 400 * stepsPerEpoch + 1, epoch: 400, epochs: 400, stepsPerEpoch, loss: NaN, samplesPerSecond: 1 });
  assert.equal(points.length, n);
});
