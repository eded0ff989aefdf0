// The training side of the graph editor's webview in headless Chromium: a recorded run (fixtures/training-run.json,
// made by fixtures/record-training.ts from the real training loop on the MLP template's circle set) and
// hand-made messages are replayed into the page as the host would send them. Checks the gradient overlay (edge
// colour and width by magnitude, data-grad values, flags, the legend's counts, the hover sparkline), the charts
// and the decision boundary, the NaN mark, the panel's buttons and settings edits, read-only documents, and
// that an overlay update re-renders no node (the development bundle's render counters, window.__bpsRenders).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { ModelJson } from '../../engine/graph/types';
import type { GradientUpdate, GraphEdit, HostMessage, TrainingStateMessage } from '../../protocol/messages';
import { applyEdit } from './applyEdit';
import { browserMissing, useBrowser, cspViolations, TestHost, toolkitReady, watchProblems, type PageProblems } from './harness';
import { empty, mlp, text } from './models';

const missing = browserMissing();
if (missing) console.log(`# SKIP browser tests: ${missing}`);

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'training-run.json'), 'utf8')) as { model: ModelJson; messages: HostMessage[] };
const gradients = fixture.messages.flatMap((m) => (m.type === 'gradients' ? [m.update] : []));
const lastGradients = gradients.at(-1)!;
const progressSteps = new Set(fixture.messages.flatMap((m) => (m.type === 'trainingState' && m.progress ? [m.progress.step] : [])));
const boundaries = fixture.messages.filter((m) => m.type === 'boundary');
const lastMetrics = fixture.messages.filter((m) => m.type === 'trainingMetrics').at(-1);

const node = (id: string) => `.react-flow__node[data-id="${id}"]`;
const edgeIdOf = (e: { from: string; to: string; port?: number }) => `${e.from}->${e.to}:${e.port ?? 0}`;
const edgeEl = (id: string) => `.react-flow__edge[data-id="${id}"]`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The test host's stand-in for setTraining (applyEdit.ts does the rest). */
function applyAny(model: ModelJson, edit: GraphEdit): ModelJson {
  if (edit.kind !== 'setTraining') return applyEdit(model, edit);
  const m = structuredClone(model);
  let obj = (m.training ??= {}) as Record<string, unknown>;
  for (const k of edit.path.slice(0, -1)) obj = (obj[k] ??= {}) as Record<string, unknown>;
  const leaf = edit.path.at(-1)!;
  if (edit.value === null) delete obj[leaf];
  else obj[leaf] = edit.value;
  return m;
}

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

