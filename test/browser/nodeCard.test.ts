// The node hover card in headless Chromium: hovering a node shows its op's formula and output shape, and, once a
// run has reported node statistics (replayed from fixtures/training-run.json, a real run of the MLP template), the
// mean, std, range and histogram of its output and of the gradient arriving at it, at the reported step. Checks
// that an update while hovering changes the card and re-renders no node, where the card goes, and what hides it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { getOp } from '../../engine/graph/registry';
import '../../engine/layers';
import type { ModelJson } from '../../engine/graph/types';
import { HISTOGRAM_BINS, summarize } from '../../engine/train/stats';
import type { HostMessage, NodeStatsMessage, TensorSummary } from '../../protocol/messages';
import { browserMissing, useBrowser, cspViolations, watchProblems } from './harness';
import { text } from './models';

const missing = browserMissing();
if (missing) console.log(`# SKIP browser tests: ${missing}`);

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'training-run.json'), 'utf8')) as { model: ModelJson; messages: HostMessage[] };
const nodeStatsMessages = fixture.messages.filter((m): m is NodeStatsMessage => m.type === 'nodeStats');
const lastStats = nodeStatsMessages.at(-1)!;
const attrsOf = (id: string) => fixture.model.nodes.find((n) => n.id === id)!.attrs as Record<string, unknown>;

const node = (id: string) => `.react-flow__node[data-id="${id}"]`;
const card = '[data-testid="node-card"]';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The figure a stats block shows (mean, std, min, max), read back as a number. */
async function figure(block: Locator, name: string): Promise<number> {
  return Number(await block.locator(`[data-stat="${name}"]`).textContent());
}

/** A displayed figure matches the recorded one to the 4 significant digits the card prints. */
function near(shown: number, want: number, what: string): void {
  assert.ok(Math.abs(shown - want) <= 5e-4 * Math.abs(want) + 1e-12, `${what}: shown ${shown}, recorded ${want}`);
}

async function expectSummary(block: Locator, want: TensorSummary, what: string): Promise<void> {
  for (const k of ['mean', 'std', 'min', 'max'] as const) near(await figure(block, k), want[k], `${what} ${k}`);
  const bars = block.locator('[data-testid="tensor-histogram"] rect');
  assert.equal(await bars.count(), HISTOGRAM_BINS, `${what}: one bar per histogram bin`);
  const counts = await bars.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-count'))));
  assert.deepEqual(counts, want.histogram, `${what}: the bars are the recorded bins`);
}

