// Where a run trains and how it survives the WebGPU runner: the choice from the setting and the editor's adapter
// (the panel's words are the issue's: "WebGPU: …", "CPU: no WebGPU adapter", "CPU: chosen in settings"), the
// webview runner's side of the protocol, and the fallback to the CPU runner with the last checkpoint's weights.
// Fake runners and a fake webview: no GPU, no worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FallbackRunner } from '../../extension/training/fallbackRunner';
import type { GpuView } from '../../extension/training/gpuView';
import type { RunInput } from '../../engine/train/run';
import { backendSetting, chooseRunner } from '../../extension/training/runnerChoice';
import { TrainingSession, type TrainingRunner } from '../../extension/training/session';
import { WebviewRunner, type GpuRunnerMessage, type LosableRunner } from '../../extension/training/webviewRunner';
import type { FromWorker, StepUnit } from '../../extension/training/workerProtocol';
import type { GpuRunControlMessage, GpuRunMessage, GpuRunStartMessage } from '../../protocol/messages';

test('the runner: WebGPU when the setting allows and the editor has an adapter; else the CPU, saying why', () => {
  const gpu = { adapter: 'NVIDIA GeForce RTX 4070' };
  const none = { adapter: null, why: 'no WebGPU adapter' };
  assert.deepEqual(chooseRunner('auto', gpu), { runner: 'webgpu', label: 'WebGPU: NVIDIA GeForce RTX 4070' });
  assert.deepEqual(chooseRunner('webgpu', gpu), { runner: 'webgpu', label: 'WebGPU: NVIDIA GeForce RTX 4070' });
  assert.deepEqual(chooseRunner('cpu', gpu), { runner: 'cpu', label: 'CPU: chosen in settings' });
  assert.deepEqual(chooseRunner('cpu', none), { runner: 'cpu', label: 'CPU: chosen in settings' });
  assert.equal(chooseRunner('auto', none).label, 'CPU: no WebGPU adapter');
  assert.equal(chooseRunner('auto', none).runner, 'cpu');
  // Asked for webgpu without an adapter: the run still trains, on the CPU; the log says the setting asked.
  const asked = chooseRunner('webgpu', none);
  assert.equal(asked.runner, 'cpu');
  assert.equal(asked.label, 'CPU: no WebGPU adapter');
  assert.match(asked.runner === 'cpu' ? (asked.detail ?? '') : '', /asks for webgpu/);
  // No editor (a command with none open), or one that has not reported yet.
  assert.equal(chooseRunner('auto', undefined).runner, 'cpu');
  assert.equal(chooseRunner('auto', undefined).label, 'CPU: no WebGPU adapter');
});

test('the setting: auto, cpu, webgpu; anything else counts as auto', () => {
  assert.equal(backendSetting('cpu'), 'cpu');
  assert.equal(backendSetting('webgpu'), 'webgpu');
  assert.equal(backendSetting('auto'), 'auto');
  assert.equal(backendSetting(undefined), 'auto');
  assert.equal(backendSetting('GPU'), 'auto');
  assert.equal(backendSetting(3), 'auto');
});

/** A runner that records what it is told and posts what the test says. */
class FakeRunner implements LosableRunner, TrainingRunner {
  readonly calls: string[] = [];
  input: RunInput | null = null;
  private listeners: ((m: GpuRunnerMessage) => void)[] = [];
  start(input: RunInput): void {
    this.input = input;
    this.calls.push('start');
  }
  pause(): void {
    this.calls.push('pause');
  }
  resume(): void {
    this.calls.push('resume');
  }
  step(unit: StepUnit): void {
    this.calls.push(`step:${unit}`);
  }
  pace(s: number | null): void {
    this.calls.push(`pace:${s}`);
  }
  watch(n: string | null): void {
    this.calls.push(`watch:${n}`);
  }
  stop(): void {
    this.calls.push('stop');
  }
  dispose(): void {
    this.calls.push('dispose');
  }
  /** Either interface's listener (a FallbackRunner's primary gets GpuRunnerMessage, its CPU runner FromWorker). */
  onMessage(l: (m: never) => void): void {
    this.listeners.push(l as (m: GpuRunnerMessage) => void);
  }
  emit(m: GpuRunnerMessage): void {
    for (const l of this.listeners) l(m);
  }
}

const INPUT: RunInput = {
  modelText: '{"model":1}',
  sidecar: Uint8Array.of(9, 9),
  external: {},
  options: { overlay: true, maxUpdatesPerSecond: 20, boundaryGrid: 40 },
};
const started: FromWorker = {
  type: 'started',
  stepsPerEpoch: 5,
  epochs: 3,
  classification: true,
  trainSize: 160,
  validationSize: 40,
  learned: {},
  kernels: { kernels: 'typescript', threads: 1 },
};
const progress = (step: number): FromWorker => ({
  type: 'progress',
  progress: { step, epoch: Math.floor((step - 1) / 5), epochs: 3, stepsPerEpoch: 5, loss: 1 / step, samplesPerSecond: 100 },
});
const metrics = (epoch: number) => ({ epoch, trainLoss: 1 / (epoch + 1) });
const OPT = { kind: 'Adam', params: [{ step: 5, buffers: { m: Float32Array.of(0.1), v: Float32Array.of(0.2) } }, null] };
const NO_PARTIAL = { loss: 0, correct: 0, samples: 0 };
const checkpoint = (step: number, weights: Uint8Array, history: ReturnType<typeof metrics>[], partial = NO_PARTIAL) => ({
  type: 'checkpoint' as const,
  step,
  epoch: Math.floor(step / 5),
  weights,
  history,
  partial,
  optimizer: OPT,
});

