// A lost WebGPU device or an uncaptured WebGPU error mid-run (item 6 of issue 16), in Node on Dawn: the webview's own WebGPU run
// (webview/gpu/gpuRun.ts) trains until its first epoch's checkpoint, then the device is destroyed (or makes a validation error), and the host's
// FallbackRunner hands the run to the real CPU runner (the worker thread, dist/trainWorker.js) from that checkpoint.
// The session sees one run: it completes with every epoch's history, and since Adam's state (read back from the GPU)
// goes with the weights, the final weights are those of a run on the CPU alone.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { backend, decodeSafetensors, setBackend } from '../../engine';
import type { GpuDevice } from '../../engine/backend/webgpu/gpu';
import { FallbackRunner } from '../../extension/training/fallbackRunner';
import { runTraining, type RunInput } from '../../engine/train/run';
import { TrainingSession } from '../../extension/training/session';
import type { GpuRunnerMessage, LosableRunner } from '../../extension/training/webviewRunner';
import { WorkerRunner } from '../../extension/training/workerRunner';
import type { FromWorker, StepUnit } from '../../extension/training/workerProtocol';
import { startGpuRun, type GpuRun } from '../../webview/gpu/gpuRun';
import { freshDevice, skipWithoutDevice } from './device';

const WORKER = join(__dirname, '..', '..', 'dist', 'trainWorker.js');
let skip: string | false = false;
before(async () => {
  skip = await skipWithoutDevice();
  if (!skip && !existsSync(WORKER)) skip = 'dist/trainWorker.js is not built (node esbuild.mjs)';
});

const model = JSON.stringify({
  format: 'nn-graph', version: 1,
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [2] } }, { id: 'fc1', op: 'Linear', attrs: { outFeatures: 8 } }, { id: 'act', op: 'Tanh' },
    { id: 'fc2', op: 'Linear', attrs: { outFeatures: 2 } }, { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } }, { id: 'loss', op: 'CrossEntropyLoss' },
  ],
  edges: [{ from: 'x', to: 'fc1' }, { from: 'fc1', to: 'act' }, { from: 'act', to: 'fc2' }, { from: 'fc2', to: 'loss' }, { from: 'y', to: 'loss', port: 1 }],
  training: { seed: 1, optimizer: { type: 'Adam', lr: 0.03 }, batchSize: 16, epochs: 3, validationSplit: 0, dataset: { source: 'circle', size: 48 } },
});
const INPUT: RunInput = { modelText: model, sidecar: null, external: {}, options: { overlay: true, maxUpdatesPerSecond: 20, boundaryGrid: 8 } };

/** The webview's WebGPU run in this process, as the host's LosableRunner (the page's relay, without the page). */
class InProcessGpuRunner implements LosableRunner {
  private run: GpuRun | null = null;
  private readonly listeners: ((m: GpuRunnerMessage) => void)[] = [];
  constructor(private readonly device: GpuDevice, private readonly onOut: (m: GpuRunnerMessage) => void) {}
  start(input: RunInput): void {
    this.run = startGpuRun(this.device, input, (m) => {
      this.onOut(m);
      for (const l of this.listeners) l(m);
    });
  }
  pause(): void {
    this.run?.control({ type: 'pause' });
  }
  resume(): void {
    this.run?.control({ type: 'resume' });
  }
  step(unit: StepUnit): void {
    this.run?.control({ type: 'step', unit });
  }
  pace(stepsPerSecond: number | null): void {
    this.run?.control({ type: 'pace', stepsPerSecond });
  }
  watch(nodeId: string | null): void {
    this.run?.control({ type: 'watch', nodeId });
  }
  stop(): void {
    this.run?.control({ type: 'stop' });
  }
  dispose(): void {
    this.run?.control({ type: 'dispose' });
  }
  onMessage(l: (m: GpuRunnerMessage) => void): void {
    this.listeners.push(l);
  }
}

const FAILURES: [string, (d: GpuDevice) => void, RegExp][] = [
  ['a device lost', (d) => d.destroy(), /^the WebGPU device was lost/],
  // A buffer with no usage is a validation error outside any error scope: an uncaptured error.
  ['an uncaptured WebGPU error', (d) => d.createBuffer({ size: 4, usage: 0 }), /^WebGPU reported an error/],
];

for (const [what, fail, reason] of FAILURES) test(`${what} after epoch 1: the CPU runner finishes the run from that epoch's checkpoint`, { timeout: 120_000 }, async (t) => {
  if (skip) return t.skip(skip);
  // The reference: the same run on the CPU alone.
  const cpuMsgs: FromWorker[] = [];
  await runTraining(INPUT, (m) => cpuMsgs.push(m), { next: async () => 'go' });
  const reference = cpuMsgs.at(-1)!;
  assert.ok(reference.type === 'finished');

  // A device of its own, since this test destroys it.
  const device = (await freshDevice())!;
  const cpuBackend = backend();
  const seen: GpuRunnerMessage[] = [];
  const gpu = new InProcessGpuRunner(device, (m) => {
    seen.push(m);
    if (m.type === 'checkpoint' && m.epoch === 1) fail(device);
  });
  const handovers: string[] = [];
  const runner = new FallbackRunner(gpu, () => new WorkerRunner(WORKER), (why) => handovers.push(why));
  try {
    const session = new TrainingSession(runner, INPUT);
    const result = await session.finished;
    assert.equal(result.status, 'completed', result.message);
    assert.equal(handovers.length, 1);
    assert.match(handovers[0], reason);
    t.diagnostic(handovers[0]);
    assert.ok(seen.some((m) => m.type === 'runnerLost'));
    assert.equal(session.state.history.length, 3, 'every epoch\'s metrics, the first from WebGPU');
    assert.ok(Math.abs(session.state.history[0].trainLoss - reference.history[0].trainLoss) <= 1e-4 * Math.abs(reference.history[0].trainLoss));
    const got = decodeSafetensors(result.weights!).tensors;
    const want = decodeSafetensors(reference.weights).tensors;
    for (const [key, w] of Object.entries(want)) {
      for (let i = 0; i < w.data.length; i++) assert.ok(Math.abs(got[key].data[i] - w.data[i]) <= 1e-4 + 1e-3 * Math.abs(w.data[i]), `${key}[${i}]: ${got[key].data[i]} after the handover, ${w.data[i]} on the CPU alone`);
    }
  } finally {
    runner.dispose();
    setBackend(cpuBackend);
    device.destroy();
  }
});
