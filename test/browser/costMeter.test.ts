// The cost meter in the training panel (headless Chromium), from hand-made stepCosts messages: the phase times, the
// ratios backward / forward and step / forward measured and from the FLOPs beside the rule of thumb, the per-node
// rows on request, a malformed message ignored, and a reset clearing it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { StepCostsMessage } from '../../protocol/messages';
import { browserMissing, useBrowser, cspViolations, watchProblems } from './harness';
import { mlp, text } from './models';

const missing = browserMissing();
if (missing) console.log(`# SKIP browser tests: ${missing}`);

const meter = '[data-testid="cost-meter"]';

const costs: StepCostsMessage = {
  type: 'stepCosts',
  step: 7,
  batch: 16,
  forwardMs: 2,
  backwardMs: 3,
  updateMs: 1,
  flops: { forward: 1000, backward: 1900, update: 300 },
  nodes: [
    { id: 'fc1', op: 'Linear', forwardMs: 0.5, backwardMs: 0.25, forwardFlops: 1280, backwardFlops: 1280 },
    { id: 'act', op: 'ReLU', forwardMs: 0.125, backwardMs: 0.0625, forwardFlops: 256, backwardFlops: 256 },
    { id: '(loss sum)', op: '', forwardMs: 0, backwardMs: 0.01, forwardFlops: 0, backwardFlops: 0 },
  ],
};

describe('the cost meter (headless Chromium)', { skip: missing ?? false }, () => {
  const ctx = useBrowser();

  async function withEditor(fn: (page: Page) => Promise<void>) {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchProblems(page);
    try {
      await page.goto(ctx.server.pageFor({ text: text(mlp()) }));
      await page.locator('#root[data-state="ok"]').waitFor({ timeout: 15_000 });
      await fn(page);
      assert.deepEqual(problems.pageErrors, [], 'no uncaught errors in the page');
      assert.deepEqual(problems.console, [], 'no console errors or warnings');
      assert.deepEqual(await cspViolations(page), [], 'no CSP violations');
    } finally {
      await page.close();
    }
  }

  const send = (page: Page, m: unknown) => page.evaluate((msg) => window.__bps.host(msg as never), m);
  const ratioRow = (page: Page, id: string) => page.locator(`[data-testid="cost-ratio-${id}"]`);

  it('shows the phases, the ratios against the rule of thumb and the FLOPs, and the nodes on request', async () => {
    await withEditor(async (page) => {
      const m = page.locator(meter);
      await page.locator('[data-testid="loss-chart"]').waitFor();
      assert.equal(await m.count(), 0, 'no meter (and no row taken) before a run has measured a step');
      await send(page, costs);
      // The ratios are always in the status row, beside the rule of thumb; the whole meter opens from there.
      await page.locator('[data-testid="cost-summary"][data-step="7"]').waitFor();
      assert.equal(await page.locator('[data-testid="cost-summary-backward"]').textContent(), '1.50');
      assert.equal(await page.locator('[data-testid="cost-summary-step"]').textContent(), '3.00');
      assert.match((await page.locator('[data-testid="cost-summary"]').textContent())!, /backward \/ forward 1\.50 \(≈ 2\) · step \/ forward 3\.00 \(≈ 3\)/);
      assert.equal(await m.count(), 0, 'the meter itself is folded until asked for');
      await page.locator('[data-testid="cost-meter-toggle"]').click();
      await page.locator(`${meter}[data-step="7"]`).waitFor();
      assert.match((await m.locator('figcaption').textContent())!, /step 7 · batch 16/);
      for (const [phase, ms] of [
        ['forward', '2 ms'],
        ['backward', '3 ms'],
        ['update', '1 ms'],
      ]) {
        assert.match((await m.locator(`[data-testid="cost-phase-${phase}"]`).textContent())!, new RegExp(`${phase}\\s*${ms}`));
      }
      // backward / forward: 3 / 2 measured, 1900 / 1000 from the FLOPs; step / forward: (2 + 3 + 1) / 2, (1000 + 1900 + 300) / 1000.
      const back = ratioRow(page, 'backward');
      assert.deepEqual(await back.locator('th, td').allTextContents(), ['backward / forward', '1.50', '≈ 2', '1.90']);
      assert.deepEqual(await ratioRow(page, 'step').locator('th, td').allTextContents(), ['step / forward', '3.00', '≈ 3', '3.20']);
      // The per-node breakdown is folded until asked for.
      assert.equal(await page.locator('[data-testid="cost-node-row"]').count(), 0);
      await page.locator('[data-testid="cost-nodes-toggle"]').click();
      const rows = page.locator('[data-testid="cost-node-row"]');
      assert.deepEqual(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-node'))), ['fc1', 'act', '(loss sum)']);
      assert.deepEqual(await rows.nth(0).locator('th, td').allTextContents(), ['fc1', '0.5', '0.25', '1.28 k / 1.28 k']);
      assert.equal(await rows.nth(0).locator('th').getAttribute('title'), 'fc1 (Linear)');
      assert.deepEqual(await rows.nth(2).locator('th, td').allTextContents(), ['(loss sum)', '0', '0.01', '—']);
      // A later step replaces it; a malformed message (a negative time) is ignored.
      await send(page, { ...costs, step: 8, forwardMs: 4 });
      await page.locator(`${meter}[data-step="8"]`).waitFor();
      assert.equal(await back.getAttribute('data-measured'), '0.75');
      await send(page, { ...costs, step: 9, backwardMs: -1 });
      await send(page, { ...costs, step: 10, nodes: [{ id: 'fc1', op: 'Linear', forwardMs: 'fast' }] });
      await page.waitForTimeout(200);
      assert.equal(await m.getAttribute('data-step'), '8');
      // Reset weights: the run's figures go.
      await send(page, { type: 'trainingState', status: 'idle' });
      await m.waitFor({ state: 'detached' });
      assert.equal(await page.locator('[data-testid="cost-summary"]').count(), 0);
    });
  });
});
