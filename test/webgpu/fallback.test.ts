// A lost WebGPU device or an uncaptured WebGPU error mid-run (issue 16), in Node on Dawn: the webview's own WebGPU run
// (webview/gpu/gpuRun.ts) trains into its second epoch, then the device is destroyed (or makes a validation error),
// and the host's FallbackRunner hands the run to the real CPU runner (the worker thread, dist/trainWorker.js) from the
// run's last checkpoint, which replays the steps the GPU showed since and goes on from the last of them. The session
// sees one run: its steps never repeat or go back, it completes with every epoch's history, and since Adam's state
// (read back from the GPU) goes with the weights, the final weights are those of a run on the CPU alone. A run paused
// at step S when the device goes is paused at S on the CPU, and its next Step is S + 1.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { backend, decodeSafetensors, setBackend } from '../../engine';
import type { GpuDevice } from '../../engine/backend/webgpu/gpu';
import { FallbackRunner } from '../../extension/training/fallbackRunner';
import { runTraining, type RunInput } from '../../engine/train/run';
import { TrainingSession, type SessionResult } from '../../extension/training/session';
import type { GpuRunnerMessage, LosableRunner } from '../../extension/training/webviewRunner';
import { WorkerRunner } from '../../extension/training/workerRunner';
import type { FromWorker, StepUnit } from '../../extension/training/workerProtocol';
import { startGpuRun, type GpuRun } from '../../webview/gpu/gpuRun';
import { freshDevice, skipWithoutDevice } from './device';

const WORKER = join(__dirname, '..', '..', 'dist', 'trainWorker.js');
let skip: string | false = false;
/** The same run on the CPU alone: its final message. */
let reference: Extract<FromWorker, { type: 'finished' }>;
before(async () => {
  skip = await skipWithoutDevice();
  if (!skip && !existsSync(WORKER)) skip = 'dist/trainWorker.js is not built (node esbuild.mjs)';
  const msgs: FromWorker[] = [];
  await runTraining(INPUT, (m) => msgs.push(m), { next: async () => 'go' });
  const end = msgs.at(-1)!;
  assert.ok(end.type === 'finished');
  reference = end;
});

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
  // 6 steps an epoch, 12 in all: the device goes in the second epoch.
  training: { seed: 1, optimizer: { type: 'Adam', lr: 0.03 }, batchSize: 16, epochs: 2, validationSplit: 0, dataset: { source: 'circle', size: 96 } },
});
const STEPS_PER_EPOCH = 6;
/** The GPU fails at this step or after (mid-epoch 2). */
const FAIL_FROM = 8;
const INPUT: RunInput = { modelText: model, sidecar: null, external: {}, options: { overlay: true, maxUpdatesPerSecond: 20, boundaryGrid: 8 } };

/** The webview's WebGPU run in this process, as the host's LosableRunner (the page's relay, without the page). */
class InProcessGpuRunner implements LosableRunner {
  private run: GpuRun | null = null;
  private readonly listeners: ((m: GpuRunnerMessage) => void)[] = [];
  constructor(
    private readonly device: GpuDevice,
    private readonly onOut: (m: GpuRunnerMessage) => void,
  ) {}
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

async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  for (const end = Date.now() + ms; !check(); await new Promise((r) => setTimeout(r, 5))) {
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
  }
}

function assertReferenceWeights(result: SessionResult) {
  const got = decodeSafetensors(result.weights!).tensors;
  const want = decodeSafetensors(reference.weights).tensors;
  for (const [key, w] of Object.entries(want)) {
    for (let i = 0; i < w.data.length; i++)
      assert.ok(
        Math.abs(got[key].data[i] - w.data[i]) <= 1e-4 + 1e-3 * Math.abs(w.data[i]),
        `${key}[${i}]: ${got[key].data[i]} after the handover, ${w.data[i]} on the CPU alone`,
      );
  }
}

/** A WebGPU run on a device of its own (the test breaks it) behind a FallbackRunner whose CPU runner is the worker thread. */
async function setUp(onGpu: (m: GpuRunnerMessage, device: GpuDevice) => void) {
  const device = (await freshDevice())!;
  const cpuBackend = backend();
  const gpu = new InProcessGpuRunner(device, (m) => onGpu(m, device));
  const handovers: { reason: string; step: number }[] = [];
  let cpuInput: RunInput | null = null;
  const runner = new FallbackRunner(
    gpu,
    () => {
      const cpu = new WorkerRunner(WORKER);
      const start = cpu.start.bind(cpu);
      cpu.start = (input) => start((cpuInput = input));
      return cpu;
    },
    (reason, step) => handovers.push({ reason, step }),
  );
  // What the session is shown, in order.
  const steps: number[] = [];
  runner.onMessage((m) => {
    if (m.type === 'progress') steps.push(m.progress.step);
  });
  const session = new TrainingSession(runner, INPUT);
  const cleanUp = () => {
    runner.dispose();
    setBackend(cpuBackend);
    device.destroy();
  };
  return { device, runner, session, handovers, steps, cpuInput: () => cpuInput, cleanUp };
}

