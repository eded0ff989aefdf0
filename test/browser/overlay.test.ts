// The training overlay in headless Chromium, on a six-layer model whose layers' gradients span 1e-6 … 1e-1 (the
// picture of vanishing gradients), replayed from hand-made `gradients` messages with per-layer statistics:
// the adaptive scale tells the edges apart and the legend shows its actual range; the mode chooser switches to
// update ratios (node badges, the edges leaving each layer, health colours) and weights; the depth profile draws
// one bar per layer in forward order; the dock folds. Render counts (window.__bpsRenders) check that none of it
// re-renders a node. `UPDATE_SCREENSHOT=1` writes docs/overlay-screenshot.png.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { ModelJson } from '../../engine/graph/types';
import type { GradientUpdate, HostMessage, ParamStats } from '../../protocol/messages';
import { browserMissing, cspViolations, useBrowser, watchProblems } from './harness';
import { text } from './models';

const missing = browserMissing();
if (missing) console.log(`# SKIP browser tests: ${missing}`);

const LAYERS = ['fc1', 'fc2', 'fc3', 'fc4', 'fc5', 'fc6'];

/** x → fc1 → a1 → … → fc6 → loss ← y, in three rows of the chain. */
function deep6(): ModelJson {
  const chain = ['x', 'fc1', 'a1', 'fc2', 'a2', 'fc3', 'a3', 'fc4', 'a4', 'fc5', 'a5', 'fc6', 'loss'];
  const rows = [5, 4, 4];
  const at = (k: number) => {
    const row = k < rows[0] ? 0 : k < rows[0] + rows[1] ? 1 : 2;
    const col = k - rows.slice(0, row).reduce((a, b) => a + b, 0);
    return { x: row === 2 && col === 3 ? 665 : col * 190, y: row * 115 };
  };
  const op = (id: string) => (id === 'x' ? 'Input' : id === 'loss' ? 'MSELoss' : id.startsWith('fc') ? 'Linear' : 'Tanh');
  const nodes: ModelJson['nodes'] = chain.map((id, k) => ({
    id,
    op: op(id),
    ...(id === 'x' ? { attrs: { shape: [2] } } : id.startsWith('fc') ? { attrs: { outFeatures: id === 'fc6' ? 1 : 16 } } : {}),
    ui: at(k),
  }));
  nodes.push({ id: 'y', op: 'Target', attrs: { shape: [1] }, ui: { x: 470, y: 2 * 115 + 80 } });
  const edges: ModelJson['edges'] = chain.slice(1).map((to, k) => (to === 'loss' ? { from: chain[k], to, port: 0 } : { from: chain[k], to }));
  edges.push({ from: 'y', to: 'loss', port: 1 });
  return {
    format: 'nn-graph',
    version: 1,
    name: 'Six layers',
    nodes,
    edges,
    training: { optimizer: { type: 'SGD', lr: 0.1 }, dataset: { source: 'regress-plane' } },
  } as ModelJson;
}

const model = deep6();
const edgeId = (e: { from: string; to: string; port?: number }) => `${e.from}->${e.to}:${e.port ?? 0}`;
/** Layer i's output gradient: 1e-6 at fc1 … 1e-1 at fc6, a decade a layer. */
const layerGrad = (i: number) => 10 ** (-6 + i);
const UPDATE_RATIOS = [3e-6, 2e-4, 1e-3, 1.2e-3, 4e-3, 0.2]; // fc1 stalled … fc6 unstable
const WEIGHT_RMS = [0.9, 0.5, 0.3, 0.2, 0.12, 0.05];

