// Issue 4's done criterion: a person builds the MLP classifier from an empty file with the mouse —
// layers dragged from the palette, wired by dragging between handles — setting only attribute values
// in the inspector. The page talks to a stand-in host that applies its edits and sends the text back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeModel } from '../../engine';
import { browserMissing, useBrowser, cspViolations, dragMouse, sel, TestHost, watchProblems } from './harness';
import { empty, text } from './models';

const missing = browserMissing();
if (missing) console.log(`# SKIP browser tests: ${missing}`);

const { node, sourceHandle, targetHandle } = sel;

describe('building the MLP template from an empty file by drag and drop', { skip: missing ?? false }, () => {
  const ctx = useBrowser();

  it('drops six layers, wires them by dragging, sets their attributes: a valid MLP classifier', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1400, height: 800 } });
    const problems = watchProblems(page);
    try {
      await page.goto(ctx.server.pageFor({ text: text(empty()) }));
      await page.locator('#root[data-state="ok"]').waitFor({ timeout: 15_000 });
      const host = new TestHost(page, empty());
      const pane = page.locator('.react-flow__pane');
      await pane.waitFor();

      // Dropped where the canvas shows them at 1400×800 under a training panel with its settings open (about 380 px tall).
      const layers: [string, string, number, number][] = [
        ['Input', 'input1', 40, 120],
        ['Linear', 'linear1', 210, 120],
        ['ReLU', 'relu1', 380, 120],
        ['Linear', 'linear2', 550, 120],
        ['Target', 'target1', 550, 280],
        ['CrossEntropyLoss', 'loss1', 720, 220],
      ];
      let edits = 0;
      for (const [op, id, x, y] of layers) {
        await page.locator(`.palette-item[data-op="${op}"]`).dragTo(pane, { targetPosition: { x, y } });
        await host.waitForEdits(++edits);
        await host.applyEdits();
        await page.locator(node(id)).waitFor();
      }

      const wires: [string, string, number][] = [
        ['input1', 'linear1', 0],
        ['linear1', 'relu1', 0],
        ['relu1', 'linear2', 0],
        ['linear2', 'loss1', 0],
        ['target1', 'loss1', 1],
      ];
      for (const [from, to, port] of wires) {
        await dragMouse(page, sourceHandle(from), targetHandle(to, port));
        await host.waitForEdits(++edits);
        await host.applyEdits();
      }

      // Attribute values: the only typing.
      const setText = async (id: string, attr: string, value: string) => {
        await page.locator(`${node(id)} .op-node-header`).click();
        const field = page.locator(`[data-testid="attr-${attr}"] input`);
        await field.waitFor();
        await field.fill(value);
        await field.press('Enter');
        await host.waitForEdits(++edits);
        await host.applyEdits();
      };
      await setText('input1', 'shape', '2');
      await setText('linear1', 'outFeatures', '16');
      await setText('linear2', 'outFeatures', '2');
      await setText('target1', 'shape', '[]');
      await page.locator(`${node('target1')} .op-node-header`).click();
      await page.locator('[data-testid="attr-dtype"]').click();
      await page.getByRole('option', { name: 'int32' }).click();
      await host.waitForEdits(++edits);
      await host.applyEdits();

      // The document the edits produced is the MLP classifier, and the editor says so.
      const analysis = analyzeModel(host.model);
      assert.deepEqual(analysis.errors, []);
      assert.deepEqual(
        analysis.order.map((id) => host.model.nodes.find((n) => n.id === id)!.op),
        ['Input', 'Target', 'Linear', 'ReLU', 'Linear', 'CrossEntropyLoss'],
      );
      assert.equal(analysis.nodes.get('linear2')!.type!.shape.join('×'), 'N×2');
      await page.locator('[data-testid="problems"]', { hasText: 'No problems' }).waitFor();
      assert.equal(await page.locator('.react-flow__edge').count(), 5);
      assert.deepEqual(problems.pageErrors, []);
      assert.deepEqual(problems.console, []);
      assert.deepEqual(await cspViolations(page), []);
    } finally {
      await page.close();
    }
  });
});
