// The panels stay out of the graph's way (issue 12, item 4), in headless Chromium at the sizes VS Code leaves a
// 1280×720 window's editor: about 930×600 with the Explorer open, 620×600 with the secondary side bar open too.
// - The training overlay's dock, the minimap and the zoom buttons sit outside the graph's viewport: after Fit View
//   every node can be hit at its centre.
// - The minimap folds (sent to the host as the workspace's `minimapOpen`, and obeyed when the host sends it), and
//   is still pannable; the zoom buttons zoom.
// - The opening view follows resizes until the view is moved (a wheel zoom, a minimap drag).
// - The training panel and its charts fit the width: nothing in it overflows sideways, the decision boundary is
//   in view whole.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { ModelJson } from '../../engine/graph/types';
import type { HostMessage } from '../../protocol/messages';
import { browserMissing, cspViolations, TestHost, toolkitReady, useBrowser, watchProblems } from './harness';
import { text } from './models';

const missing = browserMissing();
if (missing) console.log(`# SKIP browser tests: ${missing}`);

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'training-run.json'), 'utf8')) as { model: ModelJson; messages: HostMessage[] };
const lastGradientStep = fixture.messages.flatMap((m) => (m.type === 'gradients' ? [m.update.step] : [])).at(-1)!;

const EXPLORER_OPEN = { width: 930, height: 600 };
const BOTH_SIDE_BARS_OPEN = { width: 620, height: 600 };
const LARGE = { width: 1400, height: 757 };

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The viewport's transform, as numbers. */
async function viewOf(page: Page): Promise<{ x: number; y: number; zoom: number }> {
  const t = await page.locator('.react-flow__viewport').evaluate((el) => (el as HTMLElement).style.transform);
  const [, x, y, zoom] = /translate\(([-\d.e]+)px, ([-\d.e]+)px\) scale\(([\d.e]+)\)/.exec(t)!.map(Number);
  return { x, y, zoom };
}
/** The viewport the page saved in its webview state (VS Code gives it back when the editor is shown again). */
const rememberedView = (page: Page) =>
  page.evaluate(() => (window.acquireVsCodeApi().getState() as { viewport?: { x: number; y: number; zoom: number } } | undefined)?.viewport);
const sameView = (a: { x: number; y: number; zoom: number }, b: { x: number; y: number; zoom: number }) =>
  Math.abs(a.x - b.x) < 0.5 && Math.abs(a.y - b.y) < 0.5 && Math.abs(a.zoom - b.zoom) < 1e-3;