function assertStepsGoForward(steps: number[]) {
  for (let i = 1; i < steps.length; i++) assert.ok(steps[i] > steps[i - 1], `the session was shown step ${steps[i]} after step ${steps[i - 1]}: ${steps}`);
}

const FAILURES: [string, (d: GpuDevice) => void, RegExp][] = [
  ['a device lost', (d) => d.destroy(), /^the WebGPU device was lost/],
  // A buffer with no usage is a validation error outside any error scope: an uncaptured error.
  ['an uncaptured WebGPU error', (d) => d.createBuffer({ size: 4, usage: 0 }), /^WebGPU reported an error/],
];

for (const [what, fail, reason] of FAILURES)
  test(
    `${what} mid-epoch: the CPU runner replays the steps shown since the last checkpoint and ends with the CPU's weights`,
    { timeout: 120_000 },
    async (t) => {
      if (skip) return t.skip(skip);
      let checkpointStep = -1;
      let failedAt = -1;
      const { session, handovers, steps, cpuInput, cleanUp } = await setUp((m, device) => {
        if (m.type === 'checkpoint') checkpointStep = Math.max(checkpointStep, m.step);
        // Once the GPU has shown a step its last checkpoint is behind: those steps are the CPU's to replay.
        if (m.type === 'progress' && failedAt < 0 && m.progress.step >= FAIL_FROM && m.progress.step > checkpointStep) {
          failedAt = m.progress.step;
          // After the message has reached the host, as from a page.
          setImmediate(() => fail(device));
        }
      });
      try {
        const result = await session.finished;
        assert.equal(result.status, 'completed', result.message);
        assert.equal(handovers.length, 1);
        assert.match(handovers[0].reason, reason);
        const resume = cpuInput()!.options.resume!;
        t.diagnostic(`${handovers[0].reason}; checkpoint of step ${resume.step}, replayed to step ${resume.replayTo}; steps shown ${steps}`);
        assert.ok(resume.step >= STEPS_PER_EPOCH && resume.step <= handovers[0].step, `resumed from the checkpoint of step ${resume.step}`);
        assert.ok(handovers[0].step >= failedAt && resume.replayTo === handovers[0].step, `replays to step ${resume.replayTo}, the last the GPU showed`);
        assertStepsGoForward(steps);
        assert.equal(steps.at(-1), 2 * STEPS_PER_EPOCH);
        assert.deepEqual(
          session.state.history.map((h) => h.epoch),
          [0, 1],
          "each epoch's metrics once, the first from WebGPU",
        );
        assertReferenceWeights(result);
      } finally {
        cleanUp();
      }
    },
  );

test(
  "paused at step S when the device is lost: the CPU rests at S, its next Step is S + 1, and the run ends with the CPU's weights",
  { timeout: 120_000 },
  async (t) => {
    if (skip) return t.skip(skip);
    let lastProgress = 0,
      lastCheckpoint = -1,
      gpuPaused = false,
      cpuPaused = false;
    const setup = await setUp((m) => {
      if (m.type === 'progress') lastProgress = m.progress.step;
      if (m.type === 'checkpoint') lastCheckpoint = m.step;
      if (m.type === 'paused') gpuPaused = true;
      if (m.type === 'progress' && m.progress.step >= FAIL_FROM) setup.session.pause();
    });
    const { device, session, handovers, steps, runner, cleanUp } = setup;
    try {
      // Paused, the run shows its last step and keeps a checkpoint of it.
      await until(() => gpuPaused && lastCheckpoint === lastProgress, 'the WebGPU run rests with a checkpoint of its last step');
      const s = lastProgress;
      assert.equal(session.state.status, 'paused');
      device.destroy();
      runner.onMessage((m) => {
        if (m.type === 'paused' && handovers.length) cpuPaused = true;
      });
      // Dawn in Node delivers device.lost only while it processes events, which it does while an operation is pending;
      // a paused run has none (a browser's event loop delivers it regardless): a pending no-op keeps the events coming.
      const poke = () => void device.queue.onSubmittedWorkDone().catch(() => undefined);
      await until(() => (poke(), cpuPaused), `the CPU runner rests (handovers: ${JSON.stringify(handovers)}, status ${session.state.status})`);
      t.diagnostic(`paused at step ${s}; ${handovers[0].reason}`);
      assert.deepEqual(
        handovers.map((h) => h.step),
        [s],
      );
      assert.equal(session.state.status, 'paused');
      assert.equal(session.state.progress?.step, s, 'the view still shows step S');
      session.step('step');
      await until(() => steps.at(-1) !== s, 'a step is taken');
      assert.equal(steps.at(-1), s + 1, 'Step takes step S + 1');
      session.resume();
      const result = await session.finished;
      assert.equal(result.status, 'completed', result.message);
      assertStepsGoForward(steps);
      assertReferenceWeights(result);
    } finally {
      cleanUp();
    }
  },
);
