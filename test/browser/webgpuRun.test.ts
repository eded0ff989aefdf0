// The WebGPU runner end to end in headless Chromium with --enable-unsafe-webgpu (SwiftShader): the real webview
// page finds an adapter (in its blob: worker), and the host's own session classes (TrainingSession, FallbackRunner,
// WebviewRunner, the protocol's validation) drive Train through it as the extension host does, over the stand-in
// VS Code API. The run must reach its end, the panel must say WebGPU, and the final weights the host receives must
// be the weights a CPU run of the same model and seed ends with (the engine's CPU backend, in Node).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { decodeSafetensors } from '../../engine';
import { mlpClassifier } from '../../extension/templates/mlpClassifier';
import { FallbackRunner } from '../../extension/training/fallbackRunner';
import type { GpuView } from '../../extension/training/gpuView';
import { runTraining, type RunInput } from '../../engine/train/run';
import { chooseRunner } from '../../extension/training/runnerChoice';
import { TrainingSession, type SessionResult } from '../../extension/training/session';
import { StepGate } from '../../engine/train/stepGate';
import { WebviewRunner } from '../../extension/training/webviewRunner';
import type { FromWorker } from '../../extension/training/workerProtocol';
import type { ModelJson } from '../../engine/graph/types';
import type { GpuRunMessage, HostMessage } from '../../protocol/messages';
import { parseWebviewMessage } from '../../protocol/validate';
import { browserMissing, CHROMIUM, LAUNCH_ARGS, startPageServer, toolkitReady, watchProblems, type PageServer } from './harness';
import { text } from './models';

const missing = browserMissing();
if (missing) console.log(`# SKIP browser tests: ${missing}`);

/** Headless Chromium's WebGPU: SwiftShader behind --enable-unsafe-webgpu (--disable-gpu would take it away). */
const WEBGPU_ARGS = [...LAUNCH_ARGS.filter((a) => a !== '--disable-gpu'), '--enable-unsafe-webgpu', '--use-angle=swiftshader'];

/** Two epochs of 4 steps: SwiftShader runs a step in a few hundred milliseconds. */
function tinyModel(): ModelJson {
  const m = structuredClone(mlpClassifier.model) as unknown as ModelJson;
  m.training = { ...m.training, epochs: 2, batchSize: 16, validationSplit: 0, dataset: { source: 'circle', size: 64, noise: 0.1 } };
  return m;
}

/** Typed arrays survive page.evaluate as tagged plain arrays. */
type Tagged = { __typed: 'Uint8Array' | 'Float32Array'; values: number[] };
const untag = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(untag);
  if (v && typeof v === 'object') {
    const t = v as Tagged;
    if (t.__typed === 'Uint8Array') return Uint8Array.from(t.values);
    if (t.__typed === 'Float32Array') return Float32Array.from(t.values);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, untag(x)]));
  }
  return v;
};

/** The page as the host's GpuView: its gpuAdapter report and gpuRun messages, each checked by parseWebviewMessage. */
class PageGpuView implements GpuView {
  visible = true;
  report: ReturnType<GpuView['adapter']>;
  readonly refused: string[] = [];
  readonly received: GpuRunMessage[] = [];
  private seen = 0;
  private readonly listeners = new Set<(m: GpuRunMessage) => void>();
  constructor(readonly page: Page) {}

  adapter() {
    return this.report;
  }
  post(m: HostMessage): void {
    void this.page.evaluate((msg) => window.__bps.host(msg), m as never);
  }
  onRunMessage(l: (m: GpuRunMessage) => void) {
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  }
  onGone() {
    return { dispose() {} };
  }

  /** Reads what the page posted since the last call and delivers it as the provider does. */
  async poll(): Promise<void> {
    // A string, not a function: tsx's helpers (__name) do not exist in the page.
    const raw = (await this.page.evaluate(`(() => {
      const tag = (v) => {
        if (v instanceof Uint8Array) return { __typed: 'Uint8Array', values: Array.from(v) };
        if (v instanceof Float32Array) return { __typed: 'Float32Array', values: Array.from(v) };
        if (Array.isArray(v)) return v.map(tag);
        if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, tag(x)]));
        return v;
      };
      return window.__bps.posted.slice(${this.seen}).map(tag);
    })()`)) as unknown[];
    this.seen += raw.length;
    for (const r of raw) {
      const parsed = parseWebviewMessage(untag(r));
      if (!parsed.ok) {
        this.refused.push(parsed.error);
        continue;
      }
      const m = parsed.msg;
      if (m.type === 'gpuAdapter') this.report = m.adapter ? { adapter: m.adapter } : { adapter: null, why: m.why ?? '' };
      if (m.type === 'gpuRun') {
        this.received.push(m);
        for (const l of this.listeners) l(m);
      }
    }
  }
}

