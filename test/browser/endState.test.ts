// The page at rest shows the run's last completed step S everywhere (issue 12, item 1), and a page that opens
// after the run shows its whole history (item 5). Runs come from the real training loop (engine/train/run.ts)
// in this process with a clock that never moves, so throttling lets through only the first update of each kind
// and everything the page shows at the end comes from the run's settling. Their messages go through the host's
// flow control (extension/training/trainingFeed.ts) as a burst, released only as the page acknowledges what it
// drew, as a slow view would see them; then the status text, the gradient legend, every edge, the decision
// boundary and the loss chart's last point must all say step S.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { ModelJson } from '../../engine/graph/types';
import { runTraining, type RunControl } from '../../engine/train/run';
import { TrainingFeed } from '../../extension/training/trainingFeed';
import type { FromWorker } from '../../extension/training/workerProtocol';
import type { HostMessage } from '../../protocol/messages';
import { hostMessagesOf } from './fixtures/record-training';
import { browserMissing, useBrowser, watchProblems } from './harness';
import { text } from './models';

const missing = browserMissing();
if (missing) console.log(`# SKIP browser tests: ${missing}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function model(
  dataset: Record<string, unknown>,
  extra: { act?: string; optimizer?: Record<string, unknown>; epochs?: number; validationSplit?: number; regression?: boolean } = {},
): ModelJson {
  const regression = !!extra.regression;
  return {
    format: 'nn-graph',
    version: 1,
    name: 'end state',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] }, ui: { x: 0, y: 0 } },
      { id: 'fc1', op: 'Linear', attrs: { outFeatures: 4 }, ui: { x: 200, y: 0 } },
      { id: 'act', op: extra.act ?? 'Tanh', ui: { x: 400, y: 0 } },
      { id: 'fc2', op: 'Linear', attrs: { outFeatures: regression ? 1 : 2 }, ui: { x: 600, y: 0 } },
      { id: 'y', op: 'Target', attrs: regression ? { shape: [1] } : { shape: [], dtype: 'int32' }, ui: { x: 600, y: 200 } },
      { id: 'loss', op: regression ? 'MSELoss' : 'CrossEntropyLoss', ui: { x: 800, y: 100 } },
    ],
    edges: [
      { from: 'x', to: 'fc1' },
      { from: 'fc1', to: 'act' },
      { from: 'act', to: 'fc2' },
      { from: 'fc2', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: {
      seed: 0,
      optimizer: extra.optimizer ?? { type: 'Adam', lr: 0.03 },
      batchSize: 40,
      epochs: extra.epochs ?? 3,
      validationSplit: extra.validationSplit ?? 0.2,
      dataset,
    },
  } as unknown as ModelJson;
}

/** The worker's messages of a real run, with `control` deciding each step; a frozen clock. */
async function realRun(m: ModelJson, control: RunControl = { next: async () => 'go' }): Promise<FromWorker[]> {
  const out: FromWorker[] = [];
  await runTraining(
    { modelText: JSON.stringify(m), sidecar: null, external: {}, options: { overlay: true, maxUpdatesPerSecond: 20, boundaryGrid: 24 } },
    (x) => out.push(x),
    control,
    () => 0,
  );
  return out;
}

describe('the view at rest is at the last completed step (headless Chromium)', { skip: missing ?? false }, () => {
  const ctx = useBrowser();

  async function withPage(m: ModelJson, fn: (page: Page) => Promise<void>) {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems = watchProblems(page);
    try {
      await page.goto(ctx.server.pageFor({ text: text(m) }));
      await page.locator('#root[data-state="ok"]').waitFor({ timeout: 15_000 });
      await page.waitForFunction((n) => document.querySelectorAll('.react-flow__edge').length === n, m.edges.length);
      await fn(page);
      assert.deepEqual(problems.pageErrors, [], 'no uncaught errors in the page');
    } finally {
      await page.close();
    }
  }

  /** Posts every message to a feed at once (a run far faster than the page), releasing them as the page acknowledges. */
  async function throughFeed(page: Page, messages: readonly HostMessage[]): Promise<void> {
    const deliveries: Promise<void>[] = [];
    const feed = new TrainingFeed((m) => void deliveries.push(page.evaluate((x) => window.__bps.host(x), m)), { ackTimeoutMs: 60_000 });
    for (const m of messages) feed.post(m);
    let acked = 0;
    for (let quiet = 0; quiet < 10;) {
      await Promise.all(deliveries);
      const acks = await page.evaluate(() => window.__bps.posted.filter((p) => p.type === 'trainingAck').length);
      for (; acked < acks; acked++) feed.ack();
      quiet = acks === acked && acked >= deliveries.length ? quiet + 1 : 0;
      await sleep(30);
    }
    feed.dispose();
  }

  /**
   * What the page shows of each view: the step it says. A string evaluated in the page (tsx's helpers for named
   * functions do not exist there).
   */
  const SHOWN = `(() => {
    const attr = (id, name) => document.querySelector('[data-testid="' + id + '"]')?.getAttribute(name) ?? null;
    return { status: attr('training-status', 'data-step'), legend: attr('grad-legend', 'data-step'), boundary: attr('decision-boundary', 'data-step'), loss: attr('loss-chart', 'data-last-step') };
  })()`;
  const shown = (page: Page) => page.evaluate(SHOWN) as Promise<Record<string, string | null>>;

  /** Every edge the loss reaches shows the gradient it carried at step S (the last gradients sent). */
  async function edgesAt(page: Page, messages: readonly HostMessage[], S: number) {
    const last = messages.filter((m) => m.type === 'gradients').at(-1);
    assert.ok(last?.type === 'gradients' && last.update.step === S, `the last gradients sent are step ${S}'s`);
    const drawn = await page.evaluate(() => Array.from(document.querySelectorAll('.react-flow__edge'), (g) => Number(g.getAttribute('data-grad'))));
    assert.deepEqual(drawn, last.update.edges, "every edge shows step S's value");
  }

  async function expectAllAt(page: Page, S: number, what: string) {
    const want = { status: String(S), legend: String(S), boundary: String(S), loss: String(S) };
    try {
      await page.waitForFunction(`JSON.stringify(${SHOWN}) === ${JSON.stringify(JSON.stringify(want))}`, null, { timeout: 5000 });
    } catch {
      assert.deepEqual(await shown(page), want, `${what}: every view at step ${S}`);
    }
    const status = (await page.locator('[data-testid="training-status"]').textContent()) ?? '';
    assert.match(status, new RegExp(`· step ${S} ·`), `${what}: the status text says step ${S}`);
  }

  it('a completed run: status, legend, every edge, the boundary and the loss chart end at its last step', async () => {
    const m = model({ source: 'xor', size: 200 });
    const worker = await realRun(m);
    const started = worker.find((x) => x.type === 'started');
    assert.ok(started?.type === 'started');
    const S = 3 * started.stepsPerEpoch;
    const messages = hostMessagesOf(worker);
    await withPage(m, async (page) => {
      await throughFeed(page, messages);
      await expectAllAt(page, S, 'completed');
      assert.equal(await page.locator('[data-testid="training-status"]').getAttribute('data-status'), 'completed');
      await edgesAt(page, messages, S);
    });
  });

  it('a paused run and a stopped run show the step they rest at', async () => {
    let n = 0;
    // Pause before the 6th step (the gate settles, then reports paused), and stop there.
    const pauseAt: RunControl = {
      next: async (settle) => {
        if (++n < 6) return 'go';
        await settle();
        return 'stop';
      },
    };
    const m = model({ source: 'circle', size: 300 });
    const worker = await realRun(m, pauseAt);
    const stoppedAt = worker.findIndex((x) => x.type === 'finished');
    const paused: FromWorker[] = [...worker.slice(0, stoppedAt), { type: 'paused' }];
    await withPage(m, async (page) => {
      await throughFeed(page, hostMessagesOf(paused));
      await expectAllAt(page, 5, 'paused');
      assert.equal(await page.locator('[data-testid="training-status"]').getAttribute('data-status'), 'paused');
    });
    await withPage(m, async (page) => {
      const messages = hostMessagesOf(worker);
      await throughFeed(page, messages);
      await expectAllAt(page, 5, 'stopped');
      assert.equal(await page.locator('[data-testid="training-status"]').getAttribute('data-status'), 'stopped');
      await edgesAt(page, messages, 5);
    });
  });

  it('after a NaN stop, every view shows the last good step', async () => {
    // Exp after the first layer with SGD at lr 1e-5 on the regression plane: steps 1 and 2 are finite, 3 overflows.
    const m = model(
      { source: 'regress-plane', size: 200 },
      { act: 'Exp', optimizer: { type: 'SGD', lr: 1e-5 }, epochs: 5, validationSplit: 0, regression: true },
    );
    (m.training as { batchSize: number }).batchSize = 50;
    const worker = await realRun(m);
    const nf = worker.find((x) => x.type === 'nonFinite');
    assert.ok(nf?.type === 'nonFinite', JSON.stringify(worker.map((x) => x.type)));
    const S = nf.step - 1;
    assert.ok(S >= 2, `NaN at step ${nf.step}: the test needs good steps after the first update`);
    const messages = hostMessagesOf(worker);
    await withPage(m, async (page) => {
      await throughFeed(page, messages);
      await expectAllAt(page, S, 'NaN stop');
      assert.equal(await page.locator('[data-testid="training-status"]').getAttribute('data-status'), 'nonFinite');
      await edgesAt(page, messages, S);
    });
  });

  it("a page that opens after the run charts every epoch from the host's kept points, and long epochs more than once", async () => {
    // 600 points, batch 5: 96 steps an epoch, so the run reports at least every 50th step as well as each epoch's end.
    const m = model({ source: 'circle', size: 600 }, { epochs: 4 });
    (m.training as { batchSize: number }).batchSize = 5;
    const worker = await realRun(m);
    const started = worker.find((x) => x.type === 'started');
    assert.ok(started?.type === 'started' && started.stepsPerEpoch === 96);
    // What attachView replays to a page that opens now: the final state and the whole metrics (session.ts keeps the points).
    const { addTrainPoint } = await import('../../extension/training/session');
    const train: import('../../protocol/messages').TrainPoint[] = [];
    for (const x of worker) if (x.type === 'progress') addTrainPoint(train, x.progress);
    const fin = worker.at(-1)!;
    assert.ok(fin.type === 'finished');
    const lastProgress = worker.filter((x) => x.type === 'progress').at(-1)!;
    assert.ok(lastProgress.type === 'progress');
    await withPage(m, async (page) => {
      await page.evaluate((ms) => ms.forEach((x) => window.__bps.host(x)), [
        { type: 'trainingState', status: 'completed', progress: lastProgress.progress, classification: true },
        { type: 'trainingMetrics', history: fin.history, train },
      ] as HostMessage[]);
      const loss = page.locator('[data-testid="loss-chart"]');
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="loss-chart"]')?.getAttribute('data-points')) > 0);
      const points = Number(await loss.getAttribute('data-points'));
      // Steps 50, 96, 100, 150, 192, … : two or more points an epoch, the last at the run's last step.
      assert.ok(points >= 2 * 4, `${points} training points for 4 epochs of 96 steps`);
      assert.equal(await loss.getAttribute('data-val-points'), '4');
      assert.equal(await loss.getAttribute('data-last-step'), String(4 * 96));
    });
  });
});
