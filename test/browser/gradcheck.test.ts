// Check Gradients in the Inspector (webview/gradcheck/GradCheckPanel.tsx), with the host's gradCheck messages
// injected: the button posts checkGradients (with the node's id when a node is selected), a running check shows its
// progress, a result shows per tensor pass / FAIL / kinks and the cost of finite differences against backprop, a
// node's Inspector keeps to its own tensors, and a failed check says why.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { ModelJson } from '../../engine/graph/types';
import { mlpClassifier } from '../../extension/templates/mlpClassifier';
import type { GradCheckTensorView, GradCheckView } from '../../protocol/messages';
import { browserMissing, cspViolations, sel, TestHost, toolkitReady, useBrowser, watchProblems } from './harness';
import { text } from './models';

const missing = browserMissing();
if (missing) console.log(`# SKIP browser tests: ${missing}`);

const tensor = (name: string, nodeId: string, shape: number[], over: Partial<GradCheckTensorView> = {}): GradCheckTensorView => ({
  name,
  kind: nodeId === 'x' ? 'input' : 'parameter',
  nodeId,
  shape,
  checked: Math.min(
    20,
    shape.reduce((a, b) => a * b, 1),
  ),
  maxAbsError: 3.5e-9,
  relError: 2.7e-8,
  kinks: 0,
  status: 'pass',
  belowResolution: false,
  ...over,
});

const RESULT: GradCheckView = {
  loss: 0.7556,
  eps: 1e-6,
  samples: 20,
  tolerance: { relative: 1e-3, absolute: 2.3e-7 },
  tensors: [
    tensor('x', 'x', [16, 2]),
    tensor('fc1.weight', 'fc1', [16, 2], { kinks: 3 }),
    tensor('fc1.bias', 'fc1', [16]),
    tensor('fc2.weight', 'fc2', [16, 16], { status: 'fail', relError: 0.33, maxAbsError: 0.04 }),
    tensor('fc2.bias', 'fc2', [16]),
    tensor('fc3.weight', 'fc3', [2, 16]),
    tensor('fc3.bias', 'fc3', [2]),
  ],
  passed: false,
  failed: 1,
  checked: 120,
  kinks: 3,
  backwardMs: 0.21,
  gradients: 370,
  forwardPasses: 246,
  numericMs: 31.5,
  timeRatio: 150,
  allForwardPasses: 740,
  allMsEstimate: 94.8,
};

const rows = (page: Page) =>
  page
    .locator('[data-testid="gradcheck-row"]')
    .evaluateAll((els) =>
      els.map((e) => [(e as HTMLElement).dataset.tensor, (e as HTMLElement).dataset.status, e.querySelector('.gradcheck-verdict')!.textContent]),
    );

describe('Check Gradients in the Inspector (headless Chromium)', { skip: missing ?? false }, () => {
  const ctx = useBrowser();

  it('posts the check, shows progress, then the result with its cost; a node keeps to its own tensors', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems = watchProblems(page);
    try {
      const model = structuredClone(mlpClassifier.model) as unknown as ModelJson;
      await page.goto(ctx.server.pageFor({ text: text(model) }));
      await page.locator('#root[data-state="ok"]').waitFor({ timeout: 15_000 });
      await toolkitReady(page);
      const host = new TestHost(page, model);

      // Nothing selected: the whole model.
      const button = page.locator('.inspector [data-testid="gradcheck-button"]');
      await button.click();
      assert.deepEqual(
        (await host.posted()).filter((m) => m.type === 'checkGradients'),
        [{ type: 'checkGradients' }],
      );

      await host.send({ type: 'gradCheck', status: 'running', progress: { done: 40, total: 120 } });
      await page.locator('[data-testid="gradcheck-running"]', { hasText: 'Checking: 40 of 120 entries' }).waitFor();
      // One check at a time (the toolkit reflects `disabled` on its element a frame or so later).
      await page.locator('.inspector [data-testid="gradcheck-button"][disabled]').waitFor({ timeout: 5000 });

      await host.send({ type: 'gradCheck', status: 'done', result: RESULT });
      const result = page.locator('.inspector [data-testid="gradcheck-result"]');
      await result.waitFor();
      assert.equal(await result.getAttribute('data-passed'), 'false');
      assert.deepEqual(await rows(page), [
        ['x', 'pass', 'pass'],
        ['fc1.weight', 'pass', 'pass, 3 kinks'],
        ['fc1.bias', 'pass', 'pass'],
        ['fc2.weight', 'fail', 'FAIL'],
        ['fc2.bias', 'pass', 'pass'],
        ['fc3.weight', 'pass', 'pass'],
        ['fc3.bias', 'pass', 'pass'],
      ]);
      assert.equal(await page.locator('[data-testid="gradcheck-summary"]').textContent(), '1 of 7 tensors FAIL (3 entries at a kink: not failures)');
      const cost = (await page.locator('[data-testid="gradcheck-cost"]').textContent())!.replace(/\s+/g, ' ');
      assert.match(
        cost,
        /Backprop: 1 backward pass \(0\.21 ms\) gave all 370 gradient values\. Finite differences: 246 forward passes for 120 of them, 150× the time; all of them would take 740 forward passes, about 94\.8 ms\./,
      );
      assert.equal(await button.getAttribute('disabled'), null);

      // fc1 selected: its own tensors, and a check of fc1 alone.
      await page.locator(`${sel.node('fc1')} .op-node-header`).click();
      await page.locator('.inspector-body[data-node-id="fc1"]').waitFor();
      assert.deepEqual(await rows(page), [
        ['fc1.weight', 'pass', 'pass, 3 kinks'],
        ['fc1.bias', 'pass', 'pass'],
      ]);
      assert.equal(await page.locator('[data-testid="gradcheck-summary"]').textContent(), 'All 2 tensors pass (3 entries at a kink: not failures)');
      await page.locator('.inspector [data-testid="gradcheck-button"]').click();
      assert.deepEqual((await host.posted()).filter((m) => m.type === 'checkGradients').at(-1), { type: 'checkGradients', nodeId: 'fc1' });

      // A ReLU has nothing to check: no button.
      await page.locator(`${sel.node('act1')} .op-node-header`).click();
      await page.locator('.inspector-body[data-node-id="act1"]').waitFor();
      assert.equal(await page.locator('.inspector [data-testid="gradcheck"]').count(), 0);

      // A failed check says why; a malformed result is ignored.
      await page.locator(`${sel.node('fc2')} .op-node-header`).click();
      await page.locator('.inspector-body[data-node-id="fc2"]').waitFor();
      assert.deepEqual(await rows(page), [
        ['fc2.weight', 'fail', 'FAIL'],
        ['fc2.bias', 'pass', 'pass'],
      ]);
      await host.send({ type: 'gradCheck', status: 'done' } as never);
      await host.send({ type: 'gradCheck', status: 'failed', message: 'nothing to compare: non-finite values first appeared in the output of node "fc2"' });
      await page.locator('[data-testid="gradcheck-error"]', { hasText: 'non-finite values first appeared in the output of node "fc2"' }).waitFor();
      assert.equal(await page.locator('[data-testid="gradcheck-result"]').count(), 0);

      assert.deepEqual(problems.pageErrors, [], 'no uncaught errors in the page');
      assert.deepEqual(problems.console, [], 'no console errors or warnings');
      assert.deepEqual(await cspViolations(page), [], 'no CSP violations');
    } finally {
      await page.close();
    }
  });
});