async function until<T>(what: string, poll: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await poll();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Trained {
  label: string;
  result: SessionResult;
  view: PageGpuView;
  session: TrainingSession;
  page: Page;
  input: RunInput;
}

/**
 * Opens the editor on the tiny model, waits for its adapter report, and trains it through the host's session classes
 * as the manager does (the session's state goes back to the page, so its panel follows). `drive` runs once the run
 * is under way (Pause, Step, pace). Null (after t.skip) where Chromium has no adapter outside CI.
 */
async function trainInPage(
  t: { skip(why: string): void; diagnostic(s: string): void },
  browser: Browser,
  server: PageServer,
  opts: { noWorkers?: boolean; startPaused?: boolean; drive?: (session: TrainingSession, view: PageGpuView) => Promise<void> } = {},
): Promise<Trained | null> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems = watchProblems(page);
  // No dedicated workers at all: the page must run the training on its own thread.
  if (opts.noWorkers) await page.addInitScript({ content: 'window.Worker = class { constructor() { throw new Error("workers are off in this test"); } };' });
  const model = tinyModel();
  await page.goto(server.pageFor({ text: text(model) }));
  await page.locator('#root[data-state="ok"]').waitFor({ timeout: 30_000 });
  await toolkitReady(page);

  const view = new PageGpuView(page);
  const report = await until('the page to report its WebGPU adapter', async () => (await view.poll(), view.report), 60_000);
  if (!report.adapter) {
    const why = `no WebGPU adapter in headless Chromium: ${'why' in report ? report.why : ''}`;
    if (process.env.CI) assert.fail(why);
    t.skip(why);
    return null;
  }
  const choice = chooseRunner('auto', report);
  assert.equal(choice.runner, 'webgpu');
  assert.match(choice.label, /^WebGPU: /);
  t.diagnostic(choice.label);

  const input: RunInput = {
    modelText: text(model),
    sidecar: null,
    external: {},
    options: { overlay: true, maxUpdatesPerSecond: 20, boundaryGrid: 16, startPaused: opts.startPaused },
  };
  const cpuTakeovers: string[] = [];
  const runner = new FallbackRunner(
    new WebviewRunner(view, 1),
    () => {
      throw new Error('the CPU runner was asked for: the WebGPU run failed');
    },
    (why) => cpuTakeovers.push(why),
  );
  const session = new TrainingSession(runner, input);
  session.state.backend = choice.label;
  // As the manager does: the session's state to the page, so the panel shows the backend and progress.
  session.onUpdate((m) => {
    if (['started', 'progress', 'paused', 'resumed', 'finished'].includes(m.type)) {
      const s = session.state;
      view.post({ type: 'trainingState', status: s.status, progress: s.progress, classification: s.classification, backend: s.backend });
    }
  });
  let result: SessionResult | undefined;
  void session.finished.then((r) => (result = r));
  if (opts.drive) await opts.drive(session, view);
  await until('the run to end', async () => (await view.poll(), result), 180_000);

  assert.deepEqual(view.refused, [], "every message the page posted passes the host's validation");
  assert.deepEqual(cpuTakeovers, []);
  assert.equal(result!.status, 'completed', `the run ended ${result!.status}: ${result!.message ?? ''}`);
  const types = new Set(view.received.map((m) => m.message.type));
  for (const type of [
    'started',
    'progress',
    'epoch',
    'gradients',
    'nodeStats',
    'stepCosts',
    'boundary',
    'datasetPoints',
    'checkpoint',
    'finished',
    ...(opts.startPaused ? ['paused', 'resumed', 'walkthrough'] : []),
  ])
    assert.ok(types.has(type as never), `the page posted ${type}`);
  assert.equal(session.state.history.length, 2, 'two epochs of history');
  t.diagnostic(`${view.received.length} messages from the page: ${[...types].join(', ')}`);

  await page.locator('[data-testid="training-status"][data-status="completed"]').waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('[data-testid="training-backend"]').innerText(), choice.label);
  assert.deepEqual(problems.pageErrors, [], 'no uncaught errors in the page');
  assert.deepEqual(problems.console, [], 'no console errors or warnings');
  return { label: choice.label, result: result!, view, session, page, input };
}

