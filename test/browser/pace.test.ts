// Pace control in the training panel (issue 12, item 2): Step and Epoch send their controls, the speed setting
// sends the host its steps a second and is remembered by the page, and a paused run offers Resume. The host side
// (engine/train/stepGate.ts) is tested in test/training/stepGate.test.ts and test/extension/pace.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { browserMissing, toolkitReady, useBrowser, watchProblems } from './harness';
import { mlp, text } from './models';

const missing = browserMissing();
if (missing) console.log(`# SKIP browser tests: ${missing}`);

describe('pace control in the training panel (headless Chromium)', { skip: missing ?? false }, () => {
  const ctx = useBrowser();

  const posted = (page: Page, type: string) => page.evaluate((t) => window.__bps.posted.filter((m) => m.type === t), type);
  const button = (page: Page, name: string) => page.locator('[data-testid="training-panel"]').getByRole('button', { name, exact: true });

  it('Step, Epoch and the speed setting reach the host; the speed survives a reload of the page', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems = watchProblems(page);
    try {
      await page.goto(ctx.server.pageFor({ text: text(mlp()) }));
      await page.locator('#root[data-state="ok"]').waitFor({ timeout: 15_000 });
      await toolkitReady(page);
      await button(page, 'Step').click();
      await button(page, 'Step epoch').click();
      await page.waitForFunction(() => window.__bps.posted.filter((m) => m.type === 'trainingControl').length === 2);
      assert.deepEqual(
        (await posted(page, 'trainingControl')).map((m) => (m as { action: string }).action),
        ['step', 'stepEpoch'],
      );

      await page.locator('[data-testid="training-pace"]').click();
      await page.getByRole('option', { name: '5 steps/s' }).click();
      await page.waitForFunction(() => window.__bps.posted.some((m) => m.type === 'trainingPace'));
      assert.deepEqual(await posted(page, 'trainingPace'), [{ type: 'trainingPace', stepsPerSecond: 5 }]);

      // A paused run: Pause becomes Resume, which sends resume.
      await page.evaluate(() =>
        window.__bps.host({
          type: 'trainingState',
          status: 'paused',
          progress: { step: 3, epoch: 0, epochs: 20, stepsPerEpoch: 13, loss: 0.5, samplesPerSecond: 10 },
          classification: true,
        }),
      );
      await button(page, 'Resume').click();
      await page.waitForFunction(() => window.__bps.posted.filter((m) => m.type === 'trainingControl').length === 3);
      assert.equal(((await posted(page, 'trainingControl')).at(-1) as { action: string }).action, 'resume');

      // The page keeps the speed in its webview state: reloaded with it (a tab switch), it tells the host again and shows it.
      const state = await page.evaluate(() => (window as unknown as { acquireVsCodeApi(): { getState(): unknown } }).acquireVsCodeApi().getState());
      assert.equal((state as { trainingPace?: string }).trainingPace, '5');
      await page.goto(ctx.server.pageFor({ text: text(mlp()), state }));
      await page.locator('#root[data-state="ok"]').waitFor({ timeout: 15_000 });
      await toolkitReady(page);
      await page.waitForFunction(() => window.__bps.posted.some((m) => m.type === 'trainingPace'));
      assert.deepEqual(await posted(page, 'trainingPace'), [{ type: 'trainingPace', stepsPerSecond: 5 }]);
      await page.waitForFunction(() => (document.querySelector('[data-testid="training-pace"]') as HTMLSelectElement | null)?.value === '5');

      // Paused, the person speeds the run up and resumes.
      await page.evaluate(() =>
        window.__bps.host({
          type: 'trainingState',
          status: 'paused',
          progress: { step: 9, epoch: 0, epochs: 20, stepsPerEpoch: 13, loss: 0.5, samplesPerSecond: 10 },
          classification: true,
        }),
      );
      await page.locator('[data-testid="training-pace"]').click();
      await page.getByRole('option', { name: 'As fast as possible' }).click();
      await page.waitForFunction(() => window.__bps.posted.filter((m) => m.type === 'trainingPace').length === 2);
      assert.deepEqual((await posted(page, 'trainingPace')).at(-1), { type: 'trainingPace', stepsPerSecond: null });
      await button(page, 'Resume').click();
      await page.waitForFunction(() => window.__bps.posted.some((m) => m.type === 'trainingControl'));
      assert.deepEqual(
        (await posted(page, 'trainingControl')).map((m) => (m as { action: string }).action),
        ['resume'],
      );
      assert.deepEqual(problems.pageErrors, []);
    } finally {
      await page.close();
    }
  });
});
