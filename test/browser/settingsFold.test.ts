// The training panel's settings fold on their own (a one-line summary), so that in a short editor the graph keeps
// its room while the charts and the decision boundary stay in view; the page remembers the choice.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { browserMissing, toolkitReady, useBrowser, watchProblems } from './harness';
import { mlp, text } from './models';

const missing = browserMissing();
if (missing) console.log(`# SKIP browser tests: ${missing}`);

describe('folding the training settings (headless Chromium)', { skip: missing ?? false }, () => {
  const ctx = useBrowser();

  it('a short editor opens with the settings folded, until the person chooses', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 930, height: 560 } });
    try {
      await page.goto(ctx.server.pageFor({ text: text(mlp()) }));
      await page.locator('[data-testid="training-settings-section"][data-open="false"]').waitFor({ timeout: 15_000 });
      await page.goto(ctx.server.pageFor({ text: text(mlp()), state: { trainingSettingsOpen: true } }));
      await page.locator('[data-testid="training-settings-section"][data-open="true"]').waitFor({ timeout: 15_000 });
    } finally {
      await page.close();
    }
  });

  it('folded, the settings are a summary line, the charts and boundary share one row and the graph gets the room', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 930, height: 700 } });
    const problems = watchProblems(page);
    try {
      const model = mlp();
      await page.goto(ctx.server.pageFor({ text: text(model) }));
      await page.locator('#root[data-state="ok"]').waitFor({ timeout: 15_000 });
      await toolkitReady(page);
      // A boundary to show (it takes the charts' row only once a run has sent one).
      await page.evaluate(() => window.__bps.host({ type: 'boundary', step: 1, grid: 2, extent: 6, values: [0, 0.5, 1, 0.2] }));
      await page.locator('[data-testid="decision-boundary"]').waitFor();
      const canvasHeight = async () => (await page.locator('[data-testid="canvas"]').boundingBox())!.height;
      const before = await canvasHeight();
      await page.locator('[data-testid="training-settings-toggle"]').click();
      await page.locator('[data-testid="training-settings-section"][data-open="false"]').waitFor();
      assert.equal(await page.locator('[data-testid="training-lr"]').isVisible(), false, 'the fields are hidden');
      // The MLP template's settings, read from its file: circle, 400 points, Adam at 0.01, batch 16, 30 epochs.
      const t = model.training as unknown as { dataset: { size: number }; optimizer: { lr: number }; batchSize: number; epochs: number };
      assert.equal(
        await page.locator('.training-settings-summary').textContent(),
        `Circle · ${t.dataset.size} points · Adam, lr ${t.optimizer.lr} · batch ${t.batchSize} · ${t.epochs} epochs`,
      );
      const after = await canvasHeight();
      assert.ok(after > before + 40, `the graph gained room: ${before} → ${after} px`);
      const loss = (await page.locator('[data-testid="loss-chart"]').boundingBox())!;
      const boundary = (await page.locator('[data-testid="decision-boundary"]').boundingBox())!;
      assert.ok(boundary.y < loss.y + loss.height, "the boundary sits in the charts' row, not below it");
      const state = await page.evaluate(() => (window as unknown as { acquireVsCodeApi(): { getState(): unknown } }).acquireVsCodeApi().getState());
      assert.equal((state as { trainingSettingsOpen?: boolean }).trainingSettingsOpen, false);
      // Reopened (a tab switch), the page keeps it folded; unfolding shows the fields again.
      await page.goto(ctx.server.pageFor({ text: text(model), state }));
      await page.locator('[data-testid="training-settings-section"][data-open="false"]').waitFor({ timeout: 15_000 });
      await page.locator('[data-testid="training-settings-toggle"]').click();
      await page.locator('[data-testid="training-lr"]').waitFor();
      assert.deepEqual(problems.pageErrors, []);
    } finally {
      await page.close();
    }
  });
});
