// The step walk-through in headless Chromium, replaying traces the real engine recorded in this process (a real
// Walk through step of the training run: fixtures/record-walkthrough.ts): its frames go forward in the compiled order
// and backward in the reverse, each edge shows the gradient the engine recorded for it, → ← End Home Escape and the
// buttons move through it, a micrograd-sized model shows its values and each node's chain-rule step, and a frame
// re-renders only the nodes whose mark changes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { GraphModel, getOp } from '../../engine';
import type { ModelJson } from '../../engine/graph/types';
import type { HostMessage } from '../../protocol/messages';
import { formatStat } from '../../webview/training/statFormat';
import { walkedRun } from './fixtures/record-walkthrough';
import { browserMissing, cspViolations, useBrowser, watchProblems } from './harness';
import { mlp, text } from './models';

const missing = browserMissing();
if (missing) console.log(`# SKIP browser tests: ${missing}`);

/** The neuron of micrograd's lecture, o = tanh(x·w + b), learning a 2-D regression set one point at a time. */
const neuron = (): ModelJson =>
  ({
    format: 'nn-graph',
    version: 1,
    name: 'neuron',
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] }, ui: { x: 0, y: 0 } },
      { id: 'n', op: 'Linear', attrs: { outFeatures: 1 }, ui: { x: 220, y: 0 } },
      { id: 'o', op: 'Tanh', ui: { x: 440, y: 0 } },
      { id: 't', op: 'Target', attrs: { shape: [1] }, ui: { x: 440, y: 180 } },
      { id: 'loss', op: 'MSELoss', ui: { x: 660, y: 60 } },
    ],
    edges: [
      { from: 'x', to: 'n' },
      { from: 'n', to: 'o' },
      { from: 'o', to: 'loss' },
      { from: 't', to: 'loss', port: 1 },
    ],
    training: { seed: 0, optimizer: { type: 'SGD', lr: 0.1 }, batchSize: 1, epochs: 1, validationSplit: 0, dataset: { source: 'regress-plane', size: 20 } },
  }) as unknown as ModelJson;

const bar = '[data-testid="walk-bar"]';
const card = '[data-testid="walk-card"]';