function setUp() {
  const gpu = new FakeRunner();
  const cpus: FakeRunner[] = [];
  const handovers: string[] = [];
  const runner = new FallbackRunner(
    gpu,
    () => {
      const c = new FakeRunner();
      cpus.push(c);
      return c;
    },
    (why, step) => handovers.push(`${why} at step ${step}`),
  );
  const seen: FromWorker[] = [];
  runner.onMessage((m) => seen.push(m));
  return { gpu, cpus, handovers, runner, seen };
}

test("fallback: the WebGPU runner's messages pass through; its checkpoints stay with the host", () => {
  const { gpu, cpus, runner, seen } = setUp();
  runner.start(INPUT);
  assert.equal(gpu.input, INPUT);
  gpu.emit(started);
  gpu.emit(progress(1));
  gpu.emit(checkpoint(5, Uint8Array.of(1), [metrics(0)]));
  gpu.emit({ type: 'finished', reason: 'completed', weights: Uint8Array.of(2), history: [metrics(0)] });
  assert.deepEqual(
    seen.map((m) => m.type),
    ['started', 'progress', 'finished'],
  );
  assert.equal(cpus.length, 0);
});

test('fallback: a lost GPU hands the run to the CPU from the last checkpoint (weights and optimizer state), paused as it was, at its pace, watching its node', () => {
  const { gpu, cpus, handovers, runner, seen } = setUp();
  runner.start(INPUT);
  runner.pace(5);
  runner.watch('fc1');
  gpu.emit(started);
  gpu.emit(checkpoint(5, Uint8Array.of(1, 2, 3), [metrics(0)]));
  for (let s = 6; s <= 8; s++) gpu.emit(progress(s));
  runner.pause();
  gpu.emit({ type: 'paused' });
  gpu.emit({ type: 'runnerLost', reason: 'the WebGPU device was lost', weights: null, epoch: 0, history: [] });

  assert.deepEqual(handovers, ['the WebGPU device was lost at step 8']);
  assert.ok(gpu.calls.includes('dispose'), 'the WebGPU runner is ended');
  assert.equal(cpus.length, 1);
  const cpu = cpus[0];
  assert.deepEqual([...cpu.input!.sidecar!], [1, 2, 3], "the checkpoint's weights, not the run's starting sidecar");
  assert.equal(cpu.input!.modelText, INPUT.modelText);
  assert.deepEqual(
    cpu.input!.options.resume,
    { step: 5, history: [metrics(0)], partial: NO_PARTIAL, optimizer: OPT, replayTo: 8 },
    'from the checkpoint, training steps 6 to 8 again unseen',
  );
  assert.equal(cpu.input!.options.startPaused, true);
  assert.equal(cpu.input!.options.stepsPerSecond, 5);
  assert.equal(cpu.input!.options.watch, 'fc1');
  // The runnerLost itself is not the session's business.
  assert.ok(!seen.some((m) => (m.type as string) === 'runnerLost'));

  // From now on the CPU runner is the run: controls go to it, its messages come out.
  runner.step('step');
  assert.deepEqual(cpu.calls, ['start', 'step:step']);
  assert.ok(!gpu.calls.includes('step:step'));
  // Steps 6..8 are trained again from the epoch's end: not shown twice; step 9 onwards is.
  cpu.emit(started);
  for (let s = 6; s <= 9; s++) cpu.emit(progress(s));
  const steps = seen.flatMap((m) => (m.type === 'progress' ? [m.progress.step] : []));
  assert.deepEqual(steps, [6, 7, 8, 9]);
  // A late message of the lost runner is ignored.
  gpu.emit(progress(10));
  assert.equal(seen.filter((m) => m.type === 'progress').length, 4);
});

test("fallback: lost before any checkpoint, the CPU starts from the run's own sidecar; a Stop asked before goes with it", () => {
  const { gpu, cpus, runner } = setUp();
  runner.start(INPUT);
  runner.stop();
  gpu.emit({ type: 'runnerLost', reason: 'the editor running it was closed', weights: null, epoch: 0, history: [] });
  const cpu = cpus[0];
  assert.deepEqual([...cpu.input!.sidecar!], [9, 9]);
  assert.equal(cpu.input!.options.resume, undefined);
  assert.equal(cpu.input!.options.startPaused, false);
  assert.deepEqual(cpu.calls, ['start', 'stop']);
});

