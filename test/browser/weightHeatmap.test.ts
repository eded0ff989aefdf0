// The blame on each weight, in headless Chromium: the Inspector draws a parameterised node's weights and their
// gradient as heatmaps, from a real run's messages (fixtures/record-walkthrough.ts: the training run in this process,
// one Walk through step, watching the node). A Linear is its [out, in] matrix, a cell per weight, on a diverging
// scale whose range is shown; a Conv2d is one small image per (out, in) kernel; selecting a node asks the host to
// watch it. While the walk-through is open the heatmaps are the walked step's; after it, the run's latest.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import type { ModelJson } from '../../engine/graph/types';
import { cnnDigits } from '../../extension/templates/cnnDigits';
import type { HostMessage, WeightImage } from '../../protocol/messages';
import { formatStat } from '../../webview/training/statFormat';
import { walkedRun } from './fixtures/record-walkthrough';
import { browserMissing, useBrowser, watchProblems } from './harness';
import { mlp, text } from './models';

const missing = browserMissing();
if (missing) console.log(`# SKIP browser tests: ${missing}`);

const weights = '[data-testid="inspector-weights"]';

describe('weight and gradient heatmaps in the Inspector (headless Chromium)', { skip: missing ?? false }, () => {
  const ctx = useBrowser();

  async function withEditor(model: ModelJson, messages: readonly HostMessage[], fn: (page: Page) => Promise<void>) {
    const page = await ctx.browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems = watchProblems(page);
    try {
      await page.goto(ctx.server.pageFor({ text: text(model) }));
      await page.locator('#root[data-state="ok"]').waitFor({ timeout: 15_000 });
      await page.waitForFunction((n) => document.querySelectorAll('.react-flow__node').length === n, model.nodes.length);
      await page.evaluate((ms) => ms.forEach((m) => window.__bps.host(m)), messages);
      await fn(page);
      assert.deepEqual(problems.pageErrors, [], 'no uncaught errors in the page');
      assert.deepEqual(problems.console, [], 'no console errors or warnings');
    } finally {
      await page.close();
    }
  }

  /** The colours drawn at each (x, y), read back from the canvas at once (RGB). */
  async function pixels(heatmap: Locator, at: [number, number][]): Promise<[number, number, number][]> {
    return heatmap.locator('canvas').evaluate((c, points) => {
      const canvas = c as HTMLCanvasElement;
      const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      return points.map(([x, y]) => Array.from(d.slice(4 * (y * canvas.width + x), 4 * (y * canvas.width + x) + 3)));
    }, at) as Promise<[number, number, number][]>;
  }
  /** Select a node as the host's reveal does (it also centres it: a wide graph's node may be out of view). */
  const select = async (page: Page, id: string) => {
    await page.evaluate((nodeId) => window.__bps.host({ type: 'revealNode', nodeId }), id);
    await page.locator(`.inspector-body[data-node-id="${id}"]`).waitFor();
  };
  const watched = (page: Page) =>
    page.evaluate(() => window.__bps.posted.filter((m) => m.type === 'watchNode').map((m) => (m as { nodeId: string | null }).nodeId));

  it('a Linear: its [out, in] matrix, a cell per weight, red for positive and blue for negative, its range and a cell read out', async () => {
    const model = mlp();
    const { messages, trace } = await walkedRun(model, ['walk'], 'fc1');
    await withEditor(model, messages, async (page) => {
      await select(page, 'fc1');
      const section = page.locator(weights);
      assert.equal(await section.getAttribute('data-source'), 'walkthrough', "the walked step's while the walk-through is open");
      const want = trace.update.find((u) => u.node === 'fc1')!.params[0].images!;
      const w = section.locator('[data-param="weight"] [data-testid="weights-value"]');
      assert.deepEqual(
        [await w.getAttribute('data-layout'), await w.getAttribute('data-rows'), await w.getAttribute('data-cols')],
        ['matrix', '16', '2'],
        'Linear 2 → 16: [out, in] = 16 × 2',
      );
      assert.deepEqual(await w.locator('canvas').evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]), [2, 16], 'out × in cells');
      // The diverging scale: the most positive weight is drawn red, the most negative blue; the range is ±max |w|.
      const image: WeightImage = want.before;
      const hi = image.values.indexOf(Math.max(...image.values)),
        lo = image.values.indexOf(Math.min(...image.values));
      const [[r1, , b1], [r2, , b2]] = await pixels(w, [
        [hi % 2, Math.floor(hi / 2)],
        [lo % 2, Math.floor(lo / 2)],
      ]);
      assert.ok(r1 > b1 + 40, `the largest weight is red: ${r1}, ${b1}`);
      assert.ok(b2 > r2 + 40, `the most negative is blue: ${r2}, ${b2}`);
      assert.equal(Number(await w.locator('[data-testid="weight-range"]').getAttribute('data-range')), Math.max(Math.abs(image.min), Math.abs(image.max)));
      assert.match(
        (await w.locator('[data-testid="weight-range"]').textContent()) ?? '',
        new RegExp(formatStat(Math.max(Math.abs(image.min), Math.abs(image.max))).replace('.', '\\.')),
      );
      // Pointing at cell (3, 1) reads W[3, 1].
      await w.locator('canvas').scrollIntoViewIfNeeded();
      const box = (await w.locator('canvas').boundingBox())!;
      await page.mouse.move(box.x + (1.5 * box.width) / 2, box.y + (3.5 * box.height) / 16);
      assert.equal(await w.locator('.weight-heatmap-note').evaluate((e) => e.firstChild?.textContent), `W[3, 1] = ${formatStat(image.values[3 * 2 + 1])}`);
      // Its gradient beside it, and the weights after the update.
      assert.equal(await section.locator('[data-param="weight"] [data-testid="weights-grad"]').getAttribute('data-rows'), '16');
      assert.equal(await section.locator('[data-param="bias"] [data-testid="weights-value"]').getAttribute('data-cols'), '16', 'a bias is one row');

      // Out of the walk-through: the run's latest for the node (it rests at the walked step), with the gradient it applied.
      await page.keyboard.press('Escape');
      await page.locator(`${weights}[data-source="run"]`).waitFor();
      assert.equal(await section.getAttribute('data-step'), String(trace.step));
      assert.equal(await section.locator('[data-param="weight"] [data-testid="weights-grad"] canvas').count(), 1);
    });
  });

  it('selecting a node asks the host to watch it; a node without parameters has no heatmaps and watches nothing', async () => {
    const model = mlp();
    const { messages } = await walkedRun(model, ['step'], 'fc1');
    await withEditor(model, messages, async (page) => {
      await select(page, 'fc2');
      await select(page, 'act1');
      assert.equal(await page.locator(weights).count(), 0);
      await select(page, 'fc3');
      await page.waitForFunction(() => window.__bps.posted.filter((m) => m.type === 'watchNode').length >= 4);
      assert.deepEqual((await watched(page)).slice(-3), ['fc2', null, 'fc3']);
      // The run sent fc1's weights only: fc3 waits for its own.
      assert.equal(await page.locator(weights).getAttribute('data-source'), 'none');
      await select(page, 'fc1');
      assert.equal(await page.locator(weights).getAttribute('data-source'), 'run');
    });
  });

  it("the digits CNN: one small image per (out, in) kernel, its first layer's eight kernels side by side", async () => {
    const model = structuredClone(cnnDigits.model) as unknown as ModelJson;
    const digits = readFileSync(join(__dirname, '..', '..', 'dist', 'digits.bin'));
    const { messages } = await walkedRun(model, ['walk'], 'conv1', { digits });
    await withEditor(model, messages, async (page) => {
      await page.keyboard.press('Escape');
      await select(page, 'conv1');
      const conv1 = page.locator(`${weights} [data-param="weight"] [data-testid="weights-value"]`);
      assert.equal(await conv1.getAttribute('data-kernels'), '8×1', '8 output channels of 1 input channel');
      // 3×3 kernels one pixel apart, eight to a row: readable as images.
      assert.deepEqual(await conv1.locator('canvas').evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]), [8 * 4 - 1, 3]);
      // In the walk-through, conv2's kernels from the trace: 16 × 8 images.
      await page.evaluate((m) => window.__bps.host(m), {
        ...messages.find((m) => m.type === 'walkthrough')!,
        trace: { ...(messages.find((m) => m.type === 'walkthrough') as { trace: object }).trace, step: 99 },
      } as HostMessage);
      await page.locator('[data-testid="walk-bar"]').waitFor();
      await select(page, 'conv2');
      const conv2 = page.locator(`${weights} [data-param="weight"] [data-testid="weights-value"]`);
      assert.equal(await page.locator(weights).getAttribute('data-source'), 'walkthrough');
      assert.equal(await conv2.getAttribute('data-kernels'), '16×8', 'out × in kernel images');
      assert.deepEqual(
        await conv2.locator('canvas').evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]),
        [8 * 4 - 1, 16 * 4 - 1],
        'a row of 8 per output channel',
      );
      // A gap between kernels is left undrawn.
      assert.equal(await conv2.locator('canvas').evaluate((c) => (c as HTMLCanvasElement).getContext('2d')!.getImageData(3, 0, 1, 1).data[3]), 0);
    });
  });
});