/** One update with a little jitter (×10^±0.05) around the picture above. */
function gradientsAt(step: number): GradientUpdate {
  const wobble = (k: number) => 10 ** (0.05 * Math.sin(step * 1.7 + k));
  const edges = model.edges.map((e, k) => {
    const from = e.from;
    if (from === 'x' || from === 'y') return 0;
    if (from === 'fc6') return 0.3 * wobble(k);
    const fc = LAYERS.indexOf(from);
    if (fc >= 0) return layerGrad(fc) * wobble(k);
    return 0.5 * layerGrad(Number(from.slice(1)) - 1) * wobble(k); // a_i → fc_{i+1}
  });
  const params: Record<string, ParamStats> = {};
  const paramNorms: Record<string, number> = {};
  LAYERS.forEach((id, i) => {
    params[id] = { gradRms: 0.8 * layerGrad(i) * wobble(i), weightRms: WEIGHT_RMS[i], updateRatio: UPDATE_RATIOS[i] };
    paramNorms[id] = params[id].gradRms * 10;
  });
  return { step, edges, flags: edges.map(() => null), paramNorms, params };
}
const updates = (from: number, to: number): HostMessage[] =>
  Array.from({ length: to - from + 1 }, (_, k) => ({ type: 'gradients', update: gradientsAt(from + k) }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An RGB triple from a computed colour (`rgb(…)` or, for color-mix, `color(srgb r g b)`). */
function rgb(css: string): [number, number, number] {
  const m = /^rgba?\(([^)]+)\)/.exec(css);
  if (m)
    return m[1]
      .split(',')
      .slice(0, 3)
      .map((v) => Number(v.trim())) as [number, number, number];
  const c = /^color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)/.exec(css);
  if (c) return [Number(c[1]) * 255, Number(c[2]) * 255, Number(c[3]) * 255];
  throw new Error(`cannot read colour ${css}`);
}
const distance = (a: string, b: string) => Math.hypot(...rgb(a).map((v, i) => v - rgb(b)[i]));

