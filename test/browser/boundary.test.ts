// The decision boundary as Playground shows it, in headless Chromium: the run's training points (filled) and
// validation points (rings) drawn over the heatmap in the class colours, crisp at the device's pixel ratio; the
// regression heatmap of a predicted value with its colour key; and the dataset dropdown's rewire offer, which
// sends the dataset change and the rewiring as one batch edit. Messages are hand-made, as the host sends them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { ModelJson } from '../../engine/graph/types';
import type { BoundaryMessage, DatasetPointsMessage, HostMessage } from '../../protocol/messages';
import { browserMissing, cspViolations, TestHost, toolkitReady, useBrowser, watchProblems } from './harness';
import { mlp, text } from './models';

const missing = browserMissing();
if (missing) console.log(`# SKIP browser tests: ${missing}`);

type RGBA = [number, number, number, number];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const near = (a: readonly number[], b: readonly number[], tol = 3) => a.slice(0, 3).every((v, i) => Math.abs(v - b[i]!) <= tol);

/** A grid whose left half is `left` and right half `right` (columns; rows from the top). */
function halves(grid: number, left: number, right: number): number[] {
  return Array.from({ length: grid * grid }, (_, i) => (i % grid < grid / 2 ? left : right));
}

describe('the decision boundary’s points, regression heatmap and rewire offer (headless Chromium)', { skip: missing ?? false }, () => {
  const ctx = useBrowser();

  async function withEditor(model: ModelJson, fn: (page: Page, host: TestHost) => Promise<void>, deviceScaleFactor = 1) {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor });
    const problems = watchProblems(page);
    try {
      await page.goto(ctx.server.pageFor({ text: text(model) }));
      await page.locator('#root[data-state="ok"]').waitFor({ timeout: 15_000 });
      await toolkitReady(page);
      await fn(page, new TestHost(page, model));
      assert.deepEqual(problems.pageErrors, [], 'no uncaught errors in the page');
      assert.deepEqual(problems.console, [], 'no console errors or warnings');
      assert.deepEqual(await cspViolations(page), [], 'no CSP violations');
    } finally {
      await page.close();
    }
  }

  const replay = (page: Page, messages: readonly HostMessage[]) => page.evaluate((ms) => ms.forEach((m) => window.__bps.host(m)), messages);

  /** A CSS colour of the boundary's theme variables, as the browser resolves it (independent of the drawing code). */
  const themeColour = (page: Page, v: string) =>
    page.evaluate((name) => {
      const probe = document.createElement('span');
      probe.style.color = `var(${name})`;
      document.querySelector('.boundary')!.appendChild(probe);
      const c = getComputedStyle(probe).color;
      probe.remove();
      return c.match(/\d+/g)!.slice(0, 3).map(Number);
    }, v);

  /**
   * Pixels of the points' canvas at data coordinates [x, y, dx] (dx CSS pixels to the right), over [-extent,
   * extent]². One readback for them all (the canvas is not made for many; Chromium warns).
   */
  const pointPixels = (page: Page, at: readonly (readonly [number, number, number?])[], extent: number) =>
    page.locator('[data-testid="boundary-points"]').evaluate(
      (c: HTMLCanvasElement, [at, extent]) => {
        const dpr = c.width / c.clientWidth;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        return at.map(([x, y, dx]) => {
          const px = Math.floor(((x + extent) / (2 * extent)) * c.width + (dx ?? 0) * dpr);
          const py = Math.floor(((extent - y) / (2 * extent)) * c.height);
          return Array.from(d.slice(4 * (py * c.width + px), 4 * (py * c.width + px) + 4)) as RGBA;
        });
      },
      [at, extent] as const,
    );

  it('draws training points filled and validation points hollow in the class colours, crisp at the pixel ratio', async () => {
    await withEditor(
      mlp(),
      async (page) => {
        const points: DatasetPointsMessage = {
          type: 'datasetPoints',
          kind: 'classification',
          train: { xy: [-3, 3, 3, -3, -3, -3, 4.5, 1], label: [0, 1, 1, 0] },
          validation: { xy: [3, 3, 0, 0, -1, -4.5], label: [0, 1, 1] },
        };
        const boundary: BoundaryMessage = { type: 'boundary', step: 7, grid: 16, extent: 6, values: halves(16, 0.1, 0.9), kind: 'probability' };
        await replay(page, [{ type: 'trainingState', status: 'running', classification: true }, points, boundary]);
        const heat = page.locator('[data-testid="decision-boundary"][data-step="7"]');
        await heat.waitFor();
        assert.equal(await heat.getAttribute('data-kind'), 'probability');
        assert.equal(await heat.getAttribute('data-points'), '4');
        assert.equal(await heat.getAttribute('data-val-points'), '3');
        assert.match((await page.locator('.boundary figcaption').textContent()) ?? '', /P\(class 1\), step 7/);

        // The points' canvas lies exactly over the heatmap's content box, at twice as many pixels (DPR 2).
        const layer = page.locator('[data-testid="boundary-points"]');
        const geometry = await page.evaluate(() => {
          const h = document.querySelector('[data-testid="decision-boundary"]') as HTMLCanvasElement;
          const p = document.querySelector('[data-testid="boundary-points"]') as HTMLCanvasElement;
          const a = h.getBoundingClientRect();
          const b = p.getBoundingClientRect();
          return {
            heat: [a.left + h.clientLeft, a.top + h.clientTop, h.clientWidth, h.clientHeight],
            points: [b.left, b.top, b.width, b.height],
            pixels: [p.width, p.height],
          };
        });
        assert.deepEqual(geometry.points, geometry.heat);
        assert.deepEqual(geometry.pixels, [geometry.heat[2]! * 2, geometry.heat[3]! * 2]);

        const c0 = await themeColour(page, '--boundary-0');
        const c1 = await themeColour(page, '--boundary-1');
        assert.ok(!near(c0, c1, 40), 'the two class colours differ');
        const train = [
          [-3, 3, 0],
          [3, -3, 1],
          [-3, -3, 1],
          [4.5, 1, 0],
        ] as const;
        const validation = [
          [3, 3, 0],
          [0, 0, 1],
          [-1, -4.5, 1],
        ] as const;
        // A ring's pixels: the centre, and a few steps right of it (one of them on the ring, whatever its radius).
        const steps = [0, 1, 1.5, 2, 2.5, 3];
        const px = await pointPixels(
          page,
          [...train.map(([x, y]) => [x, y] as const), ...validation.flatMap(([x, y]) => steps.map((dx) => [x, y, dx] as const)), [5, -5]],
          6,
        );
        // Training points: the centre pixel is the class colour, opaque.
        train.forEach(([x, y, cls], i) => assert.ok(near(px[i]!, cls ? c1 : c0) && px[i]![3] === 255, `training point (${x}, ${y}) class ${cls}: ${px[i]}`));
        // Validation points: hollow (the centre is clear), the ring in the class colour.
        validation.forEach(([x, y, cls], i) => {
          const [centre, ...right] = px.slice(train.length + steps.length * i, train.length + steps.length * (i + 1));
          assert.ok(centre![3] < 128 && !near(centre!, cls ? c1 : c0, 40), `validation point (${x}, ${y}) is hollow: ${centre}`);
          assert.ok(
            right.some((p) => near(p, cls ? c1 : c0, 40) && p[3] > 200),
            `validation ring (${x}, ${y}) class ${cls}: ${right.join(' | ')}`,
          );
        });
        // Where there is no point the layer is clear, so the heatmap shows.
        assert.equal(px.at(-1)![3], 0);

        // The toggle hides the points (remembered for the page), and shows them again.
        const toggle = page.locator('[data-testid="boundary-points-toggle"]');
        assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
        await toggle.click();
        await layer.waitFor({ state: 'detached' });
        assert.equal(await heat.getAttribute('data-points'), '0');
        assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
        await toggle.click();
        await layer.waitFor();
        assert.equal(await heat.getAttribute('data-points'), '4');

        // A new boundary redraws the heatmap, not the points.
        const before = await page.evaluate(() => (window as { __bpsRenders?: Record<string, number> }).__bpsRenders?.BoundaryPoints ?? 0);
        await replay(page, [{ ...boundary, step: 8 }]);
        await page.locator('[data-testid="decision-boundary"][data-step="8"]').waitFor();
        assert.equal(await page.evaluate(() => (window as { __bpsRenders?: Record<string, number> }).__bpsRenders?.BoundaryPoints ?? 0), before);
      },
      2,
    );
  });

  it('draws a regression’s predicted value on a diverging scale, the points by value, and a colour key', async () => {
    await withEditor(mlp(), async (page) => {
      const points: DatasetPointsMessage = {
        type: 'datasetPoints',
        kind: 'regression',
        train: { xy: [-4, 4, 4, 4, 0, -4, -4, -1], label: [-1, 1, 0.5, -3] },
        validation: { xy: [4, -3], label: [0.25] },
      };
      const grid = 20;
      const boundary: BoundaryMessage = { type: 'boundary', step: 3, grid, extent: 6, values: halves(grid, -1, 1), kind: 'regression' };
      await replay(page, [{ type: 'trainingState', status: 'running', classification: false }, points, boundary]);
      const heat = page.locator('[data-testid="decision-boundary"][data-step="3"]');
      await heat.waitFor();
      assert.equal(await heat.getAttribute('data-kind'), 'regression');
      assert.equal(await heat.getAttribute('data-points'), '4');
      assert.equal(await heat.getAttribute('data-val-points'), '1');
      assert.match((await page.locator('.boundary figcaption').textContent()) ?? '', /prediction, step 3/);

      const c0 = await themeColour(page, '--boundary-0');
      const c1 = await themeColour(page, '--boundary-1');
      const mid = await themeColour(page, '--boundary-mid');
      const mix = (to: number[], a: number) => mid.map((m, k) => m + (to[k]! - m) * a);
      // The heatmap: -1 on the left, +1 on the right, each a strong mix of its colour into the background.
      const cells = await heat.evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const left = 4 * (10 * c.width + 2);
        const right = 4 * (10 * c.width + c.width - 3);
        return { left: Array.from(d.slice(left, left + 4)), right: Array.from(d.slice(right, right + 4)) };
      });
      assert.ok(near(cells.left, mix(c0, 0.85)), `left ${cells.left} vs ${mix(c0, 0.85)}`);
      assert.ok(near(cells.right, mix(c1, 0.85)), `right ${cells.right} vs ${mix(c1, 0.85)}`);

      // Points by value on the same scale, at full strength; beyond ±1 clamped.
      const want = [
        [-4, 4, c0],
        [4, 4, c1],
        [0, -4, mix(c1, 0.5)],
        [-4, -1, c0],
      ] as const;
      const px = await pointPixels(page, [...want.map(([x, y]) => [x, y] as const), [4, -3]], 6);
      want.forEach(([x, y, colour], i) => assert.ok(near(px[i]!, colour) && px[i]![3] === 255, `point (${x}, ${y}): ${px[i]} vs ${colour}`));
      assert.ok(px[4]![3] < 128, `the validation point is hollow: ${px[4]}`);

      // The colour key: from −1 through 0 to 1, in the heatmap's colours.
      const key = page.locator('[data-testid="boundary-key"]');
      assert.equal(await key.getAttribute('data-kind'), 'regression');
      assert.deepEqual(await key.locator('.boundary-key-labels span').allTextContents(), ['−1', '0', '1']);
      const bar = await key.locator('.boundary-key-bar').evaluate((el) => getComputedStyle(el).backgroundImage);
      assert.match(bar, /^linear-gradient/);
      const stops = (bar.match(/rgb\([^)]*\)/g) ?? []).map((s) => s.match(/\d+/g)!.map(Number));
      assert.deepEqual(stops, [c0, mid, c1]);
    });
  });

  it('the empty boundary mentions regression sets too', async () => {
    await withEditor(mlp(), async (page) => {
      assert.match((await page.locator('.boundary-empty').textContent()) ?? '', /classifier.*regression \(plane, gaussians\)/);
    });
  });

  describe('the rewire offer', () => {
    const choose = async (page: Page, name: string) => {
      await page.locator('[data-testid="training-source"]').click();
      await page.getByRole('option', { name }).click();
    };

    it('choosing regress-plane on the MLP classifier offers to rewire; Rewire sends one batch edit', async () => {
      await withEditor(mlp(), async (page, host) => {
        await choose(page, 'Regression: plane');
        const notice = page.locator('[data-testid="rewire-notice"]');
        await notice.waitFor();
        assert.equal(await notice.getAttribute('data-task'), 'regression');
        assert.deepEqual(await page.locator('[data-testid="rewire-changes"] li').allTextContents(), [
          '"fc3": 2 → 1 output',
          'Target "y": int32 [] → float32 [1]',
          '"loss": CrossEntropyLoss → MSELoss',
        ]);
        await sleep(200);
        assert.deepEqual(await host.edits(), [], 'nothing is sent until the person decides');
        assert.equal(await page.locator('[data-testid="training-source"]').evaluate((d) => (d as HTMLSelectElement).value), 'regress-plane');

        await page.locator('[data-testid="rewire-apply"]').click();
        assert.deepEqual(await host.waitForEdits(1), [
          {
            kind: 'batch',
            label: 'Use Regression: plane and rewire for regression',
            edits: [
              { kind: 'setTraining', path: ['dataset', 'source'], value: 'regress-plane' },
              { kind: 'setAttr', nodeId: 'fc3', attr: 'outFeatures', value: 1 },
              { kind: 'setAttr', nodeId: 'y', attr: 'dtype', value: 'float32' },
              { kind: 'setAttr', nodeId: 'y', attr: 'shape', value: [1] },
              { kind: 'setOp', nodeId: 'loss', op: 'MSELoss' },
            ],
          },
        ]);
        await notice.waitFor({ state: 'detached' });
        await host.applyEdits();
        await page.locator('.react-flow__node[data-id="loss"]', { hasText: 'MSELoss' }).waitFor();
        assert.equal(await page.locator('[data-testid="training-source"]').evaluate((d) => (d as HTMLSelectElement).value), 'regress-plane');
        // Rewired: choosing another regression set asks nothing.
        await choose(page, 'Regression: gaussians');
        assert.deepEqual((await host.waitForEdits(2))[1], { kind: 'setTraining', path: ['dataset', 'source'], value: 'regress-gaussians' });
        assert.equal(await notice.count(), 0);
      });
    });

    it('Keep sends only the dataset change; Cancel sends nothing and shows the file’s dataset again', async () => {
      await withEditor(mlp(), async (page, host) => {
        const notice = page.locator('[data-testid="rewire-notice"]');
        await choose(page, 'Regression: gaussians');
        await notice.waitFor();
        await page.locator('[data-testid="rewire-cancel"]').click();
        await notice.waitFor({ state: 'detached' });
        await page.waitForFunction(() => (document.querySelector('[data-testid="training-source"]') as HTMLSelectElement | null)?.value === 'circle');
        await sleep(200);
        assert.deepEqual(await host.edits(), []);

        await choose(page, 'Regression: gaussians');
        await notice.waitFor();
        await page.locator('[data-testid="rewire-keep"]').click();
        assert.deepEqual(await host.waitForEdits(1), [{ kind: 'setTraining', path: ['dataset', 'source'], value: 'regress-gaussians' }]);
        await notice.waitFor({ state: 'detached' });
        await host.applyEdits();
        await page.waitForFunction(
          () => (document.querySelector('[data-testid="training-source"]') as HTMLSelectElement | null)?.value === 'regress-gaussians',
        );
        await sleep(200);
        assert.equal((await host.edits()).length, 1, 'one edit');
        assert.equal(host.model.nodes.find((n) => n.id === 'loss')!.op, 'CrossEntropyLoss');
      });
    });
  });
});