describe('the step walk-through (headless Chromium)', { skip: missing ?? false }, () => {
  const ctx = useBrowser();

  async function withWalk(model: ModelJson, messages: readonly HostMessage[], fn: (page: Page) => Promise<void>) {
    const page = await ctx.browser.newPage({ viewport: { width: 1400, height: 900 } });
    const problems = watchProblems(page);
    try {
      await page.goto(ctx.server.pageFor({ text: text(model) }));
      await page.locator('#root[data-state="ok"]').waitFor({ timeout: 15_000 });
      await page.waitForFunction((n) => document.querySelectorAll('.react-flow__node').length === n, model.nodes.length);
      await page.evaluate((ms) => ms.forEach((m) => window.__bps.host(m)), messages);
      await page.locator(bar).waitFor();
      await fn(page);
      assert.deepEqual(problems.pageErrors, [], 'no uncaught errors in the page');
      assert.deepEqual(problems.console, [], 'no console errors or warnings');
      assert.deepEqual(await cspViolations(page), [], 'no CSP violations');
    } finally {
      await page.close();
    }
  }

  /** Where the bar says the walk-through is: phase and node, and its counter. */
  const at = async (page: Page) => {
    const b = page.locator(bar);
    return {
      phase: await b.getAttribute('data-phase'),
      node: await b.getAttribute('data-node-id'),
      counter: await page.locator('[data-testid="walk-counter"]').textContent(),
    };
  };
  const walkMarks = (page: Page) =>
    page.evaluate(() =>
      Object.fromEntries(Array.from(document.querySelectorAll('.op-node'), (n) => [n.getAttribute('data-node-id'), n.getAttribute('data-walk')])),
    );
  const edgeGrads = (page: Page) =>
    page.evaluate(() =>
      Object.fromEntries(
        Array.from(document.querySelectorAll('[data-testid="walk-edge-grad"]'), (e) => [
          e.getAttribute('data-edge-index'),
          { value: Number(e.getAttribute('data-value')), mark: e.getAttribute('data-mark') },
        ]),
      ),
    );
  const rms = (s: { mean: number; std: number }) => Math.sqrt(s.mean * s.mean + s.std * s.std);

  it('the MLP template: forward in the compiled order, backward in reverse, then the update; → steps, with the counter and the marks', async () => {
    const model = mlp();
    const { messages, trace } = await walkedRun(model, ['step', 'walk']);
    const order = GraphModel.create(JSON.stringify(model)).order.filter((id) => !['x', 'y'].includes(id));
    const params = order.filter((id) => id.startsWith('fc'));
    await withWalk(model, messages, async (page) => {
      const seen: { phase: string | null; node: string | null; counter: string | null }[] = [await at(page)];
      assert.equal(seen[0].counter, `forward 1/${order.length} · ${order[0]}`);
      assert.match((await page.locator(bar).textContent()) ?? '', new RegExp(`Step ${trace.step}`));
      const total = 2 * order.length + params.length;
      for (let i = 1; i < total; i++) {
        await page.keyboard.press('ArrowRight');
        await page.waitForFunction((n) => document.querySelector('[data-testid="walk-bar"]')?.getAttribute('data-at') === String(n), i);
        seen.push(await at(page));
      }
      const by = (phase: string) => seen.filter((s) => s.phase === phase).map((s) => s.node);
      assert.deepEqual(by('forward'), order, 'forward: the compiled order');
      assert.deepEqual(by('backward'), [...order].reverse(), 'backward: its reverse');
      assert.deepEqual(by('update'), params, 'then each parameterised node');
      assert.equal(seen.at(-1)!.counter, `update ${params.length}/${params.length} · ${params.at(-1)}`);
      // Another → at the end stays there.
      await page.keyboard.press('ArrowRight');
      assert.equal((await at(page)).node, params.at(-1));
      const marks = await walkMarks(page);
      assert.equal(marks[params.at(-1)!], 'active');
      for (const id of params.slice(0, -1)) assert.equal(marks[id], 'updated', `${id} updated`);
      assert.equal(marks.act1, 'differentiated');
      assert.equal(marks.x, 'computed', 'a fed node holds its batch');
    });
  });

  it('in the backward pass each edge shows the gradient the engine recorded for it, once its consumer has sent it', async () => {
    const model = mlp();
    const { messages, trace } = await walkedRun(model, ['walk']);
    const edges = model.edges as { from: string; to: string }[];
    const index = (from: string, to: string) => edges.findIndex((e) => e.from === from && e.to === to);
    await withWalk(model, messages, async (page) => {
      assert.deepEqual(await edgeGrads(page), {}, 'no gradient in the forward pass');
      // The forward frame of fc2: the value flowing in along act1 → fc2 is highlighted.
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      assert.equal((await at(page)).node, 'fc2');
      assert.equal(await page.locator(`.walk-edge[data-walk="flow"]`).count(), 1);
      // The backward frame of fc2 (loss, fc3, act2, fc2): it receives along fc2 → act2 and sends along act1 → fc2.
      await page.keyboard.press('End');
      await page.keyboard.press('Home');
      for (let i = 0; i < trace.forward.length + 3; i++) await page.keyboard.press('ArrowRight');
      assert.deepEqual(await at(page), { phase: 'backward', node: 'fc2', counter: `backward 4/${trace.backward.length} · fc2` });
      const shown = await edgeGrads(page);
      const want = (from: string, to: string) => rms(trace.edges[index(from, to)].grad!);
      assert.equal(shown[index('fc2', 'act2')].mark, 'grad-in');
      assert.equal(shown[index('act1', 'fc2')].mark, 'grad-out');
      assert.equal(shown[index('fc3', 'loss')].mark, 'grad', 'carried earlier');
      for (const [from, to] of [
        ['fc2', 'act2'],
        ['act1', 'fc2'],
        ['act2', 'fc3'],
        ['fc3', 'loss'],
      ]) {
        const s = shown[index(from, to)];
        assert.ok(
          s && Math.abs(s.value - want(from, to)) <= 1e-9 * Math.max(1, want(from, to)),
          `${from} → ${to}: shown ${s?.value}, the engine's ${want(from, to)}`,
        );
      }
      assert.equal(shown[index('act1', 'fc1')] ?? shown[index('fc1', 'act1')], undefined, 'not yet: fc1 → act1 is sent by act1, later');
      // The card: the gradient that came in, the Linear's local derivative, what it sends, its parameters' gradients.
      const c = page.locator(card);
      assert.equal(await c.getAttribute('data-phase'), 'backward');
      const step = trace.backward.find((b) => b.node === 'fc2')!;
      assert.equal(await c.locator('[data-testid="walk-derivative"] .node-card-formula').textContent(), getOp('Linear')!.backwardNote);
      assert.equal(Number(await c.locator('[data-testid="walk-grad-in"] [data-stat="mean"]').textContent()), Number(formatStat(step.gradOut.mean)));
      assert.equal(await c.locator('[data-testid="walk-param-grads"] [data-param]').count(), 2, 'weight and bias');
      assert.match((await c.locator('[data-testid="walk-grads-out"]').textContent()) ?? '', /∂ℓ\/∂act1 16×16/);
      // At the end every edge the gradient crossed shows it; the fed edges none.
      await page.keyboard.press('End');
      const all = await edgeGrads(page);
      const carried = trace.edges
        .filter((e) => e.grad)
        .map((e) => String(e.index))
        .sort();
      assert.deepEqual(Object.keys(all).sort(), carried);
      assert.ok(!(String(index('x', 'fc1')) in all) && !(String(edges.findIndex((e) => e.from === 'y')) in all), 'nothing went back to the fed nodes');
    });
  });

  it('a single neuron shows its values and each chain-rule step; primitives on request; Previous, Escape and a trace seen before', async () => {
    const model = neuron();
    const { messages, trace } = await walkedRun(model, ['walk']);
    await withWalk(model, messages, async (page) => {
      const c = page.locator(card);
      // Forward: n = x·wᵀ + b, one value.
      assert.equal(await c.getAttribute('data-node-id'), 'n');
      const n = trace.forward[0].output!.values![0];
      assert.equal(await c.locator('[data-testid="walk-output"] [data-stat="value"]').textContent(), formatStat(n));
      await page.locator('[data-testid="walk-next"]').click();
      assert.equal(await c.locator('[data-testid="walk-output"] [data-stat="value"]').textContent(), formatStat(Math.tanh(n)), 'o = tanh(n)');
      await page.locator('[data-testid="walk-previous"]').click();
      assert.equal(await c.getAttribute('data-node-id'), 'n', 'Previous goes back');
      // Backward of o: came in ∂ℓ/∂o; tanh′ = 1 − o²; sends ∂ℓ/∂n = ∂ℓ/∂o · (1 − o²).
      for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
      assert.deepEqual(await at(page), { phase: 'backward', node: 'o', counter: 'backward 2/3 · o' });
      const o = trace.backward.find((b) => b.node === 'o')!;
      assert.match((await c.locator('[data-testid="walk-derivative"]').textContent()) ?? '', /1 − y²/);
      const dO = o.gradOut.values![0],
        y = Math.tanh(n);
      assert.equal(await c.locator('[data-testid="walk-grad-in"] [data-stat="value"]').textContent(), formatStat(dO));
      const sent = Number(await c.locator('[data-testid="walk-grads-out"] [data-testid="compact-values"]').textContent());
      assert.ok(Math.abs(sent - dO * (1 - y * y)) <= 5e-4 * Math.abs(dO), `∂ℓ/∂n shown ${sent}, by hand ${dO * (1 - y * y)}`);
      // The loss's primitives, on request: MSELoss is a subtraction, a square and a mean on the tape.
      await page.keyboard.press('ArrowLeft');
      const prims = c.locator('[data-testid="walk-primitives"]');
      assert.equal(await prims.locator('[data-testid="walk-primitive"]').first().isVisible(), false, 'folded');
      await prims.locator('summary').click();
      assert.deepEqual(await prims.locator('[data-testid="walk-primitive"]').evaluateAll((es) => es.map((e) => e.getAttribute('data-op'))), [
        'Mean',
        'Square',
        'Sub',
      ]);
      // The update: SGD, each value before → after.
      await page.keyboard.press('End');
      assert.equal(await c.getAttribute('data-phase'), 'update');
      const w = trace.update[0].params[0];
      assert.equal(await c.locator('[data-testid="walk-before"]').first().textContent(), w.before.values!.map(formatStat).join(', '));
      assert.equal(await c.locator('[data-testid="walk-after"]').first().textContent(), w.after.values!.map(formatStat).join(', '));
      // Escape leaves; the same trace again (a page reloading) stays closed; a new step's opens at its start.
      await page.keyboard.press('Escape');
      await page.locator(bar).waitFor({ state: 'detached' });
      assert.deepEqual(
        Object.values(await walkMarks(page)).filter((m) => m !== null),
        [],
      );
      await page.evaluate((m) => window.__bps.host(m), { type: 'walkthrough', trace } as HostMessage);
      await page.waitForTimeout(200);
      assert.equal(await page.locator(bar).count(), 0);
      await page.evaluate((m) => window.__bps.host(m), { type: 'walkthrough', trace: { ...trace, step: trace.step + 1 } } as HostMessage);
      await page.locator(bar).waitFor();
      assert.equal((await at(page)).counter, 'forward 1/3 · n');
    });
  });

  it('Run to end plays every frame; a frame re-renders only the nodes whose mark changes, and no edge', async () => {
    const model = neuron();
    const { messages, trace } = await walkedRun(model, ['walk']);
    await withWalk(model, messages, async (page) => {
      const renders = () => page.evaluate(() => ({ ...((window as { __bpsRenders?: Record<string, number> }).__bpsRenders ?? {}) }));
      await page.waitForTimeout(300);
      const before = await renders();
      await page.keyboard.press('ArrowRight');
      await page.waitForTimeout(200);
      const after = await renders();
      assert.equal((after.OpNode ?? 0) - (before.OpNode ?? 0), 2, 'n: active → computed, o: → active');
      assert.equal(after.ShapeEdge, before.ShapeEdge, 'no edge re-renders (their marks are their own)');
      assert.equal(after.Canvas, before.Canvas, 'nor the canvas');
      const frames = trace.forward.length + trace.backward.length + trace.update.length;
      await page.locator('[data-testid="walk-run"]').click();
      await page.waitForFunction((n) => document.querySelector('[data-testid="walk-bar"]')?.getAttribute('data-at') === String(n), frames - 1, {
        timeout: 10_000,
      });
      assert.equal((await at(page)).phase, 'update');
      assert.equal(await page.locator('[data-testid="walk-run"]').isDisabled(), true, 'at the end');
    });
  });
});