/** The CPU backend's run of the same model, data and seed: the reference the GPU's final weights must match. */
async function assertCpuWeights(input: RunInput, weights: Uint8Array): Promise<void> {
  const cpu: FromWorker[] = [];
  await runTraining({ ...input, options: { ...input.options, startPaused: false } }, (m) => cpu.push(m), new StepGate(() => {}));
  const cpuEnd = cpu.at(-1)!;
  assert.ok(cpuEnd.type === 'finished');
  const gpuW = decodeSafetensors(weights).tensors;
  const cpuW = decodeSafetensors(cpuEnd.weights).tensors;
  assert.deepEqual(Object.keys(gpuW).sort(), Object.keys(cpuW).sort());
  for (const [key, w] of Object.entries(cpuW)) {
    const g = gpuW[key].data;
    for (let i = 0; i < w.data.length; i++)
      assert.ok(Math.abs(g[i] - w.data[i]) <= 1e-5 + 1e-3 * Math.abs(w.data[i]), `${key}[${i}]: ${g[i]} on WebGPU, ${w.data[i]} on the CPU`);
  }
}

const progressSteps = (view: PageGpuView) => view.received.flatMap((m) => (m.message.type === 'progress' ? [m.message.progress.step] : []));

describe('Train on WebGPU in the webview (headless Chromium, SwiftShader)', { skip: missing ?? false }, () => {
  let browser: Browser;
  let server: PageServer;
  before(async () => {
    server = await startPageServer();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: WEBGPU_ARGS });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    "in the page's worker: Step, Walk through step, then Resume at a pace run to the end; the panel says WebGPU; the host gets the CPU run's final weights",
    { timeout: 240_000 },
    async (t) => {
      const run = await trainInPage(t, browser, server, {
        startPaused: true,
        drive: async (session, view) => {
          // Step on a model that is not training, as the manager does: paused after exactly one step, then another.
          session.step('step');
          await until(
            'paused at step 1',
            async () => (await view.poll(), session.state.status === 'paused' && session.state.progress?.step === 1 ? true : undefined),
            60_000,
          );
          // Walk through step: the same step, traced on WebGPU.
          session.step('walk');
          await until(
            'paused at step 2',
            async () => (await view.poll(), session.state.status === 'paused' && session.state.progress?.step === 2 ? true : undefined),
            60_000,
          );
          await until('the walk-through trace', async () => (await view.poll(), session.state.walkthrough ? true : undefined), 30_000);
          await new Promise((r) => setTimeout(r, 300));
          await view.poll();
          assert.equal(session.state.progress?.step, 2, 'no step is taken while paused');
          session.pace(20);
          session.resume();
        },
      });
      if (!run) return;
      assert.doesNotMatch(run.label, /page's thread/, 'Chromium gives the dedicated worker navigator.gpu');
      const steps = progressSteps(run.view);
      assert.deepEqual(steps.slice(0, 2), [1, 2]);
      assert.equal(steps.at(-1), 8);
      await assertCpuWeights(run.input, run.result.weights!);
      await run.page.close();
    },
  );

  it("without workers: the run shares the page's thread, which stays responsive, and ends with the same weights", { timeout: 240_000 }, async (t) => {
    let slowest = 0;
    let slowestFrame = 0;
    let probing = true;
    const run = await trainInPage(t, browser, server, {
      noWorkers: true,
      drive: async (_session, view) => {
        // While it trains, the page's thread answers: a round trip into it stays short. (Frames are reported, not
        // checked: SwiftShader draws them on the same CPU cores that run the GPU's kernels.)
        void (async () => {
          while (probing) {
            let t0 = Date.now();
            await view.page.evaluate('1');
            slowest = Math.max(slowest, Date.now() - t0);
            t0 = Date.now();
            await view.page.evaluate('new Promise((r) => requestAnimationFrame(() => r(1)))');
            slowestFrame = Math.max(slowestFrame, Date.now() - t0);
            await new Promise((r) => setTimeout(r, 50));
          }
        })();
      },
    });
    probing = false;
    if (!run) return;
    assert.match(run.label, /on the page's thread$/);
    t.diagnostic(`while training on the page's thread: slowest round trip ${slowest} ms, slowest frame ${slowestFrame} ms`);
    assert.ok(slowest < 1000, `the page did not answer for ${slowest} ms`);
    await assertCpuWeights(run.input, run.result.weights!);
    await run.page.close();
  });
});