test('fallback: weights sent with runnerLost (the runner still had them) win over the checkpoint', () => {
  const { gpu, cpus, runner } = setUp();
  runner.start(INPUT);
  gpu.emit(started);
  gpu.emit(checkpoint(5, Uint8Array.of(1), [metrics(0)]));
  gpu.emit({ type: 'runnerLost', reason: 'WebGPU ran out of GPU memory', weights: Uint8Array.of(7), epoch: 2, history: [metrics(0), metrics(1)] });
  assert.deepEqual([...cpus[0].input!.sidecar!], [7]);
  assert.deepEqual(cpus[0].input!.options.resume, { step: 10, history: [metrics(0), metrics(1)], partial: NO_PARTIAL, replayTo: 0 });
});

test("the session sees one run across the handover: it ends with the CPU runner's weights and whole history", async () => {
  const { gpu, cpus, runner } = setUp();
  const session = new TrainingSession(runner, INPUT);
  gpu.emit(started);
  gpu.emit({ type: 'epoch', metrics: metrics(0) });
  gpu.emit(checkpoint(5, Uint8Array.of(1), [metrics(0)]));
  gpu.emit({ type: 'runnerLost', reason: 'WebGPU reported an error', weights: null, epoch: 0, history: [] });
  assert.equal(session.state.status, 'running');
  cpus[0].emit(started);
  cpus[0].emit({ type: 'epoch', metrics: metrics(1) });
  cpus[0].emit({ type: 'finished', reason: 'completed', weights: Uint8Array.of(5), history: [metrics(0), metrics(1)] });
  const result = await session.finished;
  assert.equal(result.status, 'completed');
  assert.deepEqual([...result.weights!], [5]);
  assert.deepEqual(session.state.history, [metrics(0), metrics(1)]);
});

/** A webview as the provider presents it: records posts; the test delivers its messages and says when it goes. */
class FakeView implements GpuView {
  visible = true;
  readonly posted: (GpuRunStartMessage | GpuRunControlMessage)[] = [];
  private run = new Set<(m: GpuRunMessage) => void>();
  private gone = new Set<(why: string) => void>();
  adapter() {
    return { adapter: 'Fake GPU' };
  }
  post(m: GpuRunStartMessage | GpuRunControlMessage): void {
    this.posted.push(m);
  }
  onRunMessage(l: (m: GpuRunMessage) => void) {
    this.run.add(l);
    return { dispose: () => this.run.delete(l) };
  }
  onGone(l: (why: string) => void) {
    this.gone.add(l);
    return { dispose: () => this.gone.delete(l) };
  }
  deliver(m: GpuRunMessage): void {
    for (const l of [...this.run]) l(m);
  }
  go(why: string): void {
    for (const l of [...this.gone]) l(why);
  }
  get listeners(): number {
    return this.run.size + this.gone.size;
  }
}

test("webview runner: the run's input and controls go to its page under its run id; other runs' messages are ignored", () => {
  const view = new FakeView();
  const runner = new WebviewRunner(view, 7);
  const seen: GpuRunnerMessage[] = [];
  runner.onMessage((m) => seen.push(m));
  runner.start(INPUT);
  runner.pause();
  runner.step('epoch');
  runner.pace(20);
  runner.watch(null);
  runner.resume();
  runner.stop();
  assert.deepEqual(view.posted[0], {
    type: 'gpuRunStart',
    runId: 7,
    input: { modelText: INPUT.modelText, sidecar: INPUT.sidecar, external: {}, options: INPUT.options },
  });
  assert.deepEqual(
    view.posted.slice(1).map((m) => (m.type === 'gpuRunControl' && m.runId === 7 ? m.control : null)),
    [
      { type: 'pause' },
      { type: 'step', unit: 'epoch' },
      { type: 'pace', stepsPerSecond: 20 },
      { type: 'watch', nodeId: null },
      { type: 'resume' },
      { type: 'stop' },
    ],
  );
  view.deliver({ type: 'gpuRun', runId: 6, message: progress(1) });
  view.deliver({ type: 'gpuRun', runId: 7, message: progress(2) });
  assert.deepEqual(seen, [progress(2)]);
});

test('webview runner: the page going (hidden, closed) is a lost runner; after its end it posts nothing and listens to nothing', () => {
  const view = new FakeView();
  const runner = new WebviewRunner(view, 1);
  const seen: GpuRunnerMessage[] = [];
  runner.onMessage((m) => seen.push(m));
  runner.start(INPUT);
  view.go('the editor running it was hidden');
  assert.deepEqual(seen, [{ type: 'runnerLost', reason: 'the editor running it was hidden', weights: null, epoch: 0, history: [] }]);
  assert.equal(view.listeners, 0);
  runner.pause();
  view.deliver({ type: 'gpuRun', runId: 1, message: progress(3) });
  assert.equal(view.posted.length, 1, 'only the start');
  assert.equal(seen.length, 1);
});

test("webview runner: dispose ends the page's run", () => {
  const view = new FakeView();
  const runner = new WebviewRunner(view, 3);
  runner.start(INPUT);
  runner.dispose();
  assert.deepEqual(view.posted.at(-1), { type: 'gpuRunControl', runId: 3, control: { type: 'dispose' } });
  assert.equal(view.listeners, 0);
});
