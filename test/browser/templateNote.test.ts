// A template's note (the model's `description`) in the inspector while nothing is selected, and the training
// panel's dataset dropdown on a model with inline rows: "Inline rows (N)" chosen, offered only where rows exist.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { ModelJson } from '../../engine/graph/types';
import { singleNeuron } from '../../extension/templates/singleNeuron';
import { browserMissing, cspViolations, sel, TestHost, toolkitReady, useBrowser, watchProblems } from './harness';
import { mlp, text } from './models';

const missing = browserMissing();
if (missing) console.log(`# SKIP browser tests: ${missing}`);

const neuron = (): ModelJson => structuredClone(singleNeuron.model) as unknown as ModelJson;

/** The dataset dropdown's value and its options' labels. */
const datasetChoices = (page: Page) =>
  page.evaluate(() => {
    const d = document.querySelector('[data-testid="training-source"]') as (HTMLElement & { value?: string }) | null;
    return { value: String(d?.value ?? ''), options: Array.from(d?.querySelectorAll('vscode-option') ?? [], (o) => o.textContent?.trim() ?? '') };
  });

describe("a template's note and inline rows in the editor (headless Chromium)", { skip: missing ?? false }, () => {
  const ctx = useBrowser();

  it('shows the note with nothing selected, hides it for a selection, and offers Inline rows only where the file has them', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems = watchProblems(page);
    try {
      const model = neuron();
      await page.goto(ctx.server.pageFor({ text: text(model) }));
      await page.locator('#root[data-state="ok"]').waitFor({ timeout: 15_000 });
      await toolkitReady(page);
      const host = new TestHost(page, model);
      const note = page.locator('[data-testid="model-description"]');
      assert.equal(await note.textContent(), singleNeuron.model.description);

      await page.locator(`${sel.node('o')} .op-node-header`).click();
      await page.locator('.inspector-body[data-node-id="o"]').waitFor();
      assert.equal(await note.count(), 0, 'a selected node replaces the model summary');
      await page.keyboard.press('Escape');
      await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
      await note.waitFor();

      let choices = await datasetChoices(page);
      assert.equal(choices.value, 'inline');
      assert.ok(choices.options.includes('Inline rows (1)'), JSON.stringify(choices.options));
      assert.match(await page.locator('[data-testid="training-settings"]').innerText(), /Validation/);
      assert.equal(await page.locator('[data-testid="training-validationSplit"]').getAttribute('placeholder'), '0', 'inline rows hold nothing out by default');

      // A model without rows (the MLP template, no description) shows no note and offers no inline rows.
      host.model = mlp();
      await host.sendText(text(host.model));
      await page.waitForFunction(
        () => (document.querySelector('[data-testid="training-source"]') as (HTMLElement & { value?: string }) | null)?.value === 'circle',
      );
      choices = await datasetChoices(page);
      assert.ok(!choices.options.some((o) => o.startsWith('Inline rows')), JSON.stringify(choices.options));
      assert.equal(await note.count(), 0);

      assert.deepEqual(problems.pageErrors, [], 'no uncaught errors in the page');
      assert.deepEqual(problems.console, [], 'no console errors or warnings');
      assert.deepEqual(await cspViolations(page), [], 'no CSP violations');
    } finally {
      await page.close();
    }
  });
});