describe('the node hover card (headless Chromium)', { skip: missing ?? false }, () => {
  const ctx = useBrowser();

  async function withEditor(model: ModelJson, fn: (page: Page) => Promise<void>) {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems = watchProblems(page);
    try {
      await page.goto(ctx.server.pageFor({ text: text(model) }));
      await page.locator('#root[data-state="ok"]').waitFor({ timeout: 15_000 });
      await page.waitForFunction((n) => document.querySelectorAll('.react-flow__node').length === n, model.nodes.length);
      await fn(page);
      assert.deepEqual(problems.pageErrors, [], 'no uncaught errors in the page');
      assert.deepEqual(problems.console, [], 'no console errors or warnings');
      assert.deepEqual(await cspViolations(page), [], 'no CSP violations');
    } finally {
      await page.close();
    }
  }

  const replay = (page: Page, messages: readonly HostMessage[]) => page.evaluate((ms) => ms.forEach((m) => window.__bps.host(m)), messages);
  const renders = (page: Page) => page.evaluate(() => ({ ...((window as { __bpsRenders?: Record<string, number> }).__bpsRenders ?? {}) }));
  async function hover(page: Page, id: string): Promise<Locator> {
    await page.mouse.move(5, 5);
    await page.locator(node(id)).hover();
    const c = page.locator(card);
    await c.waitFor();
    assert.equal(await c.getAttribute('data-node-id'), id);
    return c;
  }

  it('before any run: the formula and the output shape, and a hint instead of statistics', async () => {
    await withEditor(fixture.model, async (page) => {
      const c = await hover(page, 'x');
      assert.equal(await c.locator('[data-testid="node-card-formula"]').textContent(), getOp('Input')!.formula);
      const shape = (attrsOf('x').shape as number[]).join('×');
      assert.equal(await c.locator('[data-testid="node-card-shape"]').textContent(), `N×${shape}`);
      assert.match((await c.textContent()) ?? '', /^Input\s*x/);
      await c.locator('[data-testid="node-card-hint"]').waitFor();
      assert.equal(await c.locator('[data-testid="tensor-histogram"]').count(), 0, 'no statistics before a run');
      assert.equal(await c.getAttribute('data-step'), null);

      // The Linear's formula, as PyTorch writes it, and its shape from the engine's inference.
      const fc = await hover(page, 'fc1');
      assert.match((await fc.locator('[data-testid="node-card-formula"]').textContent()) ?? '', /^y = x·Wᵀ \+ b\b/);
      assert.equal(await fc.locator('[data-testid="node-card-shape"]').textContent(), `N×${attrsOf('fc1').outFeatures}`);
    });
  });

  it('after a run: the output and the arriving gradient at the last reported step, live while hovered, re-rendering no node', async () => {
    await withEditor(fixture.model, async (page) => {
      await replay(page, fixture.messages);
      await page.locator('[data-testid="training-status"][data-status="completed"]').waitFor();
      const c = await hover(page, 'fc1');
      assert.equal(await c.getAttribute('data-step'), String(lastStats.step));
      assert.equal(await c.locator('[data-testid="node-card-step"]').textContent(), String(lastStats.step));
      assert.equal(await c.locator('[data-testid="node-card-hint"]').count(), 0);
      const want = lastStats.nodes.fc1;
      assert.ok(want.output && want.grad, 'the fixture has fc1 output and gradient statistics');
      await expectSummary(c.locator('[data-testid="node-card-output"]'), want.output!, 'fc1 output');
      await expectSummary(c.locator('[data-testid="node-card-grad"]'), want.grad!, 'fc1 gradient');
      assert.match(
        (await c.locator('[data-testid="node-card-output"]').textContent()) ?? '',
        new RegExp(`${want.shape.join('×')} · ${want.output!.count} values`),
      );

      // The card takes no pointer events, stays inside the canvas, and sits beside the node, not over it.
      assert.equal(await c.evaluate((e) => getComputedStyle(e).pointerEvents), 'none');
      const box = (await c.boundingBox())!;
      const area = (await page.locator('[data-testid="canvas"]').boundingBox())!;
      const at = (await page.locator(node('fc1')).boundingBox())!;
      assert.ok(
        box.x >= area.x && box.y >= area.y && box.x + box.width <= area.x + area.width && box.y + box.height <= area.y + area.height,
        `card ${JSON.stringify(box)} inside ${JSON.stringify(area)}`,
      );
      assert.ok(
        box.x >= at.x + at.width || box.x + box.width <= at.x || box.y >= at.y + at.height || box.y + box.height <= at.y,
        'the card does not cover the node',
      );

      // A new step's statistics while hovering: the card follows, and no node re-renders.
      await sleep(200);
      const before = await renders(page);
      const output = { ...want.output!, mean: 1.234567, std: 0.5 };
      const next: NodeStatsMessage = { type: 'nodeStats', step: lastStats.step + 7, nodes: { ...lastStats.nodes, fc1: { ...want, output } } };
      await replay(page, [next]);
      await page.waitForFunction((s) => document.querySelector('[data-testid="node-card"]')?.getAttribute('data-step') === s, String(next.step));
      near(await figure(c.locator('[data-testid="node-card-output"]'), 'mean'), 1.234567, 'updated mean');
      near(await figure(c.locator('[data-testid="node-card-output"]'), 'std'), 0.5, 'updated std');
      await sleep(200);
      const after = await renders(page);
      assert.equal(after.OpNode, before.OpNode, 'a statistics update re-renders no node');
      assert.ok((after.NodeCard ?? 0) > (before.NodeCard ?? 0), 'the card re-rendered');
    });
  });

  it('shows a single value alone (the loss, its gradient 1), says when no gradient reaches a fed node, and lists a tiny tensor', async () => {
    await withEditor(fixture.model, async (page) => {
      await replay(page, fixture.messages);
      await page.locator('[data-testid="training-status"][data-status="completed"]').waitFor();
      const loss = await hover(page, 'loss');
      const want = lastStats.nodes.loss;
      // One value: the value alone, no histogram.
      near(await figure(loss.locator('[data-testid="node-card-output"]'), 'value'), want.output!.values![0], 'the loss value');
      assert.equal(await loss.locator('[data-testid="node-card-grad"] [data-stat="value"]').textContent(), '1');
      assert.equal(await loss.locator('[data-testid="tensor-histogram"]').count(), 0);

      const x = await hover(page, 'x');
      await x.locator('[data-testid="node-card-output"]').waitFor();
      assert.match((await x.locator('[data-testid="node-card-no-grad"]').textContent()) ?? '', /fed, not computed/);

      // A tiny tensor (at most TINY_TENSOR values) lists every value under its histogram.
      const tiny = [0.5, -1.25, 2, 3];
      const fc3 = { shape: [2, 2], output: summarize(tiny), grad: summarize([0.1, 0.2, -0.3, 0.4]) };
      await replay(page, [{ type: 'nodeStats', step: lastStats.step + 1, nodes: { ...lastStats.nodes, fc3 } }]);
      const c = await hover(page, 'fc3');
      assert.equal(await c.locator('[data-testid="node-card-output"] [data-testid="tensor-values"]').textContent(), '0.5, -1.25, 2, 3');
      assert.equal(await c.locator('[data-testid="node-card-grad"] [data-testid="tensor-values"]').textContent(), '0.1, 0.2, -0.3, 0.4');
      near(await figure(c.locator('[data-testid="node-card-output"]'), 'mean'), 1.0625, 'mean of the tiny tensor');
    });
  });

  it('hides when the pointer leaves the node, on Escape, and when the view starts to move', async () => {
    await withEditor(fixture.model, async (page) => {
      await hover(page, 'fc2');
      await page.mouse.move(5, 5);
      await page.locator(card).waitFor({ state: 'detached' });

      await hover(page, 'fc2');
      await page.keyboard.press('Escape');
      await page.locator(card).waitFor({ state: 'detached' });

      await hover(page, 'fc2');
      await page.mouse.wheel(0, 120); // a wheel zoom over the node moves the view
      await page.locator(card).waitFor({ state: 'detached' });
    });
  });
});