describe('training in the graph editor webview (headless Chromium)', { skip: missing ?? false }, () => {
  const ctx = useBrowser();

  interface Session {
    page: Page;
    host: TestHost;
    problems: PageProblems;
  }

  async function withEditor(
    model: ModelJson,
    fn: (s: Session) => Promise<void>,
    opts: { readOnly?: boolean; viewport?: { width: number; height: number } } = {},
  ) {
    const page = await ctx.browser.newPage({ viewport: opts.viewport ?? { width: 1280, height: 800 } });
    const problems = watchProblems(page);
    try {
      await page.goto(ctx.server.pageFor({ text: text(model), readOnly: opts.readOnly }));
      await page.locator('#root[data-state="ok"]').waitFor({ timeout: 15_000 });
      await page.waitForFunction((n) => document.querySelectorAll('.react-flow__node').length === n, model.nodes.length);
      await page.waitForFunction((n) => document.querySelectorAll('.react-flow__edge').length === n, model.edges.length);
      await toolkitReady(page); // the panel's buttons and fields are toolkit controls
      await fn({ page, host: new TestHost(page, model), problems });
      assert.deepEqual(problems.pageErrors, [], 'no uncaught errors in the page');
      assert.deepEqual(problems.console, [], 'no console errors or warnings');
      assert.deepEqual(await cspViolations(page), [], 'no CSP violations');
    } finally {
      await page.close();
    }
  }

  /** Sends the messages in order, as the host would (each one a window message, delivered in order). */
  const replay = (page: Page, messages: readonly HostMessage[]) => page.evaluate((ms) => ms.forEach((m) => window.__bps.host(m)), messages);
  const renders = (page: Page) => page.evaluate(() => ({ ...((window as { __bpsRenders?: Record<string, number> }).__bpsRenders ?? {}) }));
  const controls = (page: Page) => page.evaluate(() => window.__bps.posted.flatMap((m) => (m.type === 'trainingControl' ? [m.action] : [])));
  const button = (page: Page, name: string) => page.locator('[data-testid="training-panel"]').getByRole('button', { name, exact: true });
  const disabled = async (page: Page, name: string) => (await button(page, name).getAttribute('disabled')) !== null;
  /** Waits until the buttons' disabled states are as given (the toolkit reflects `disabled` a little later). */
  async function expectDisabled(page: Page, want: Record<string, boolean>) {
    const end = Date.now() + 5000;
    for (;;) {
      const got: Record<string, boolean> = {};
      for (const name of Object.keys(want)) got[name] = await disabled(page, name);
      if (Object.keys(want).every((k) => got[k] === want[k])) return;
      if (Date.now() > end) assert.deepEqual(got, want, 'disabled buttons');
      await sleep(50);
    }
  }
  const grads = (page: Page) =>
    page.evaluate(() =>
      Object.fromEntries(
        Array.from(document.querySelectorAll('.react-flow__edge')).map((g) => {
          const path = g.querySelector('.react-flow__edge-path') as SVGPathElement;
          const cs = getComputedStyle(path);
          return [
            g.getAttribute('data-id')!,
            {
              grad: g.getAttribute('data-grad'),
              flag: g.getAttribute('data-grad-flag'),
              stroke: cs.stroke,
              width: parseFloat(cs.strokeWidth),
              dash: cs.strokeDasharray,
              cls: path.getAttribute('class'),
            },
          ];
        }),
      ),
    );

  it('replays a recorded run: every edge carries its magnitude, the charts and the boundary draw, and no node re-renders', async () => {
    await withEditor(fixture.model, async ({ page }) => {
      await sleep(300);
      const before = await renders(page);
      assert.ok(before.OpNode >= fixture.model.nodes.length, JSON.stringify(before));
      await replay(page, fixture.messages);
      await page.locator('[data-testid="training-status"][data-status="completed"]').waitFor();
      await page.waitForFunction(
        (step) => document.querySelector('[data-testid="grad-legend"]')?.getAttribute('data-step') === String(step),
        lastGradients.step,
      );
      await sleep(200);

      // data-grad on every React Flow edge element, equal to the last update's value for that edge index.
      const shown = await grads(page);
      fixture.model.edges.forEach((e, i) => {
        const g = shown[edgeIdOf(e)];
        assert.ok(g, `edge ${edgeIdOf(e)} is drawn`);
        assert.equal(Number(g.grad), lastGradients.edges[i], `data-grad of ${edgeIdOf(e)}`);
        assert.equal(g.flag, lastGradients.flags[i], `data-grad-flag of ${edgeIdOf(e)}`);
      });
      // Edges out of the Input and the Target carry no gradient: 0, drawn as "none".
      assert.equal(shown['x->fc1:0'].grad, '0');
      assert.match(shown['x->fc1:0'].cls ?? '', /grad-none/);
      // The recorded run is healthy: the flagger sees no explosion in its noise (flags are drawn from hand-made
      // updates below); whatever it flagged, the legend counts and the labels mark the same edges.
      const exploding = lastGradients.flags.filter((f) => f === 'exploding').length;
      const vanishing = lastGradients.flags.filter((f) => f === 'vanishing').length;
      const legend = page.locator('[data-testid="grad-legend"]');
      assert.equal(await legend.getAttribute('data-exploding'), String(exploding));
      assert.equal(await legend.getAttribute('data-vanishing'), String(vanishing));
      assert.equal(await page.locator('[data-testid="grad-legend-exploding"]').textContent(), String(exploding));
      // The legend's scale is the run's own (its 2nd–98th percentile, docs/training.md): it holds the middle of
      // the last update's gradients and spans a few decades, not the old fixed 1e-8…1e2.
      const body = legend.locator('.grad-legend-body');
      const [lo, hi] = [Number(await body.getAttribute('data-lo')), Number(await body.getAttribute('data-hi'))];
      const positive = lastGradients.edges.filter((v) => v > 0).sort((a, b) => a - b);
      const median = positive[Math.floor(positive.length / 2)];
      assert.ok(lo <= median && median <= hi && Math.log10(hi / lo) <= 5, `range ${lo}…${hi}, median ${median}`);
      assert.ok(lo > 1e-8 || hi < 1e2, 'not the old fixed scale');
      assert.equal(await page.locator('.edge-flag[data-flag="exploding"]').count(), exploding, 'the flag is marked in the edge label');

      // Loss chart: one train point per progress step, one validation point per epoch; accuracy for classification.
      const loss = page.locator('[data-testid="loss-chart"]');
      assert.equal(await loss.getAttribute('data-points'), String(progressSteps.size));
      assert.equal(await loss.getAttribute('data-val-points'), String(lastMetrics?.type === 'trainingMetrics' ? lastMetrics.history.length : -1));
      assert.ok(((await loss.locator('.series-train .chart-line').getAttribute('d')) ?? '').split('L').length === progressSteps.size);
      assert.equal(await page.locator('[data-testid="accuracy-chart"]').getAttribute('data-points'), String(progressSteps.size));

      // Status: the last progress and how the run ended.
      const status = (await page.locator('[data-testid="training-status"]').textContent()) ?? '';
      assert.match(status, /^Completed — epoch 8\/8 · step \d+ · loss [\d.]+ · accuracy [\d.]+% · [\d,]+ samples\/s$/);

      // The decision boundary: the last grid, drawn in the two class colours (inside and outside the circle).
      const heat = page.locator('[data-testid="decision-boundary"]');
      const lastBoundary = boundaries.at(-1)!;
      assert.equal(await heat.getAttribute('data-step'), String(lastBoundary.type === 'boundary' && lastBoundary.step));
      const colours = await heat.evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let orange = 0,
          blue = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (d[i] > d[i + 2] + 40) orange++;
          else if (d[i + 2] > d[i] + 40) blue++;
        }
        return { orange, blue, cells: d.length / 4 };
      });
      assert.ok(colours.orange > colours.cells * 0.1 && colours.blue > colours.cells * 0.1, JSON.stringify(colours));

      // Render counts: the whole run (trainingState, metrics, gradients, boundary) re-rendered no node, not the
      // editor or canvas, and no edge component; only the paths whose colour step changed.
      const afterRun = await renders(page);
      console.log(
        `# renders after replaying ${fixture.messages.length} messages (${gradients.length} gradient updates): before ${JSON.stringify(before)} after ${JSON.stringify(afterRun)}`,
      );
      assert.equal(afterRun.OpNode, before.OpNode, 'no node re-rendered');
      assert.equal(afterRun.Editor, before.Editor, 'the editor did not re-render');
      assert.equal(afterRun.Canvas, before.Canvas, 'the canvas did not re-render');
      assert.equal(afterRun.ShapeEdge, before.ShapeEdge, 'no edge component re-rendered');
      // Paths re-render only when their colour step changes: never the two edges without gradient.
      assert.ok(
        afterRun.GradientPath - before.GradientPath <= gradients.length * (fixture.model.edges.length - 2),
        'paths re-render only when their colour step changes',
      );
    });
  });

  it('colour and width grow with the magnitude on the log scale; vanishing and exploding edges are flagged and counted', async () => {
    await withEditor(mlp(), async ({ page }) => {
      // x→fc1 0 (no gradient), fc1→act1 1e-9 (vanishing), then 1e-6 … 1, and fc3→loss 5e3 (exploding); y→loss 0.
      const edges = [0, 1e-9, 1e-6, 1e-4, 1e-2, 5e3, 0];
      const flags: GradientUpdate['flags'] = [null, 'vanishing', null, null, null, 'exploding', null];
      await replay(page, [{ type: 'gradients', update: { step: 7, edges, flags, paramNorms: { fc1: 0.5, fc2: 0.25, fc3: 2 } } }]);
      await page.waitForFunction(() => document.querySelectorAll('.react-flow__edge[data-grad]').length === 7);
      const shown = await grads(page);
      const ids = mlp().edges.map(edgeIdOf);
      const ordered = [1, 2, 3, 4, 5].map((i) => ({ id: ids[i], value: edges[i], ...shown[ids[i]] }));
      for (let k = 1; k < ordered.length; k++) {
        const [a, b] = [ordered[k - 1], ordered[k]];
        assert.ok(b.width > a.width, `width: ${a.id} (${a.value}) ${a.width}px < ${b.id} (${b.value}) ${b.width}px`);
        assert.ok(rgb(b.stroke)[0] > rgb(a.stroke)[0], `colour: ${a.id} ${a.stroke} → ${b.id} ${b.stroke} moves along the ramp`);
      }
      assert.notEqual(ordered[0].stroke, ordered[4].stroke);
      assert.equal(shown[ids[1]].flag, 'vanishing');
      assert.equal(shown[ids[5]].flag, 'exploding');
      assert.equal(shown[ids[2]].flag, null);
      assert.notEqual(shown[ids[1]].dash, 'none', 'a vanishing edge is dashed');
      assert.notEqual(shown[ids[5]].dash, 'none', 'an exploding edge is dashed');
      assert.equal(shown[ids[3]].dash, 'none');
      assert.equal(shown[ids[0]].grad, '0');
      const legend = page.locator('[data-testid="grad-legend"]');
      assert.equal(await legend.getAttribute('data-vanishing'), '1');
      assert.equal(await legend.getAttribute('data-exploding'), '1');
      assert.equal(await page.locator('[data-testid="grad-legend-vanishing"]').textContent(), '1');
      assert.equal(await page.locator(`.edge-label[data-edge-id="${ids[1]}"] .edge-flag[data-flag="vanishing"]`).count(), 1);
      assert.equal(await page.locator(`.edge-label[data-edge-id="${ids[5]}"] .edge-flag[data-flag="exploding"]`).count(), 1);
      // The node's parameter-gradient norm shows in the inspector.
      await page.locator(`${node('fc3')} .op-node-header`).click();
      assert.equal(await page.locator('[data-testid="inspector-grad-norm"]').textContent(), '2');
      await sleep(150);

      // A later update restyles only the edges whose colour step changes, and no node.
      const before = await renders(page);
      const next = edges.map((v, i) => (i === 3 ? 10 : v));
      await replay(page, [{ type: 'gradients', update: { step: 8, edges: next, flags, paramNorms: { fc1: 0.5, fc2: 0.25, fc3: 2 } } }]);
      await page.waitForFunction((id) => document.querySelector(`.react-flow__edge[data-id="${id}"]`)?.getAttribute('data-grad') === '10', ids[3]);
      await sleep(100);
      const after = await renders(page);
      assert.equal(after.OpNode, before.OpNode);
      assert.equal(after.GradientPath - before.GradientPath, 1, 'one path restyled');
      assert.ok((await grads(page))[ids[3]].width > shown[ids[3]].width);
    });
  });

  it('hovering an edge shows its value and a sparkline of its recent history', async () => {
    await withEditor(fixture.model, async ({ page }) => {
      const updates = gradients.slice(0, 30);
      await replay(
        page,
        updates.map((update) => ({ type: 'gradients', update }) as HostMessage),
      );
      await page.waitForFunction(
        (step) => document.querySelector('[data-testid="grad-legend"]')?.getAttribute('data-step') === String(step),
        updates.at(-1)!.step,
      );
      const edge = 'fc2->act2:0';
      const index = fixture.model.edges.findIndex((e) => edgeIdOf(e) === edge);
      // The middle of the edge's line, on screen.
      const at = await page.locator(`${edgeEl(edge)} .react-flow__edge-interaction`).evaluate((p: SVGPathElement) => {
        const pt = p.getPointAtLength(p.getTotalLength() / 2);
        const m = p.getScreenCTM()!;
        return { x: m.a * pt.x + m.c * pt.y + m.e, y: m.b * pt.x + m.d * pt.y + m.f };
      });
      await page.mouse.move(at.x - 20, at.y - 40);
      await page.mouse.move(at.x, at.y, { steps: 5 });
      const tip = page.locator('[data-testid="grad-tooltip"]');
      await tip.waitFor();
      assert.equal(await tip.getAttribute('data-edge-id'), edge);
      assert.match((await tip.textContent()) ?? '', /fc2 → act2/);
      const value = Number(await tip.locator('[data-testid="grad-tooltip-value"]').textContent());
      assert.ok(Math.abs(value - updates.at(-1)!.edges[index]) / updates.at(-1)!.edges[index] < 0.01, `tooltip ${value}`);
      assert.equal(await tip.locator('[data-testid="grad-sparkline"]').getAttribute('data-points'), '30');
      assert.equal(((await tip.locator('.sparkline-line').getAttribute('d')) ?? '').split('L').length, 30);
      // Live while hovered; the webview keeps the last 100 values.
      const rest = gradients.slice(30);
      await replay(
        page,
        rest.map((update) => ({ type: 'gradients', update }) as HostMessage),
      );
      const expected = String(Math.min(100, gradients.length));
      await page.waitForFunction((n) => document.querySelector('[data-testid="grad-sparkline"]')?.getAttribute('data-points') === n, expected);
      const many: HostMessage[] = Array.from({ length: 120 }, (_, k) => ({
        type: 'gradients',
        update: { ...lastGradients, step: lastGradients.step + 1 + k },
      }));
      await replay(page, many);
      await page.waitForFunction(() => document.querySelector('[data-testid="grad-sparkline"]')?.getAttribute('data-points') === '100');
      await page.mouse.move(5, 5);
      await tip.waitFor({ state: 'detached' });
    });
  });

  it('the buttons send trainingControl messages and follow the session; Reset clears the overlay and charts', async () => {
    await withEditor(mlp(), async ({ page }) => {
      const panel = page.locator('[data-testid="training-panel"]');
      await panel.waitFor();
      for (const name of ['Train', 'Pause', 'Stop', 'Reset weights']) assert.equal(await button(page, name).count(), 1, `a "${name}" button`);
      assert.equal(await page.locator('[data-testid="training-status"]').textContent(), 'Not trained in this session.');
      await expectDisabled(page, { Train: false, Pause: true, Stop: true, 'Reset weights': false });
      await button(page, 'Train').click();
      assert.deepEqual(await controls(page), ['start']);

      const progress = { step: 3, epoch: 0, epochs: 30, stepsPerEpoch: 20, loss: 0.61, accuracy: 0.75, samplesPerSecond: 5321 };
      const running: TrainingStateMessage = { type: 'trainingState', status: 'running', progress, classification: true };
      await replay(page, [{ type: 'trainingState', status: 'running', classification: true }, running]);
      await page
        .locator('[data-testid="training-status"]', { hasText: 'Training — epoch 1/30 · step 3 · loss 0.6100 · accuracy 75.0% · 5,321 samples/s' })
        .waitFor();
      await expectDisabled(page, { Train: true, Pause: false, Stop: false, 'Reset weights': true });
      await button(page, 'Pause').click();
      await replay(page, [{ ...running, status: 'paused' }]);
      await button(page, 'Resume').waitFor();
      assert.equal(await button(page, 'Pause').count(), 0);
      await button(page, 'Resume').click();
      await replay(page, [
        { ...running, status: 'running' },
        { ...running, progress: { ...progress, step: 5, loss: 0.5 } },
        { type: 'trainingMetrics', history: [{ epoch: 0, trainLoss: 0.55, trainAccuracy: 0.8, valLoss: 0.52, valAccuracy: 0.82 }] },
      ]);
      await page.waitForFunction(() => document.querySelector('[data-testid="loss-chart"]')?.getAttribute('data-points') === '2');
      assert.equal(await page.locator('[data-testid="loss-chart"]').getAttribute('data-val-points'), '1');
      await button(page, 'Stop').click();
      await replay(page, [
        {
          type: 'gradients',
          update: { step: 5, edges: [0, 1e-3, 1e-3, 1e-3, 1e-3, 1e-2, 0], flags: [null, null, null, null, null, null, null], paramNorms: {} },
        },
        { ...running, status: 'stopped', progress: { ...progress, step: 5, loss: 0.5 } },
      ]);
      await page.locator('[data-testid="training-status"][data-status="stopped"]').waitFor();
      await page.locator('[data-testid="grad-legend"]').waitFor();
      // The stopped state repeats the last progress: no new chart point.
      assert.equal(await page.locator('[data-testid="loss-chart"]').getAttribute('data-points'), '2');
      await expectDisabled(page, { Train: false, Stop: true, 'Reset weights': false });
      await button(page, 'Reset weights').click();
      assert.deepEqual(await controls(page), ['start', 'pause', 'resume', 'stop', 'reset']);
      // The host asks, deletes the weights, and reports an idle session: everything from the run goes.
      await replay(page, [
        { type: 'trainingState', status: 'idle' },
        { type: 'trainingMetrics', history: [] },
      ]);
      await page.locator('[data-testid="grad-legend"]').waitFor({ state: 'detached' });
      assert.equal(await page.locator('.react-flow__edge[data-grad]').count(), 0);
      assert.equal(await page.locator('[data-testid="loss-chart"]').getAttribute('data-points'), '0');
      assert.equal(await page.locator('[data-testid="training-status"]').textContent(), 'Not trained in this session.');
      // A disabled button sends nothing.
      await replay(page, [running]);
      await expectDisabled(page, { Train: true });
      await button(page, 'Train').click({ force: true });
      await sleep(100);
      assert.equal((await controls(page)).length, 5);
    });
  });

  it('settings: each valid change sends one setTraining edit; invalid values are explained and send nothing', async () => {
    await withEditor(mlp(), async ({ page, host }) => {
      const apply = async () => {
        const all = await host.edits();
        host.model = all.slice(-1).reduce(applyAny, host.model);
        await host.sendText(text(host.model));
      };
      const lr = page.locator('[data-testid="training-lr"] input');
      assert.equal(await lr.inputValue(), '0.01');
      await lr.fill('-1');
      await page.locator('[data-setting="lr"] .field-error', { hasText: 'Learning rate must be greater than 0, found -1.' }).waitFor();
      await lr.press('Enter');
      await lr.fill('fast');
      await page.locator('[data-setting="lr"] .field-error', { hasText: 'must be a number' }).waitFor();
      await lr.press('Enter');
      await sleep(150);
      assert.deepEqual(await host.edits(), [], 'no edit for invalid values');
      await lr.fill('0.05');
      await lr.press('Enter');
      await lr.blur();
      assert.deepEqual(await host.waitForEdits(1), [{ kind: 'setTraining', path: ['optimizer', 'lr'], value: 0.05 }]);
      await apply();
      await page.waitForFunction(() => (document.querySelector('[data-testid="training-lr"]') as HTMLInputElement | null)?.value === '0.05');

      const batch = page.locator('[data-testid="training-batchSize"] input');
      await batch.fill('16.5');
      await page.locator('[data-setting="batchSize"] .field-error', { hasText: 'whole number' }).waitFor();
      await batch.press('Enter');
      await batch.fill('64');
      await batch.press('Enter');
      assert.deepEqual((await host.waitForEdits(2))[1], { kind: 'setTraining', path: ['batchSize'], value: 64 });
      await apply();

      // Emptying a field removes the key, so the default applies (shown as the placeholder).
      const seed = page.locator('[data-testid="training-seed"] input');
      await seed.fill('');
      await seed.press('Enter');
      assert.deepEqual((await host.waitForEdits(3))[2], { kind: 'setTraining', path: ['seed'], value: null });
      await apply();
      await page.waitForFunction(() => (document.querySelector('[data-testid="training-seed"]') as HTMLInputElement | null)?.value === '');
      assert.equal(await page.locator('[data-testid="training-seed"]').getAttribute('placeholder'), '0');

      await page.locator('[data-testid="training-source"]').click();
      await page.getByRole('option', { name: 'Spiral' }).click();
      assert.deepEqual((await host.waitForEdits(4))[3], { kind: 'setTraining', path: ['dataset', 'source'], value: 'spiral' });
      await apply();
      await page.locator('[data-setting="size"]').waitFor();
      await page.waitForFunction(() => (document.querySelector('[data-testid="training-source"]') as HTMLSelectElement | null)?.value === 'spiral');
      await page.locator('[data-testid="training-optimizer"]').click();
      await page.getByRole('option', { name: 'SGD' }).click();
      assert.deepEqual((await host.waitForEdits(5))[4], { kind: 'setTraining', path: ['optimizer', 'type'], value: 'SGD' });
      await apply();
      await page.locator('[data-testid="training-lr"][placeholder="required"]').waitFor();
      // SGD needs its learning rate: emptying it is refused.
      await lr.fill('');
      await page.locator('[data-setting="lr"] .field-error', { hasText: 'Learning rate is required.' }).waitFor();
      await lr.press('Enter');
      const noise = page.locator('[data-testid="training-noise"] input');
      await noise.fill('1.5');
      await page.locator('[data-setting="noise"] .field-error', { hasText: 'Noise must be from 0 to 1, found 1.5.' }).waitFor();
      await noise.fill('0.25');
      await noise.press('Enter');
      const edits = await host.waitForEdits(6);
      await sleep(200);
      assert.equal((await host.edits()).length, 6, 'one edit per change');
      assert.deepEqual(edits[5], { kind: 'setTraining', path: ['dataset', 'noise'], value: 0.25 });
      assert.deepEqual(host.model.training, {
        optimizer: { type: 'SGD', lr: 0.05 },
        batchSize: 64,
        epochs: 30,
        validationSplit: 0.2,
        dataset: { source: 'spiral', size: 400, noise: 0.1 },
      });
    });
  });

  it("input features and regularisation: a feature toggle sends the one edit that sets inputFeatures and the Input's shape", async () => {
    await withEditor(mlp(), async ({ page, host }) => {
      const apply = async () => {
        const all = await host.edits();
        host.model = all.slice(-1).reduce(applyAny, host.model);
        await host.sendText(text(host.model));
      };
      const chips = page.locator('[data-testid="training-features"] .feature-chip');
      assert.deepEqual(await chips.evaluateAll((els) => els.map((e) => `${e.textContent} ${e.getAttribute('aria-pressed')}`)), [
        'x₁ true',
        'x₂ true',
        'x₁² false',
        'x₂² false',
        'x₁x₂ false',
        'sin x₁ false',
        'sin x₂ false',
      ]);
      const inputType = page.locator(`${node('x')} .op-node-type`);
      assert.equal(await inputType.textContent(), 'N×2');
      await page.locator('[data-feature="x1*x2"]').click();
      assert.deepEqual(await host.waitForEdits(1), [{ kind: 'setInputFeatures', features: ['x1', 'x2', 'x1*x2'] }]);
      await apply();
      await page.locator('[data-feature="x1*x2"][aria-pressed="true"]').waitFor();
      await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'N×3', `${node('x')} .op-node-type`);
      await page.locator('[data-feature="x1"]').click();
      assert.deepEqual((await host.waitForEdits(2))[1], { kind: 'setInputFeatures', features: ['x2', 'x1*x2'] });
      await apply();
      await page.locator('[data-feature="x1"][aria-pressed="false"]').waitFor();
      await page.locator('[data-feature="x2"]').click();
      assert.deepEqual((await host.waitForEdits(3))[2], { kind: 'setInputFeatures', features: ['x1*x2'] });
      await apply();
      await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'N×1', `${node('x')} .op-node-type`);
      // The last feature cannot be turned off.
      assert.equal(await page.locator('[data-feature="x1*x2"]').isDisabled(), true);
      assert.equal((await host.edits()).length, 3, 'one edit per toggle');

      // L2 is the optimizer's weight decay: its default as the placeholder, and AdamW's decoupling said.
      const decay = page.locator('[data-testid="training-weightDecay"]');
      assert.equal(await decay.getAttribute('placeholder'), '0');
      await page.locator('[data-testid="training-optimizer"]').click();
      await page.getByRole('option', { name: 'AdamW' }).click();
      assert.deepEqual((await host.waitForEdits(4))[3], { kind: 'setTraining', path: ['optimizer', 'type'], value: 'AdamW' });
      await apply();
      await page.locator('[data-testid="training-weightDecay"][placeholder="0.01"]').waitFor();
      await page.locator('[data-setting="weightDecay"] .field-hint', { hasText: 'Decoupled' }).waitFor();
      const l1 = page.locator('[data-testid="training-l1"] input');
      await l1.fill('-1');
      await page.locator('[data-setting="l1"] .field-error', { hasText: 'L1 must be 0 or more' }).waitFor();
      await l1.fill('0.001');
      await l1.press('Enter');
      assert.deepEqual((await host.waitForEdits(5))[4], { kind: 'setTraining', path: ['l1'], value: 0.001 });
      await apply();

      // An Input that disagrees with the features (a hand edit) is an error on the Input node.
      host.model.nodes.find((n) => n.id === 'x')!.attrs = { shape: [2] };
      await host.sendText(text(host.model));
      await page.locator(`${node('x')} .op-node-error`, { hasText: 'training.dataset.inputFeatures' }).waitFor();

      // Another kind of dataset: no toggles; a leftover list is offered for removal.
      await page.locator('[data-testid="training-source"]').click();
      await page.getByRole('option', { name: 'Digits (28×28)' }).click();
      assert.deepEqual((await host.waitForEdits(6))[5], { kind: 'setTraining', path: ['dataset', 'source'], value: 'digits' });
      await apply();
      await page.locator('[data-testid="training-features"] .feature-chip').first().waitFor({ state: 'detached' });
      await page.locator('[data-testid="training-features-remove"]').click();
      assert.deepEqual((await host.waitForEdits(7))[6], { kind: 'setInputFeatures', features: null });
    });
  });

  it('a model without a training section: the first dataset and learning rate write whole objects', async () => {
    const model = { ...mlp(), training: undefined } as ModelJson;
    delete model.training;
    await withEditor(model, async ({ page, host }) => {
      assert.equal(await page.locator('[data-testid="training-lr"]').getAttribute('placeholder'), '0.001');
      assert.ok((await page.locator('[data-testid="training-size"]').getAttribute('disabled')) !== null, 'no dataset yet: its size waits');
      await page.locator('[data-testid="training-source"]').click();
      await page.getByRole('option', { name: 'XOR' }).click();
      assert.deepEqual(await host.waitForEdits(1), [{ kind: 'setTraining', path: ['dataset'], value: { source: 'xor' } }]);
      const lr = page.locator('[data-testid="training-lr"] input');
      await lr.fill('0.02');
      await lr.press('Enter');
      assert.deepEqual((await host.waitForEdits(2))[1], { kind: 'setTraining', path: ['optimizer'], value: { type: 'Adam', lr: 0.02 } });
    });
  });

  it('a NaN/Inf stop names the step and the node, and marks the node on the canvas', async () => {
    await withEditor(mlp(), async ({ page }) => {
      await sleep(200);
      const before = await renders(page);
      const message = 'step 12: non-finite values first appeared in the output of node "fc2" (Linear)';
      await replay(page, [{ type: 'trainingState', status: 'nonFinite', message, nodeId: 'fc2', classification: true }]);
      await page.locator(`${node('fc2')} .op-node[data-nonfinite="true"]`).waitFor();
      const status = (await page.locator('[data-testid="training-status"]').textContent()) ?? '';
      assert.ok(status.includes(message), status);
      assert.match(status, /step 12.*"fc2"/);
      assert.equal(await page.locator('.op-node[data-nonfinite]').count(), 1, 'only that node is marked');
      assert.match((await page.locator(`${node('fc2')} .op-node-nonfinite`).textContent()) ?? '', /NaN/);
      const after = await renders(page);
      assert.equal(after.OpNode - before.OpNode, 1, 'only the marked node re-rendered');
      await page.locator('[data-testid="training-show-node"]').click();
      await page.locator(`${node('fc2')}.selected`).waitFor();
      // A new run clears the mark.
      await replay(page, [{ type: 'trainingState', status: 'running', classification: true }]);
      await page.locator('.op-node[data-nonfinite]').waitFor({ state: 'detached' });
    });
  });

  it('the overlay clears when the edges change shape, and ignores updates for another graph', async () => {
    await withEditor(mlp(), async ({ page, host }) => {
      const update: GradientUpdate = { step: 1, edges: [0, 1e-3, 1e-3, 1e-3, 1e-3, 1e-2, 0], flags: Array(7).fill(null), paramNorms: {} };
      await replay(page, [{ type: 'gradients', update }]);
      await page.waitForFunction(() => document.querySelectorAll('.react-flow__edge[data-grad]').length === 7);
      // A moved node changes no edge: the overlay stays.
      host.model.nodes[1].ui = { x: 260, y: 140 };
      await host.sendText(text(host.model));
      await sleep(200);
      assert.equal(await page.locator('.react-flow__edge[data-grad]').count(), 7);
      // An edge removed: the indices no longer fit.
      host.model.edges = host.model.edges.filter((e) => !(e.from === 'act2' && e.to === 'fc3'));
      await host.sendText(text(host.model));
      await page.locator('[data-testid="grad-legend"]').waitFor({ state: 'detached' });
      assert.equal(await page.locator('.react-flow__edge[data-grad]').count(), 0);
      // The run still streams for the old graph: ignored.
      await replay(page, [{ type: 'gradients', update: { ...update, step: 2 } }]);
      await sleep(200);
      assert.equal(await page.locator('.react-flow__edge[data-grad]').count(), 0);
      // An update for this graph shows.
      await replay(page, [{ type: 'gradients', update: { ...update, step: 3, edges: update.edges.slice(1), flags: update.flags.slice(1) } }]);
      await page.waitForFunction(() => document.querySelectorAll('.react-flow__edge[data-grad]').length === 6);
    });
  });

  it('read-only documents show the panel with every control disabled', async () => {
    await withEditor(
      mlp(),
      async ({ page, host }) => {
        await page.locator('[data-testid="training-panel"]').waitFor();
        await expectDisabled(page, { Train: true, Pause: true, Stop: true, 'Reset weights': true });
        for (const id of ['training-lr', 'training-batchSize', 'training-epochs', 'training-seed', 'training-source', 'training-optimizer']) {
          assert.equal(await page.locator(`[data-testid="${id}"]`).getAttribute('disabled'), '', `${id} is disabled`);
        }
        await button(page, 'Train').click({ force: true });
        await sleep(150);
        assert.deepEqual(await controls(page), []);
        assert.deepEqual(await host.edits(), []);
        // It still shows a run (another editor of the document may have started it).
        await replay(page, fixture.messages.slice(0, 40));
        await page.waitForFunction(() => Number(document.querySelector('[data-testid="loss-chart"]')?.getAttribute('data-points')) > 0);
      },
      { readOnly: true },
    );
  });

  it('the panel folds away and keeps its DOM hooks', async () => {
    await withEditor(mlp(), async ({ page }) => {
      const toggle = page.locator('[data-testid="training-toggle"]');
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
      await page.locator('[data-testid="loss-chart"]').waitFor({ state: 'visible' });
      await toggle.click();
      await page.locator('[data-testid="loss-chart"]').waitFor({ state: 'hidden' });
      assert.equal(await page.locator('[data-testid="loss-chart"]').count(), 1);
      assert.equal(await button(page, 'Train').isVisible(), true);
      await toggle.click();
      await page.locator('[data-testid="loss-chart"]').waitFor({ state: 'visible' });
    });
  });

  it('takes a screenshot of a replayed run (test-results/training.png; docs/training-screenshot.png with UPDATE_SCREENSHOT=1)', async () => {
    await withEditor(
      fixture.model,
      async ({ page }) => {
        // Everything but the final state, so the status shows a live run.
        const messages = fixture.messages.slice(0, fixture.messages.length - 1);
        assert.equal(fixture.messages.at(-1)!.type, 'trainingState');
        await replay(page, messages);
        await page.waitForFunction(
          (step) => document.querySelector('[data-testid="grad-legend"]')?.getAttribute('data-step') === String(step),
          lastGradients.step,
        );
        await page.locator('[data-testid="decision-boundary"]').waitFor();
        await page.locator('[data-testid="fit-view"]').click();
        await sleep(500);
        const at = await page.locator(`${edgeEl('fc1->act1:0')} .react-flow__edge-interaction`).evaluate((p: SVGPathElement) => {
          const pt = p.getPointAtLength(p.getTotalLength() / 2);
          const m = p.getScreenCTM()!;
          return { x: m.a * pt.x + m.c * pt.y + m.e, y: m.b * pt.x + m.d * pt.y + m.f };
        });
        await page.mouse.move(at.x, at.y, { steps: 3 });
        await page.locator('[data-testid="grad-tooltip"]').waitFor();
        await sleep(300);
        mkdirSync('test-results', { recursive: true });
        await page.screenshot({ path: 'test-results/training.png' });
        if (process.env.UPDATE_SCREENSHOT === '1') copyFileSync('test-results/training.png', 'docs/training-screenshot.png');
      },
      { viewport: { width: 1400, height: 820 } },
    );
  });

  it('an empty model shows the panel with nothing to train yet', async () => {
    await withEditor(empty(), async ({ page }) => {
      await page.locator('[data-testid="training-panel"]').waitFor();
      assert.equal(await page.locator('[data-testid="loss-chart"]').getAttribute('data-points'), '0');
      assert.equal(await page.locator('[data-testid="decision-boundary"]').count(), 0);
    });
  });
});
