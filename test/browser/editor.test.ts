// The graph editor's webview in headless Chromium (Debian's /usr/bin/chromium through playwright-core), on a
// page with the host's own HTML and CSP and a stand-in host that records what the page posts. Each test checks
// the edits the page sends, and that the page had no errors, console warnings or CSP violations.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { ModelJson } from '../../engine/graph/types';
import type { GraphEdit } from '../../protocol/messages';
import { nodeGeometry } from '../../webview/canvas/geometry';
import { OPEN_MARGIN, READING_ZOOM } from '../../webview/canvas/openingView';
import { readDocument } from '../../webview/model/document';
import { buildGraphView } from '../../webview/model/graphView';
import { browserMissing, useBrowser, cspViolations, toolkitReady, dragMouse, sel, TestHost, watchProblems, type PageProblems } from './harness';
import { benchModel, drawingOf } from './benchModel';
import { empty, mlp, text, twoNodes, withAdd } from './models';

const missing = browserMissing();
if (missing) console.log(`# SKIP browser tests: ${missing}`);

const { node, sourceHandle, targetHandle } = sel;
const edgeLabel = (id: string) => `.edge-label[data-edge-id="${id}"] .edge-shape`;

describe('graph editor webview (headless Chromium)', { skip: missing ?? false }, () => {
  const ctx = useBrowser();

  interface Session {
    page: Page;
    host: TestHost;
    problems: PageProblems;
  }

  /** Opens the editor on `model` (or raw text), runs `fn`, then checks the page stayed clean. */
  async function withEditor(
    model: ModelJson | string,
    fn: (s: Session) => Promise<void>,
    opts: { readOnly?: boolean; viewport?: { width: number; height: number } } = {},
  ) {
    const page = await ctx.browser.newPage({ viewport: opts.viewport ?? { width: 1280, height: 760 } });
    const problems = watchProblems(page);
    try {
      const t = typeof model === 'string' ? model : text(model);
      await page.goto(ctx.server.pageFor({ text: t, readOnly: opts.readOnly }));
      await page.locator('#root[data-state="ok"], #root[data-state="error"]').waitFor({ timeout: 15_000 });
      const host = new TestHost(page, typeof model === 'string' ? (null as unknown as ModelJson) : model);
      await fn({ page, host, problems });
      assert.deepEqual(problems.pageErrors, [], 'no uncaught errors in the page');
      assert.deepEqual(problems.console, [], 'no console errors or warnings');
      assert.deepEqual(await cspViolations(page), [], 'no CSP violations');
    } finally {
      await page.close();
    }
  }

  /** Records (as window.firstTransform) the viewport's transform when the first node is put in the page. */
  const recordFirstTransform = (page: Page) =>
    page.addInitScript(() => {
      const w = window as unknown as { firstTransform?: string };
      const seen = new MutationObserver(() => {
        const vp = document.querySelector<HTMLElement>('.react-flow__viewport');
        if (!vp || !document.querySelector('.react-flow__node')) return;
        w.firstTransform = vp.style.transform;
        seen.disconnect();
      });
      seen.observe(document, { childList: true, subtree: true });
    });

  const waitNodes = (page: Page, n: number) => page.waitForFunction((k) => document.querySelectorAll('.react-flow__node').length === k, n);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('renders the MLP template: one node per node, edges labelled with their shapes, no problems', async () => {
    await withEditor(mlp(), async ({ page }) => {
      await waitNodes(page, 8);
      await page.locator(edgeLabel('fc1->act1:0')).waitFor();
      assert.equal(await page.locator('.react-flow__edge').count(), 7);
      assert.equal(await page.locator(edgeLabel('x->fc1:0')).textContent(), 'N×2');
      assert.equal(await page.locator(edgeLabel('fc1->act1:0')).textContent(), 'N×16');
      assert.equal(await page.locator(edgeLabel('y->loss:1')).textContent(), 'N int32');
      // A loss shows its two named ports.
      const ports = await page.locator(`${node('loss')} .op-node-port-name`).allTextContents();
      assert.deepEqual(ports, ['prediction', 'target']);
      assert.match((await page.locator(`${node('fc1')} .op-node-attrs`).textContent()) ?? '', /outFeatures 16/);
      assert.match((await page.locator('[data-testid="problems"]').textContent()) ?? '', /No problems/);
      assert.equal(await page.locator('.toolbar h1').textContent(), '2-D point classifier');
    });
  });

  it('opens fitted: the nodes appear in the view that fits them, which then stays', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 760 } });
    try {
      await recordFirstTransform(page);
      await page.goto(ctx.server.pageFor({ text: text(mlp()) }));
      await waitNodes(page, 8);
      await sleep(800);
      const { first, settled, inside } = await page.evaluate(() => {
        const pane = document.querySelector('.react-flow__pane')!.getBoundingClientRect();
        const nodes = Array.from(document.querySelectorAll('.react-flow__node'), (n) => n.getBoundingClientRect());
        return {
          first: (window as unknown as { firstTransform?: string }).firstTransform,
          settled: document.querySelector<HTMLElement>('.react-flow__viewport')!.style.transform,
          inside: nodes.every((r) => r.left >= pane.left && r.right <= pane.right && r.top >= pane.top && r.bottom <= pane.bottom),
        };
      });
      assert.notEqual(first, undefined, 'no frame showed the nodes');
      assert.equal(first, settled, 'the view moved after the nodes appeared (it was fitted late)');
      assert.ok(inside, 'the opening view does not fit every node');
    } finally {
      await page.close();
    }
  });

  it('opens a graph too large to fit readably at the reading zoom on its inputs, drawing only what is in view; Fit View draws it all', async () => {
    const model = benchModel(200, 250);
    const boxes = drawingOf(model).nodes;
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 760 } });
    const problems = watchProblems(page);
    try {
      await recordFirstTransform(page);
      await page.goto(ctx.server.pageFor({ text: text(model) }));
      await page.waitForFunction(() => document.querySelectorAll('.react-flow__minimap-node').length === 200);
      await sleep(500);
      /** The view's transform, the canvas's size and the ids of the nodes drawn. */
      const drawing = () =>
        page.evaluate(() => {
          const vp = document.querySelector<HTMLElement>('.react-flow__viewport')!;
          const [, x, y, zoom] = /translate\(([-\d.e]+)px, ([-\d.e]+)px\) scale\(([\d.e]+)\)/.exec(vp.style.transform)!.map(Number);
          const pane = document.querySelector('.react-flow__pane')!.getBoundingClientRect();
          const ids = Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node'), (n) => n.dataset.id!);
          return {
            x,
            y,
            zoom,
            width: pane.width,
            height: pane.height,
            ids,
            first: (window as unknown as { firstTransform?: string }).firstTransform,
            transform: vp.style.transform,
          };
        });
      const d = await drawing();
      assert.equal(d.first, d.transform, 'the view moved after the nodes appeared');
      assert.equal(d.zoom, READING_ZOOM);
      // The input, top left of the graph, sits a margin from the canvas's corner.
      assert.deepEqual([d.x, d.y], [OPEN_MARGIN, OPEN_MARGIN]);
      // Drawn: exactly the nodes whose box overlaps the canvas.
      const inView = boxes
        .filter((b) => b.x * d.zoom + d.x < d.width && (b.x + b.w) * d.zoom + d.x > 0 && b.y * d.zoom + d.y < d.height && (b.y + b.h) * d.zoom + d.y > 0)
        .map((b) => b.id);
      assert.ok(inView.length > 10 && inView.length < 100, `${inView.length} nodes in view`);
      assert.deepEqual([...d.ids].sort(), [...inView].sort());
      assert.ok(await page.locator(`${node('x')} .op-node-op`).isVisible());

      await page.locator('[data-testid="fit-view"]').click();
      await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 200, null, { timeout: 10_000 });
      await sleep(400);
      const fitted = await drawing();
      assert.ok(fitted.zoom < 0.4, `Fit View zoom ${fitted.zoom}`);
      assert.equal(await page.locator('.react-flow__edge').count(), 250);
      assert.deepEqual(problems.pageErrors, []);
      assert.deepEqual(problems.console, []);
    } finally {
      await page.close();
    }
  });

  it("the toolkit's controls arrive after the graph and take the VS Code theme's colours", async () => {
    await withEditor(mlp(), async ({ page }) => {
      await waitNodes(page, 8);
      // Defined by dist/webview-toolkit.js, which the page loads once the graph is drawn (webview/ui/toolkit.tsx).
      await toolkitReady(page);
      const train = page.locator('vscode-button', { hasText: 'Train' }).first();
      await train.waitFor({ state: 'visible' });
      const colours = await train.evaluate((el) => ({
        toolkit: getComputedStyle(el).getPropertyValue('--button-primary-background').trim(),
        theme: getComputedStyle(document.documentElement).getPropertyValue('--vscode-button-background').trim(),
      }));
      assert.ok(colours.theme, 'the page has no --vscode-button-background (test/browser/theme.ts)');
      assert.equal(colours.toolkit, colours.theme, "the toolkit's primary button does not use the theme's button colour");
    });
  });

  it('handle geometry: the positions given to React Flow (canvas/geometry.ts) are where the handles are drawn', async () => {
    for (const model of [mlp(), withAdd()]) {
      await withEditor(model, async ({ page }) => {
        await waitNodes(page, model.nodes.length);
        await sleep(300);
        const dom = await page.evaluate(() => {
          const vp = document.querySelector('.react-flow__viewport') as HTMLElement;
          const zoom = Number(/scale\(([\d.]+)\)/.exec(vp.style.transform)?.[1] ?? 1);
          return Array.from(document.querySelectorAll('.react-flow__node')).map((n) => {
            const r = n.getBoundingClientRect();
            const handles = Array.from(n.querySelectorAll('.react-flow__handle')).map((h) => {
              const q = h.getBoundingClientRect();
              return {
                id: h.getAttribute('data-handleid')!,
                x: (q.left - r.left) / zoom,
                y: (q.top - r.top) / zoom,
                width: q.width / zoom,
                height: q.height / zoom,
              };
            });
            return { id: n.getAttribute('data-id')!, width: r.width / zoom, height: r.height / zoom, hasError: !!n.querySelector('.op-node-error'), handles };
          });
        });
        const doc = readDocument(text(model));
        assert.equal(doc.kind, 'graph');
        if (doc.kind !== 'graph') return;
        const view = buildGraphView(doc.model, doc.analysis);
        const near = (a: number, b: number) => Math.abs(a - b) < 0.1;
        for (const n of dom) {
          const g = nodeGeometry(view.byId.get(n.id)!);
          assert.equal(n.handles.length, g.handles.length, `${n.id}: handle count`);
          for (const h of n.handles) {
            const e = g.handles.find((x) => x.id === h.id)!;
            assert.ok(
              e && near(h.x, e.x) && near(h.y, e.y) && near(h.width, e.width) && near(h.height, e.height),
              `${n.id}.${h.id}: drawn ${JSON.stringify(h)}, computed ${JSON.stringify(e)}`,
            );
          }
          assert.ok(near(n.width, g.initialWidth), `${n.id}: width ${n.width}`);
          if (!n.hasError) assert.ok(near(n.height, g.initialHeight), `${n.id}: height ${n.height} vs ${g.initialHeight}`);
        }
      });
    }
  });

  it('drags a layer from the palette onto the canvas: one addNodes edit at the drop point', async () => {
    await withEditor(empty(), async ({ page, host }) => {
      const pane = page.locator('.react-flow__pane');
      await pane.waitFor();
      await page.locator('.palette-item[data-op="Linear"]').dragTo(pane, { targetPosition: { x: 300, y: 200 } });
      const [edit] = await host.waitForEdits(1);
      // The empty model's viewport is the identity, so flow coordinates are pane coordinates.
      assert.deepEqual(edit, { kind: 'addNodes', nodes: [{ id: 'linear1', op: 'Linear', ui: { x: 300, y: 200 } }], edges: [] });
      await host.applyEdits();
      await page.locator(node('linear1')).waitFor();
      // The new node is selected and shown in the inspector; its missing outFeatures is an error on the node.
      await page.locator('.inspector [data-node-id="linear1"]').waitFor();
      assert.match((await page.locator(`${node('linear1')} .op-node-error`).textContent()) ?? '', /missing attribute "outFeatures"/);
      // A second Linear gets the next id; Enter on a palette entry adds it at the view's centre.
      await page.locator('.palette-item[data-op="Linear"]').focus();
      await page.keyboard.press('Enter');
      const edits = await host.waitForEdits(2);
      const second = edits[1] as Extract<GraphEdit, { kind: 'addNodes' }>;
      assert.equal(second.kind, 'addNodes');
      assert.equal(second.nodes[0].id, 'linear2');
    });
  });

  it('connects two nodes by dragging between handles: one connect edit', async () => {
    await withEditor(twoNodes(), async ({ page, host }) => {
      await waitNodes(page, 2);
      await page.locator(sourceHandle('x')).waitFor();
      await dragMouse(page, sourceHandle('x'), targetHandle('fc'));
      const [edit] = await host.waitForEdits(1);
      assert.deepEqual(edit, { kind: 'connect', edge: { from: 'x', to: 'fc' } });
      await host.applyEdits();
      await page.locator(edgeLabel('x->fc:0')).waitFor();
      assert.equal(await page.locator(edgeLabel('x->fc:0')).textContent(), 'N×3');
    });
  });

  it('edits an attribute in the inspector (checked as typed) and the edge shape follows the new document', async () => {
    await withEditor(mlp(), async ({ page, host }) => {
      await waitNodes(page, 8);
      assert.equal(await page.locator(edgeLabel('fc1->act1:0')).textContent(), 'N×16');
      await page.locator(`${node('fc1')} .op-node-header`).click();
      const field = page.locator('[data-testid="attr-outFeatures"] input');
      await field.waitFor();
      assert.equal(await field.inputValue(), '16');
      await field.fill('-3');
      await page.locator('.field-error', { hasText: 'outFeatures must be at least 1, found -3' }).waitFor();
      await field.press('Enter');
      await sleep(200);
      assert.deepEqual(await host.edits(), [], 'an invalid value is not sent');
      await field.fill('32');
      await field.press('Enter');
      const edits = await host.waitForEdits(1);
      assert.deepEqual(edits, [{ kind: 'setAttr', nodeId: 'fc1', attr: 'outFeatures', value: 32 }]);
      await host.applyEdits();
      await page.locator(edgeLabel('fc1->act1:0'), { hasText: 'N×32' }).waitFor();
      assert.equal(await page.locator(edgeLabel('act1->fc2:0')).textContent(), 'N×32');
      assert.equal(await page.locator('[data-testid="inspector-params"]').textContent(), '96');
      // A default shows as the placeholder; a bool is a checkbox.
      assert.equal(await page.locator('[data-testid="attr-outFeatures"]').getAttribute('placeholder'), 'required');
      await page.locator('[data-testid="attr-bias"]').click();
      const more = await host.waitForEdits(2);
      assert.deepEqual(more[1], { kind: 'setAttr', nodeId: 'fc1', attr: 'bias', value: false });
    });
  });

  it('refuses a connection that would make a cycle, or feed a taken port, with a visible reason and no edit', async () => {
    await withEditor(withAdd(), async ({ page, host }) => {
      await waitNodes(page, 4);
      // add shows its fed port 0 and one free port.
      assert.deepEqual(await page.locator(`${node('add')} .op-node-port-name`).allTextContents(), ['input0', 'input1']);
      await dragMouse(page, sourceHandle('fc'), targetHandle('add', 1));
      await page.locator('[data-testid="status-line"]', { hasText: 'cycle' }).waitFor();
      assert.match((await page.locator('[data-testid="status-line"]').textContent()) ?? '', /add → fc → add/);
      await dragMouse(page, sourceHandle('x'), targetHandle('fc'));
      await page.locator('[data-testid="status-line"]', { hasText: 'already fed by "add"' }).waitFor();
      await sleep(200);
      assert.deepEqual(await host.edits(), [], 'no edit for a refused connection');
      // The free port takes a new input: the edit names the port.
      await dragMouse(page, sourceHandle('x'), targetHandle('add', 1));
      assert.deepEqual(await host.waitForEdits(1), [{ kind: 'connect', edge: { from: 'x', to: 'add', port: 1 } }]);
    });
  });

  it('one drag gives one moveNodes edit, on drag stop', async () => {
    await withEditor(twoNodes(), async ({ page, host }) => {
      await waitNodes(page, 2);
      const header = page.locator(`${node('fc')} .op-node-header`);
      const b = (await header.boundingBox())!;
      await page.mouse.move(b.x + 20, b.y + b.height / 2);
      await page.mouse.down();
      await page.mouse.move(b.x + 120, b.y + 80, { steps: 20 });
      await sleep(100);
      assert.deepEqual(await host.edits(), [], 'nothing is sent while dragging');
      await page.mouse.up();
      const edits = await host.waitForEdits(1);
      await sleep(200);
      assert.equal((await host.edits()).length, 1);
      const move = edits[0] as Extract<GraphEdit, { kind: 'moveNodes' }>;
      assert.equal(move.kind, 'moveNodes');
      assert.deepEqual(Object.keys(move.positions), ['fc']);
      assert.ok(move.positions.fc.x > 300 && move.positions.fc.y > 60, JSON.stringify(move.positions));
      // The host refuses it (say the text changed meanwhile) and resends the document: the node goes back.
      const before = (await header.boundingBox())!;
      await host.send({ type: 'editRejected', reason: 'the document changed since; try again' });
      await host.sendText(text(host.model));
      await page.locator('[data-testid="status-line"]', { hasText: 'try again' }).waitFor();
      await page.waitForFunction(
        (x) => document.querySelector('.react-flow__node[data-id="fc"] .op-node-header')!.getBoundingClientRect().x < x - 50,
        before.x,
      );
    });
  });

  it('deletes, duplicates, copies and pastes with the keyboard; renames in the inspector', async () => {
    await withEditor(withAdd(), async ({ page, host }) => {
      await waitNodes(page, 4);
      await page.locator(`${node('fc')} .op-node-header`).click();
      await page.keyboard.press('Control+d');
      let edits = await host.waitForEdits(1);
      assert.deepEqual(edits[0], { kind: 'addNodes', nodes: [{ id: 'fc1', op: 'Linear', attrs: { outFeatures: 4 }, ui: { x: 480, y: 40 } }], edges: [] });
      await host.applyEdits();
      await page.locator(`${node('fc1')}.selected`).waitFor();

      await page.keyboard.press('Control+c');
      await page.keyboard.press('Control+v');
      edits = await host.waitForEdits(2);
      const pasted = edits[1] as Extract<GraphEdit, { kind: 'addNodes' }>;
      assert.equal(pasted.kind, 'addNodes');
      assert.equal(pasted.nodes[0].id, 'fc2');
      await host.applyEdits();
      await page.locator(node('fc2')).waitFor();

      // Multi-select (Ctrl+click) and delete.
      await page.locator(`${node('fc2')}.selected`).waitFor();
      await page.locator(`${node('fc2')} .op-node-header`).click();
      await page.locator(`${node('fc1')} .op-node-header`).click({ modifiers: ['Control'] });
      await page.locator(`${node('fc1')}.selected`).waitFor();
      await page.keyboard.press('Delete');
      edits = await host.waitForEdits(3);
      const del = edits[2] as Extract<GraphEdit, { kind: 'deleteElements' }>;
      assert.equal(del.kind, 'deleteElements');
      assert.deepEqual([...del.nodeIds].sort(), ['fc1', 'fc2']);
      await host.applyEdits();
      await waitNodes(page, 4);

      // An edge is selected by a click on its label, and deleted alone.
      await page.locator(`.edge-label[data-edge-id="add->fc:0"]`).click();
      await page.keyboard.press('Backspace');
      edits = await host.waitForEdits(4);
      assert.deepEqual(edits[3], { kind: 'deleteElements', nodeIds: [], edges: [{ from: 'add', to: 'fc' }] });
      await host.applyEdits();
      await page.locator(`.edge-label[data-edge-id="add->fc:0"]`).waitFor({ state: 'detached' });

      // Rename: invalid or taken ids are refused as typed; a good one sends renameNode.
      await page.locator(`${node('fc')} .op-node-header`).click();
      const id = page.locator('[data-testid="inspector-id"] input');
      await id.fill('1abc');
      await page.locator('.field-error', { hasText: 'does not start with a digit' }).waitFor();
      await id.fill('add');
      await page.locator('.field-error', { hasText: 'already called "add"' }).waitFor();
      await id.press('Enter');
      await id.fill('dense');
      await id.press('Enter');
      edits = await host.waitForEdits(5);
      assert.equal(edits.length, 5);
      assert.deepEqual(edits[4], { kind: 'renameNode', from: 'fc', to: 'dense' });
    });
  });

  it('selects all, clears, cuts and renames with F2 from the keyboard', async () => {
    await withEditor(withAdd(), async ({ page, host }) => {
      await waitNodes(page, 4);
      await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('Control+a');
      await page.waitForFunction(() => document.querySelectorAll('.react-flow__node.selected').length === 4);
      await page.locator('.inspector-heading', { hasText: '4 nodes selected' }).waitFor();
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => document.querySelectorAll('.react-flow__node.selected').length === 0);
      await page.locator(`${node('act')} .op-node-header`).click();
      await page.keyboard.press('Control+x');
      const [cut] = await host.waitForEdits(1);
      assert.deepEqual(cut, { kind: 'deleteElements', nodeIds: ['act'], edges: [] });
      await host.applyEdits();
      await waitNodes(page, 3);
      await page.keyboard.press('Control+v');
      const [, pasted] = await host.waitForEdits(2);
      assert.equal(pasted.kind, 'addNodes');
      assert.equal((pasted as Extract<GraphEdit, { kind: 'addNodes' }>).nodes[0].id, 'act1');
      await host.applyEdits();
      await page.locator(`${node('act1')}.selected`).waitFor();
      await page.keyboard.press('F2');
      await page.keyboard.press('Control+a');
      await page.keyboard.type('relu_out');
      await page.keyboard.press('Enter');
      const edits = await host.waitForEdits(3);
      assert.deepEqual(edits[2], { kind: 'renameNode', from: 'act1', to: 'relu_out' });
    });
  });

  it('wires a port from the keyboard: the inspector picks the source (setInput)', async () => {
    await withEditor(withAdd(), async ({ page, host }) => {
      await waitNodes(page, 4);
      await page.locator(`${node('act')} .op-node-header`).click();
      const dropdown = page.locator('[data-testid="port-source-0"]');
      await dropdown.waitFor();
      // Nodes downstream of act (none) and act itself are not offered; fc is.
      await dropdown.click();
      await page.getByRole('option', { name: 'fc (Linear)' }).click();
      assert.deepEqual(await host.waitForEdits(1), [{ kind: 'setInput', nodeId: 'act', port: 0, source: 'fc' }]);
      await host.applyEdits();
      await page.locator(edgeLabel('fc->act:0')).waitFor();
      // fc cannot take act (downstream of fc): not offered.
      await page.locator(`${node('fc')} .op-node-header`).click();
      await page.locator('[data-testid="port-source-0"]').click();
      assert.equal(await page.getByRole('option', { name: 'act (ReLU)' }).count(), 0);
      await page.keyboard.press('Escape');
    });
  });

  it('auto layout sends one moveNodes edit for every node; the problems strip reveals the node at fault', async () => {
    await withEditor(withAdd(), async ({ page, host }) => {
      await waitNodes(page, 4);
      await page.locator('[data-testid="auto-layout"]').click();
      const [edit] = await host.waitForEdits(1);
      assert.equal(edit.kind, 'moveNodes');
      assert.deepEqual(Object.keys((edit as Extract<GraphEdit, { kind: 'moveNodes' }>).positions).sort(), ['act', 'add', 'fc', 'x']);
      // act's input is not connected: listed, shown on the node, and a click selects and centres it.
      const problem = page.locator('.problem[data-node-id="act"]');
      await problem.waitFor();
      assert.match((await problem.textContent()) ?? '', /input port 0 \(input\) is not connected/);
      assert.match((await page.locator(`${node('act')} .op-node-error`).textContent()) ?? '', /not connected/);
      await problem.click();
      await page.locator(`${node('act')}.selected`).waitFor();
      await sleep(400);
      const canvas = (await page.locator('.react-flow').boundingBox())!;
      const n = (await page.locator(node('act')).boundingBox())!;
      assert.ok(Math.abs(n.x + n.width / 2 - (canvas.x + canvas.width / 2)) < 30, 'the node is centred horizontally');
      // The host can reveal a node too.
      await host.send({ type: 'revealNode', nodeId: 'x' });
      await page.locator(`${node('x')}.selected`).waitFor();
    });
  });

  for (const [what, body, expect] of [
    ['not valid JSON', '{ "format": "nn-graph", "nodes": [', /not valid JSON/],
    ['a newer format version', text({ format: 'nn-graph', version: 7, nodes: [], edges: [] }), /newer version of Backprop Studio/],
    ['unknown ops', text({ format: 'nn-graph', version: 1, nodes: [{ id: 'a', op: 'Lienar' }], edges: [] }), /did you mean "Linear"/],
  ] as const) {
    it(`shows an error page for ${what}, whose button sends openAsText (and never an edit)`, async () => {
      await withEditor(body, async ({ page, host }) => {
        await page.locator('#root[data-state="error"] .error-page').waitFor();
        assert.match((await page.locator('.error-page').textContent()) ?? '', expect);
        await page.locator('[data-testid="open-as-text"]').click();
        await page.waitForFunction(() => window.__bps.posted.some((m) => m.type === 'openAsText'));
        await page.keyboard.press('Control+v');
        await page.keyboard.press('Delete');
        await sleep(200);
        const posted = await host.posted();
        // (gpuAdapter: the page says at load whether it can train on WebGPU; not a reaction to the document.)
        assert.deepEqual(
          posted
            .map((m) => m.type)
            .filter((t) => t !== 'gpuAdapter')
            .sort(),
          ['openAsText', 'ready'],
        );
      });
    });
  }

  it('recovers from the error page when the text is fixed', async () => {
    await withEditor('{ nope', async ({ page, host }) => {
      await page.locator('.error-page').waitFor();
      await host.sendText(text(mlp()));
      await waitNodes(page, 8);
      assert.equal(await page.locator('#root').getAttribute('data-state'), 'ok');
    });
  });

  it('read-only documents show no editing affordances and send no edits', async () => {
    await withEditor(
      mlp(),
      async ({ page, host }) => {
        await waitNodes(page, 8);
        assert.equal(await page.locator('.palette').count(), 0, 'no palette');
        assert.equal(await page.locator('[data-testid="auto-layout"]').count(), 0, 'no auto layout');
        await page.locator('.readonly-badge').waitFor();
        const header = page.locator(`${node('fc1')} .op-node-header`);
        await header.click();
        // The inspector shows the node, with its fields disabled.
        await page.locator('[data-testid="attr-outFeatures"]').waitFor();
        assert.equal(await page.locator('[data-testid="attr-outFeatures"]').getAttribute('disabled'), '');
        assert.equal(await page.locator('[data-testid="inspector-id"]').getAttribute('disabled'), '');
        const b = (await header.boundingBox())!;
        await page.mouse.move(b.x + 10, b.y + 5);
        await page.mouse.down();
        await page.mouse.move(b.x + 150, b.y + 100, { steps: 10 });
        await page.mouse.up();
        await page.keyboard.press('Delete');
        await page.keyboard.press('Control+d');
        await dragMouse(page, sourceHandle('x'), targetHandle('act2'));
        await sleep(300);
        assert.deepEqual(await host.edits(), []);
      },
      { readOnly: true },
    );
  });

  it('takes a screenshot of the MLP template (test-results/editor-mlp.png; docs/ with UPDATE_SCREENSHOT=1)', async () => {
    await withEditor(
      mlp(),
      async ({ page }) => {
        await waitNodes(page, 8);
        await page.locator(`${node('fc2')} .op-node-header`).click();
        await page.locator('[data-testid="attr-outFeatures"]').waitFor();
        await sleep(500);
        mkdirSync('test-results', { recursive: true });
        await page.screenshot({ path: 'test-results/editor-mlp.png' });
        if (process.env.UPDATE_SCREENSHOT === '1') copyFileSync('test-results/editor-mlp.png', 'docs/editor-screenshot.png');
      },
      { viewport: { width: 1400, height: 720 } },
    );
  });
});