describe('the training overlay (headless Chromium)', { skip: missing ?? false }, () => {
  const ctx = useBrowser();

  async function withEditor(fn: (page: Page) => Promise<void>, viewport = { width: 1280, height: 800 }) {
    const page = await ctx.browser.newPage({ viewport });
    const problems = watchProblems(page);
    try {
      await page.goto(ctx.server.pageFor({ text: text(model) }));
      await page.locator('#root[data-state="ok"]').waitFor({ timeout: 15_000 });
      await page.waitForFunction((n) => document.querySelectorAll('.react-flow__edge').length === n, model.edges.length);
      await fn(page);
      assert.deepEqual(problems.pageErrors, [], 'no uncaught errors in the page');
      assert.deepEqual(problems.console, [], 'no console errors or warnings');
      assert.deepEqual(await cspViolations(page), [], 'no CSP violations');
    } finally {
      await page.close();
    }
  }

  const replay = (page: Page, messages: readonly HostMessage[]) => page.evaluate((ms) => ms.forEach((m) => window.__bps.host(m)), messages);
  const renders = (page: Page) => page.evaluate(() => ({ ...((window as { __bpsRenders?: Record<string, number> }).__bpsRenders ?? {}) }));
  const prefsPosted = (page: Page) => page.evaluate(() => window.__bps.posted.flatMap((m) => (m.type === 'setUiPrefs' ? [m.prefs] : [])));
  const atStep = (page: Page, step: number) =>
    page.waitForFunction((s) => document.querySelector('[data-testid="grad-legend"]')?.getAttribute('data-step') === String(s), step);
  const edges = (page: Page) =>
    page.evaluate(() =>
      Object.fromEntries(
        Array.from(document.querySelectorAll('.react-flow__edge')).map((g) => {
          const path = g.querySelector('.react-flow__edge-path') as SVGPathElement;
          const cs = getComputedStyle(path);
          return [
            g.getAttribute('data-id')!,
            { look: path.getAttribute('data-look'), cls: path.getAttribute('class') ?? '', stroke: cs.stroke, width: parseFloat(cs.strokeWidth) },
          ];
        }),
      ),
    );
  /** The computed colour of a theme variable of the editor (`--grad-1`…). */
  const themeColour = (page: Page, name: string) =>
    page.evaluate((n) => {
      const probe = document.createElement('div');
      probe.style.color = `var(${n})`;
      document.querySelector('.editor')!.appendChild(probe);
      const c = getComputedStyle(probe).color;
      probe.remove();
      return c;
    }, name);

  it('gradient mode: the layers’ edges take clearly different colours, and the legend shows the run’s range', async () => {
    await withEditor(async (page) => {
      await replay(page, updates(1, 10));
      await atStep(page, 10);
      await sleep(100);
      const shown = await edges(page);
      const layerEdges = LAYERS.slice(0, 5).map((fc, i) => edgeId({ from: fc, to: `a${i + 1}` }));
      const steps = layerEdges.map((id) => Number(shown[id].look!.slice(1)));
      for (let i = 1; i < steps.length; i++) assert.ok(steps[i] > steps[i - 1], `steps grow with depth: ${steps}`);
      // fc1 → a1 (1e-6) and fc5 → a5 (1e-2) are 4 decades apart on a 6-decade range of 24 steps: 16 steps.
      assert.ok(steps[4] - steps[0] >= 15, `the extremes are ${steps[4] - steps[0]} steps apart`);
      const [first, last] = [shown[layerEdges[0]], shown[layerEdges[4]]];
      assert.ok(distance(first.stroke, last.stroke) > 150, `${first.stroke} vs ${last.stroke}`);
      assert.ok(last.width - first.width >= 3, `widths ${first.width} → ${last.width}`);
      const distinct = new Set(
        Object.values(shown)
          .filter((e) => e.cls.includes(' grad') && !e.cls.includes('grad-none'))
          .map((e) => e.stroke),
      );
      assert.ok(distinct.size >= 6, `${distinct.size} distinct colours over the 11 edges with a gradient`);

      // The legend's range is the run's: its positive edge gradients go from 5e-7 to 0.3, and the bounds are
      // their 2nd and 98th percentiles rounded out to half decades: 10^-6.5 … 10^-0.5, not 1e-8 … 1e2.
      const body = page.locator('[data-testid="grad-legend"] .grad-legend-body');
      assert.equal(await body.getAttribute('data-mode'), 'gradient');
      const [lo, hi] = [Number(await body.getAttribute('data-lo')), Number(await body.getAttribute('data-hi'))];
      assert.ok(lo >= 1e-7 && lo <= 1e-6, `lo ${lo}`);
      assert.ok(hi >= 0.1 && hi <= 1, `hi ${hi}`);
      const loText = await page.locator('[data-testid="grad-legend-lo"]').textContent();
      const hiText = await page.locator('[data-testid="grad-legend-hi"]').textContent();
      assert.ok(Math.abs(Math.log10(Number(loText)) - Math.log10(lo)) < 0.05, `lo tick ${loText} for ${lo}`);
      assert.ok(Math.abs(Math.log10(Number(hiText)) - Math.log10(hi)) < 0.05, `hi tick ${hiText} for ${hi}`);
    });
  });

  it('update mode: each layer’s ratio on its node and on the edges leaving it, in health colours; the node bodies never re-render', async () => {
    await withEditor(async (page) => {
      await replay(page, updates(1, 5));
      await atStep(page, 5);
      await sleep(150);
      const before = await renders(page);
      assert.equal(await page.locator('[data-testid="node-badge"]').count(), 0, 'no badges in gradient mode');

      await page.locator('[data-testid="overlay-mode"] [data-mode="update"]').click();
      await page.locator('[data-testid="node-badge"]').first().waitFor();
      assert.deepEqual(await prefsPosted(page), [{ overlayMode: 'update' }], 'the choice is stored as a workspace preference');
      assert.equal(await page.locator('[data-testid="overlay-mode"] [data-mode="update"]').getAttribute('aria-checked'), 'true');
      assert.equal(await page.locator('[data-testid="grad-legend"]').getAttribute('data-mode'), 'update');
      // One badge per parameterised node, with its ratio.
      assert.equal(await page.locator('[data-testid="node-badge"]').count(), LAYERS.length);
      const badge = (id: string) => page.locator(`.react-flow__node[data-id="${id}"] [data-testid="node-badge"]`);
      assert.equal(await badge('fc3').textContent(), 'Δ 1e-3');
      assert.equal(await badge('fc4').textContent(), 'Δ 1.2e-3');
      assert.equal(await badge('fc1').getAttribute('data-health'), 'stalled');
      assert.equal(await badge('fc3').getAttribute('data-health'), 'healthy');
      assert.equal(await badge('fc6').getAttribute('data-health'), 'unstable');
      assert.match((await badge('fc6').getAttribute('title')) ?? '', /Update ratio.*fc6.*0\.2.*unstable/);
      assert.equal(await page.locator('.react-flow__node[data-id="a1"] [data-testid="node-badge"]').count(), 0);

      // Edges: those leaving a layer carry its verdict's colour (green healthy, blue stalled, red unstable);
      // the others are neutral.
      const shown = await edges(page);
      const [blue, green, red] = [await themeColour(page, '--grad-0'), await themeColour(page, '--grad-1'), await themeColour(page, '--grad-4')];
      assert.equal(shown['fc3->a3:0'].stroke, green, 'fc3 (1e-3) healthy');
      assert.equal(shown['fc1->a1:0'].stroke, blue, 'fc1 (3e-6) stalled');
      assert.equal(shown['fc6->loss:0'].stroke, red, 'fc6 (0.2) unstable');
      assert.match(shown['a1->fc2:0'].cls, /grad-neutral/);
      assert.match(shown['x->fc1:0'].cls, /grad-neutral/);
      assert.match((await page.locator('[data-testid="grad-legend"]').textContent()) ?? '', /stalled.*healthy.*unstable/);

      // More updates: badges keep their values (only changed values re-render a badge), no node re-renders.
      await replay(page, updates(6, 12));
      await atStep(page, 12);
      await sleep(100);
      const after = await renders(page);
      assert.equal(after.OpNode, before.OpNode, 'no node re-rendered (mode switch and updates)');
      assert.equal(after.ShapeEdge, before.ShapeEdge, 'no edge component re-rendered');
      assert.ok((after.NodeBadge ?? 0) >= LAYERS.length, 'the badges rendered');
      assert.ok((after.NodeBadge ?? 0) <= LAYERS.length * 2, `badges re-render only when their value changes (${after.NodeBadge})`);

      // Weight mode, as another editor of the workspace chose it (the host's uiPrefs message).
      await replay(page, [{ type: 'uiPrefs', prefs: { overlayMode: 'weight' } }]);
      await page.waitForFunction(() => document.querySelector('[data-testid="node-badge"]')?.getAttribute('data-mode') === 'weight');
      assert.equal(await badge('fc2').textContent(), 'w 0.5');
      const weights = await edges(page);
      const wSteps = LAYERS.slice(0, 5).map((fc, i) => Number(weights[`${fc}->a${i + 1}:0`].look!.slice(1)));
      for (let i = 1; i < wSteps.length; i++) assert.ok(wSteps[i] < wSteps[i - 1], `weight steps fall with the weights: ${wSteps}`);
      assert.equal((await renders(page)).OpNode, before.OpNode);
    });
  });

  it('the depth profile: one bar per layer in forward order, heights ordered as the gradients; it folds', async () => {
    await withEditor(async (page) => {
      await replay(page, updates(1, 3));
      await atStep(page, 3);
      const profile = page.locator('[data-testid="depth-profile"]');
      await profile.waitFor();
      assert.equal(await profile.getAttribute('data-step'), '3');
      const bars = await profile.locator('[data-testid="depth-bar"]').evaluateAll((gs) =>
        gs.map((g) => ({
          id: g.getAttribute('data-node'),
          value: Number(g.getAttribute('data-value')),
          height: Number(g.getAttribute('data-height')),
          title: g.querySelector('title')?.textContent ?? '',
        })),
      );
      assert.deepEqual(
        bars.map((b) => b.id),
        LAYERS,
        'forward order',
      );
      const last = gradientsAt(3);
      bars.forEach((b) => assert.equal(b.value, last.params![b.id!].gradRms));
      for (let i = 1; i < bars.length; i++) assert.ok(bars[i].height > bars[i - 1].height, `heights grow with the gradients: ${bars.map((b) => b.height)}`);
      assert.ok(bars[0].height >= 1 && bars[5].height <= 64);
      assert.match(bars[2].title, /^fc3: gradient RMS [\d.e-]+ · ‖∇θ‖ [\d.e-]+$/);
      // Folding is a workspace preference, and a folded profile stops following updates.
      await page.locator('[data-testid="depth-profile-toggle"]').click();
      await profile.waitFor({ state: 'detached' });
      assert.deepEqual(await prefsPosted(page), [{ depthProfileOpen: false }]);
      const before = (await renders(page)).DepthProfile;
      await replay(page, updates(4, 6));
      await atStep(page, 6);
      assert.equal((await renders(page)).DepthProfile, before, 'folded: no re-render on updates');
      await page.locator('[data-testid="depth-profile-toggle"]').click();
      await profile.waitFor();
      assert.equal(await profile.getAttribute('data-step'), '6');
    });
  });

  it('the dock folds to one line with the mode, the step and the flag counts', async () => {
    await withEditor(async (page) => {
      const u = gradientsAt(1);
      u.flags = u.edges.map((v, k) => (k === 1 ? 'vanishing' : v > 0.2 ? 'exploding' : null));
      await replay(page, [{ type: 'gradients', update: u }]);
      await atStep(page, 1);
      const legend = page.locator('[data-testid="grad-legend"]');
      assert.equal(await legend.getAttribute('data-open'), 'true');
      await page.locator('[data-testid="grad-legend-toggle"]').click();
      await page.locator('[data-testid="grad-legend"][data-open="false"]').waitFor();
      assert.deepEqual(await prefsPosted(page), [{ legendOpen: false }]);
      assert.equal(await legend.locator('.grad-legend-body').count(), 0);
      assert.equal(await page.locator('[data-testid="depth-profile"]').count(), 0);
      assert.match((await legend.textContent()) ?? '', /^Gradient RMS per edgestep 1.*1.*1$/);
      assert.equal(await page.locator('[data-testid="grad-legend-vanishing"]').textContent(), '1');
      assert.equal(await page.locator('[data-testid="grad-legend-exploding"]').textContent(), '1');
      const height = (await legend.boundingBox())!.height;
      assert.ok(height < 32, `one line: ${height}px`);
      await replay(page, [{ type: 'gradients', update: { ...gradientsAt(2), flags: u.flags } }]);
      await atStep(page, 2);
    });
  });

  it('takes a screenshot of the overlay (test-results/overlay.png; docs/overlay-screenshot.png with UPDATE_SCREENSHOT=1)', async () => {
    await withEditor(
      async (page) => {
        await replay(page, updates(1, 40));
        await atStep(page, 40);
        // The dock sits beside the graph (never over it): fit the graph to the canvas, nothing else to arrange.
        await page.locator('[data-testid="fit-view"]').click();
        await sleep(400);
        // The tooltip of an edge near the input, where the gradient has all but vanished.
        const at = await page.locator('.react-flow__edge[data-id="fc2->a2:0"] .react-flow__edge-interaction').evaluate((p: SVGPathElement) => {
          const pt = p.getPointAtLength(p.getTotalLength() / 2);
          const m = p.getScreenCTM()!;
          return { x: m.a * pt.x + m.c * pt.y + m.e, y: m.b * pt.x + m.d * pt.y + m.f };
        });
        await page.mouse.move(at.x, at.y, { steps: 3 });
        await page.locator('[data-testid="grad-tooltip"]').waitFor();
        await sleep(200);
        mkdirSync('test-results', { recursive: true });
        await page.screenshot({ path: 'test-results/overlay.png' });
        await page.locator('[data-testid="overlay-mode"] [data-mode="update"]').click();
        await page.locator('[data-testid="node-badge"]').first().waitFor({ state: 'attached' });
        await sleep(200);
        await page.screenshot({ path: 'test-results/overlay-update.png' });
        if (process.env.UPDATE_SCREENSHOT === '1') copyFileSync('test-results/overlay.png', 'docs/overlay-screenshot.png');
      },
      { width: 1280, height: 720 },
    );
  });
});