describe('panels out of the graph’s way (headless Chromium)', { skip: missing ?? false }, () => {
  const ctx = useBrowser();

  /** `state`: the page's saved state; by default the settings open (a short page would start with them folded: the open panel is the harder case). */
  async function withEditor(
    size: { width: number; height: number },
    fn: (page: Page, host: TestHost) => Promise<void>,
    model: ModelJson = fixture.model,
    state: object = { trainingSettingsOpen: true },
  ) {
    const page = await ctx.browser.newPage({ viewport: size });
    const problems = watchProblems(page);
    try {
      await page.goto(ctx.server.pageFor({ text: text(model), state }));
      await page.locator('#root[data-state="ok"]').waitFor({ timeout: 15_000 });
      // Not every node: a small canvas opens a graph that does not fit at a readable zoom on its inputs.
      await page.locator('.react-flow__node').first().waitFor();
      await toolkitReady(page);
      await sleep(300); // the toolkit's controls settle the panel's height
      await fn(page, new TestHost(page, model));
      assert.deepEqual(problems.pageErrors, [], 'no uncaught errors in the page');
      assert.deepEqual(problems.console, [], 'no console errors or warnings');
      assert.deepEqual(await cspViolations(page), [], 'no CSP violations');
    } finally {
      await page.close();
    }
  }

  /** Replays the recorded run, as the host would send it, and waits until it has been drawn. */
  async function replayRun(page: Page) {
    await page.evaluate((ms) => ms.forEach((m) => window.__bps.host(m)), fixture.messages);
    await page.locator('[data-testid="training-status"][data-status="completed"]').waitFor({ state: 'attached' });
    await page.waitForFunction((step) => document.querySelector('[data-testid="grad-legend"]')?.getAttribute('data-step') === String(step), lastGradientStep);
    await sleep(200);
  }

  const box = async (page: Page, selector: string) => (await page.locator(selector).boundingBox())!;

  it('docks the overlay legend, the minimap and the zoom buttons outside the graph: after Fit View every node can be hit', async () => {
    await withEditor(EXPLORER_OPEN, async (page) => {
      await replayRun(page);
      const flow = await box(page, '.react-flow');
      for (const what of ['[data-testid="grad-legend"]', '.react-flow__minimap', '[data-testid="zoom-in"]', '[data-testid="zoom-out"]']) {
        const b = await box(page, what);
        assert.ok(!overlap(b, flow), `${what} ${JSON.stringify(b)} overlaps the graph's viewport ${JSON.stringify(flow)}`);
      }
      assert.equal(
        await page.locator('.react-flow .react-flow__minimap, .react-flow .react-flow__controls, .react-flow [data-testid="grad-legend"]').count(),
        0,
        'nothing of ours floats over the graph',
      );

      // The case: after Fit View the minimap covered the loss node and made a conv node unclickable.
      await page.locator('[data-testid="fit-view"]').click();
      await sleep(400);
      const hits = await page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node'), (n) => {
          const r = n.getBoundingClientRect();
          const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
          return { id: n.dataset.id!, hit: hit?.closest<HTMLElement>('.react-flow__node')?.dataset.id ?? hit?.className ?? null };
        }),
      );
      assert.equal(hits.length, fixture.model.nodes.length, 'Fit View shows every node');
      assert.deepEqual(
        hits.filter((h) => h.hit !== h.id),
        [],
        'a node is covered at its centre',
      );
    });
  });

  it('folds the minimap (sent as the workspace preference, obeyed when the host sends it); it pans, and the zoom buttons zoom', async () => {
    await withEditor(EXPLORER_OPEN, async (page, host) => {
      const minimap = page.locator('.react-flow__minimap');
      assert.equal(await minimap.count(), 1);
      // Pannable: a drag in the minimap moves the view.
      const before = await viewOf(page);
      const m = (await minimap.boundingBox())!;
      await page.mouse.move(m.x + m.width / 2, m.y + m.height / 2);
      await page.mouse.down();
      await page.mouse.move(m.x + m.width / 2 + 25, m.y + m.height / 2 + 10, { steps: 5 });
      await page.mouse.up();
      await sleep(100);
      const panned = await viewOf(page);
      assert.ok(!sameView(before, panned), 'a drag in the minimap did not move the view');
      await page.locator('[data-testid="zoom-in"]').click();
      await sleep(400);
      assert.ok((await viewOf(page)).zoom > panned.zoom * 1.1, 'Zoom in did not zoom in');

      const toggle = page.locator('[data-testid="minimap-toggle"]');
      await toggle.click();
      await minimap.waitFor({ state: 'detached' });
      assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
      assert.ok(await page.locator('[data-testid="zoom-in"]').isVisible(), 'the zoom buttons stay when the minimap is folded');
      const prefs = (await host.posted()).flatMap((msg) => (msg.type === 'setUiPrefs' ? [msg.prefs] : []));
      assert.deepEqual(prefs, [{ minimapOpen: false }]);

      // Another editor of the workspace unfolded it: the host tells every editor.
      await host.send({ type: 'uiPrefs', prefs: { minimapOpen: true } });
      await minimap.waitFor();
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
      await host.send({ type: 'uiPrefs', prefs: { minimapOpen: false } });
      await minimap.waitFor({ state: 'detached' });
    });
  });

  it('refits the opening view when the editor is resized, until the view is moved', async () => {
    // What the view is when the editor opens at the smaller size.
    let openedSmall = { x: 0, y: 0, zoom: 0 };
    await withEditor(EXPLORER_OPEN, async (page) => {
      openedSmall = await viewOf(page);
    });
    await withEditor(LARGE, async (page) => {
      const openedLarge = await viewOf(page);
      assert.ok(!sameView(openedLarge, openedSmall), 'the two sizes open at the same view: a poor test');
      await page.setViewportSize(EXPLORER_OPEN); // the Explorer opens
      await sleep(300);
      const refitted = await viewOf(page);
      assert.ok(sameView(refitted, openedSmall), `after the resize ${JSON.stringify(refitted)}, opened at that size ${JSON.stringify(openedSmall)}`);
      await page.setViewportSize(LARGE);
      await sleep(300);
      assert.ok(sameView(await viewOf(page), openedLarge), 'back to the larger size: the view it opened at');
      assert.equal(await rememberedView(page), undefined, 'the opening view is remembered (a reopened editor would not refit)');

      // The person zooms with the wheel: the view is theirs from now on.
      const pane = await box(page, '.react-flow__pane');
      await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height / 2);
      await page.mouse.wheel(0, -200);
      await sleep(400);
      const zoomed = await viewOf(page);
      assert.ok(!sameView(zoomed, openedLarge), 'the wheel did not zoom');
      assert.ok(sameView((await rememberedView(page))!, zoomed), 'the view the person chose is remembered');
      await page.setViewportSize(EXPLORER_OPEN);
      await sleep(300);
      assert.ok(sameView(await viewOf(page), zoomed), 'a resize moved a view the person had zoomed');
    });
    // A drag in the minimap is a move of the person's too.
    await withEditor(LARGE, async (page) => {
      const m = (await box(page, '.react-flow__minimap'))!;
      await page.mouse.move(m.x + m.width / 2, m.y + m.height / 2);
      await page.mouse.down();
      await page.mouse.move(m.x + m.width / 2 - 20, m.y + m.height / 2, { steps: 4 });
      await page.mouse.up();
      await sleep(200);
      const panned = await viewOf(page);
      await page.setViewportSize(EXPLORER_OPEN);
      await sleep(300);
      assert.ok(sameView(await viewOf(page), panned), 'a resize moved a view the person had panned in the minimap');
    });
  });

  // At 620×600 the settings open folded, as a page that short starts (unfolded there, they leave the graph its
  // 100 px floor and push the boundary below the page).
  for (const [name, size, state] of [
    ['with the Explorer open', EXPLORER_OPEN, { trainingSettingsOpen: true }],
    ['with both side bars open', BOTH_SIDE_BARS_OPEN, {}],
  ] as const) {
    it(`fits the training panel and its charts without a sideways scrollbar at ${size.width}×${size.height} (${name})`, async () => {
      await withEditor(
        size,
        async (page) => {
          await replayRun(page);
          const fit = await page.evaluate(() => {
            const panel = document.querySelector<HTMLElement>('[data-testid="training-panel"]')!;
            const p = panel.getBoundingClientRect();
            const overflowing = [panel, ...Array.from(panel.querySelectorAll<HTMLElement>('*'))]
              .filter(
                (e) =>
                  e instanceof HTMLElement &&
                  (e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > p.right + 0.5 || e.getBoundingClientRect().left < p.left - 0.5),
              )
              .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${e.scrollWidth}/${e.clientWidth}`);
            // (No named functions in here: the test's TypeScript build would wrap them in a helper the page lacks.)
            const [boundary, loss] = ['[data-testid="decision-boundary"]', '[data-testid="loss-chart"]'].map((sel) => {
              const r = document.querySelector(sel)!.getBoundingClientRect();
              return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
            });
            return {
              panel: { left: p.left, right: p.right, top: p.top, bottom: p.bottom },
              page: { width: window.innerWidth, height: window.innerHeight, scrollWidth: document.documentElement.scrollWidth },
              overflowing,
              boundary,
              loss,
            };
          });
          assert.deepEqual(fit.overflowing, [], 'elements of the training panel overflow sideways');
          assert.ok(fit.page.scrollWidth <= fit.page.width, `the page scrolls sideways: ${fit.page.scrollWidth} > ${fit.page.width}`);
          for (const [what, r] of [
            ['decision boundary', fit.boundary],
            ['loss chart', fit.loss],
          ] as const) {
            assert.ok(r.right - r.left > 50, `${what} is drawn: ${JSON.stringify(r)}`);
            const whole =
              r.left >= fit.panel.left &&
              r.right <= fit.panel.right &&
              r.top >= fit.panel.top &&
              r.bottom <= fit.panel.bottom &&
              r.right <= fit.page.width &&
              r.bottom <= fit.page.height;
            assert.ok(
              whole,
              `the ${what} ${JSON.stringify(r)} is not whole in view (panel ${JSON.stringify(fit.panel)}, page ${fit.page.width}×${fit.page.height})`,
            );
          }
        },
        fixture.model,
        state,
      );
    });
  }
});
