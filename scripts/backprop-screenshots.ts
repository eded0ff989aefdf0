// Takes the screenshots of docs/backprop.md: the graph editor's webview in headless Chromium (the browser tests'
// harness, test/browser/harness.ts), fed REAL host messages: each template is trained in this process by the
// extension's own training loop (engine/train/run.ts, as its worker runs it), a Walk through step traced by
// the engine, a Check Gradients result computed by the extension's check in its worker thread. Nothing
// shown is written by hand.
//
//   node esbuild.mjs && node --import tsx scripts/backprop-screenshots.ts            # all of them
//   node --import tsx scripts/backprop-screenshots.ts micrograd vanishing            # some, by name
//
// Writes docs/backprop-<name>.png at 1280×720. Not a test: it asserts nothing beyond finding what it points at.
// Needs Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and dist/ built.
import Module from 'node:module';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { ModelJson } from '../engine/graph/types';
import { runTraining, type RunControl } from '../engine/train/run';
import type { FromWorker } from '../extension/training/workerProtocol';
import { CheckRunner } from '../extension/gradcheck/runner';
import { templates, type ModelTemplate } from '../extension/templates';
import type { HostMessage } from '../protocol/messages';
import { hostMessagesOf } from '../test/browser/fixtures/record-training';
import { browserMissing, launchBrowser, startPageServer, type PageServer } from '../test/browser/harness';

const ROOT = join(__dirname, '..');
const DOCS = join(ROOT, 'docs');
const VIEWPORT = { width: 1280, height: 720 };

const template = (id: string): ModelJson => {
  const t: ModelTemplate | undefined = templates.find((x) => x.id === id);
  if (!t) throw new Error(`no template "${id}"`);
  return structuredClone(t.model) as unknown as ModelJson;
};

interface RecordOptions {
  /** Optimizer steps to take (the run stops after them, or earlier at a NaN). */
  steps: number;
  /** Trace the last step for the walk-through. */
  walk?: boolean;
  /** The node whose weights the run sends (the Inspector's selection). */
  watch?: string | null;
  /** Decision boundary grid (0: none). */
  boundaryGrid?: number;
  /** Send the overlay for every step (an edge's tooltip then has a point per step), not at most 20 a second. */
  everyStep?: boolean;
}

/**
 * The host messages of a real run of `model`: `steps` optimizer steps on its own dataset with the overlay on and
 * the real clock, then paused there (as Step leaves it), the last step traced when `walk`.
 */
async function record(model: ModelJson, o: RecordOptions): Promise<HostMessage[]> {
  const worker: FromWorker[] = [];
  let taken = 0;
  const control: RunControl = {
    async next(settle) {
      if (taken < o.steps) {
        taken++;
        return 'go';
      }
      await settle();
      return 'stop';
    },
    traceNext: () => !!o.walk && taken === o.steps,
    watched: () => o.watch ?? null,
  };
  await runTraining(
    {
      modelText: JSON.stringify(model),
      sidecar: null,
      external: {},
      options: { overlay: true, maxUpdatesPerSecond: o.everyStep ? 1e9 : 20, boundaryGrid: o.boundaryGrid ?? 0, watch: o.watch ?? null },
    },
    (m) => worker.push(m),
    control,
  );
  const failed = worker.find((m) => m.type === 'failed');
  if (failed?.type === 'failed') throw new Error(`the run failed: ${failed.message}`);
  // A run that took all its steps rests paused at the last, as Step and Walk leave it (a NaN stop stays as it is).
  const end = worker.findIndex((m) => m.type === 'finished');
  return hostMessagesOf(end >= 0 ? [...worker.slice(0, end), { type: 'paused' }] : worker);
}

type Fold = 'panel' | 'settings';

class Shooter {
  constructor(
    private readonly browser: Browser,
    private readonly server: PageServer,
  ) {}

  /** The editor on `model`, fed `messages`, ready to be pointed at. */
  async open(model: ModelJson, messages: readonly HostMessage[] = [], fold: Fold = 'settings'): Promise<Page> {
    const page = await this.browser.newPage({ viewport: VIEWPORT });
    page.on('pageerror', (e) => console.error(`page error: ${String(e)}`));
    // The training panel's folds, as the webview keeps them in its state: the whole panel (its header stays), or
    // its settings (the charts stay), so the graph has room.
    const state = fold === 'panel' ? { trainingOpen: false } : { trainingSettingsOpen: false };
    await page.goto(this.server.pageFor({ text: JSON.stringify(model, null, 2), state }));
    await page.locator('#root[data-state="ok"]').waitFor({ timeout: 15_000 });
    // The canvas draws only the nodes in view: a wide model has some off it.
    await page.locator('.react-flow__node').first().waitFor();
    await page.waitForFunction(() => customElements.get('vscode-button') !== undefined, null, { timeout: 15_000 });
    await page.evaluate((ms) => ms.forEach((m) => window.__bps.host(m)), messages as HostMessage[]);
    return page;
  }

  blank(): Promise<Page> {
    return this.browser.newPage({ viewport: VIEWPORT });
  }

  async save(page: Page, name: string): Promise<void> {
    // Let transitions and throttled redraws finish.
    await page.waitForTimeout(400);
    const file = join(DOCS, `backprop-${name}.png`);
    await page.screenshot({ path: file });
    await page.close();
    console.log(`${file}: ${Math.round(statSync(file).size / 1024)} KB`);
  }
}

const select = async (page: Page, nodeId: string) => {
  await page.evaluate((id) => window.__bps.host({ type: 'revealNode', nodeId: id }), nodeId);
  await page.locator(`.inspector-body[data-node-id="${nodeId}"]`).waitFor();
};

/**
 * Moves the canvas: `zoom` clicks of the minimap's zoom buttons (negative: out), then a sideways drag of the empty pane that
 * brings `node`'s right edge to `right` pixels from the canvas's left (the walk-through's card goes to the right of
 * its node where it fits, else to its left: this chooses which neighbours it covers).
 */
async function frame(page: Page, o: { zoom?: number; node?: string; right?: number }): Promise<void> {
  for (let i = 0; i < Math.abs(o.zoom ?? 0); i++) {
    await page.locator(`[data-testid="${(o.zoom ?? 0) < 0 ? 'zoom-out' : 'zoom-in'}"]`).click();
    await page.waitForTimeout(400);
  }
  if (!o.node || o.right === undefined) return;
  const pane = (await page.locator('.react-flow__pane').boundingBox())!;
  const box = (await page.locator(`.react-flow__node[data-id="${o.node}"]`).boundingBox())!;
  const dx = pane.x + o.right - (box.x + box.width);
  // Press where no node is: the pane's bottom-left corner.
  const from = { x: pane.x + 20, y: pane.y + pane.height - 20 };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + dx, from.y, { steps: 10 });
  await page.mouse.up();
  await page.waitForTimeout(200);
}

/** Points at the middle of an edge (its id: `from->to:port`), opening its tooltip. */
async function hoverEdge(page: Page, id: string): Promise<void> {
  const at = await page.locator(`.react-flow__edge[data-id="${id}"] .react-flow__edge-interaction`).evaluate((p: SVGPathElement) => {
    const pt = p.getPointAtLength(p.getTotalLength() / 2);
    const m = p.getScreenCTM()!;
    return { x: m.a * pt.x + m.c * pt.y + m.e, y: m.b * pt.x + m.d * pt.y + m.f };
  });
  await page.mouse.move(at.x, at.y, { steps: 3 });
}

/** Walk-through frames until the bar names `phase` and `node`. */
async function walkTo(page: Page, phase: string, node: string): Promise<void> {
  const bar = page.locator('[data-testid="walk-bar"]');
  await bar.waitFor();
  for (let i = 0; i < 200; i++) {
    if ((await bar.getAttribute('data-phase')) === phase && (await bar.getAttribute('data-node-id')) === node) return;
    await page.keyboard.press('ArrowRight');
  }
  throw new Error(`the walk-through has no ${phase} frame of ${node}`);
}

const shots: Record<string, (s: Shooter) => Promise<void>> = {
  /** The single neuron, one walked step, at the backward frame of the Tanh: every value a number. */
  async micrograd(s) {
    const model = template('single-neuron');
    const page = await s.open(model, await record(model, { steps: 1, walk: true }), 'panel');
    await walkTo(page, 'backward', 'o');
    // Room on the Tanh's right: the card covers the loss (whose value the bar shows), not n.
    await frame(page, { node: 'o', right: 535 });
    await s.save(page, 'micrograd');
  },

  /** The MLP template walked at its second step, at act2's backward frame: the gradients the edges carried so far. */
  async walkthrough(s) {
    const model = template('mlp-classifier-2d');
    const page = await s.open(model, await record(model, { steps: 2, walk: true, boundaryGrid: 40 }), 'panel');
    await frame(page, { zoom: 1 });
    await walkTo(page, 'backward', 'act2');
    await frame(page, { node: 'act2', right: 560 });
    await s.save(page, 'walkthrough');
  },

  /** The residual MLP: act0 feeds fc1 and the skip, so its gradient is the sum of both. */
  async residual(s) {
    const model = template('residual-mlp');
    const page = await s.open(model, await record(model, { steps: 1, walk: true, boundaryGrid: 40 }), 'panel');
    await frame(page, { zoom: 3 });
    await walkTo(page, 'backward', 'act0');
    await frame(page, { node: 'act0', right: 230 });
    await s.save(page, 'residual');
  },

  /** The MLP template's fc2 in the Inspector during the walk-through's update frame: weights, gradient, after. */
  async heatmap(s) {
    const model = template('mlp-classifier-2d');
    const page = await s.open(model, await record(model, { steps: 2, walk: true, watch: 'fc2', boundaryGrid: 40 }), 'panel');
    await walkTo(page, 'update', 'fc2');
    await select(page, 'fc2');
    // The overlay's legend folded to its one line, so the Inspector has the column's height for the heatmaps.
    await page.locator('[data-testid="grad-legend-toggle"]').click();
    // The weight's gradient at the bottom of the Inspector, the weight before the update above it.
    await page
      .locator('[data-testid="inspector-weights"] [data-param="weight"] [data-testid="weights-grad"]')
      .evaluate((e) => e.scrollIntoView({ block: 'end' }));
    await s.save(page, 'heatmap');
  },

  /** The MLP template after ten epochs: the cost meter with its per-node rows open. */
  async cost(s) {
    const model = template('mlp-classifier-2d');
    const page = await s.open(model, await record(model, { steps: 200, boundaryGrid: 40 }));
    await page.locator('[data-testid="cost-meter"]').waitFor();
    await page.locator('[data-testid="cost-nodes-toggle"]').click();
    await s.save(page, 'cost');
  },

  /**
   * Check Gradients on the MLP template (the whole model), its result in the Inspector. The check runs in the
   * extension's own worker thread (dist/gradcheckWorker.js), a fresh one as in the editor: its timings are then those
   * a person sees, not those of this process, whose compiler the other screenshots' runs have warmed.
   */
  async gradcheck(s) {
    const model = template('mlp-classifier-2d');
    const outcome = await new CheckRunner(
      join(ROOT, 'dist', 'gradcheckWorker.js'),
      { modelText: JSON.stringify(model), sidecar: null, external: {} },
      () => undefined,
    ).outcome;
    if (outcome.type !== 'result') throw new Error(`the check failed: ${outcome.message}`);
    const page = await s.open(model, [{ type: 'gradCheck', status: 'done', result: await gradCheckViewOf(outcome.result) }], 'panel');
    await page.locator('[data-testid="gradcheck-cost"]').evaluate((e) => e.scrollIntoView({ block: 'end' }));
    await s.save(page, 'gradcheck');
  },

  /** The 10-layer sigmoid MLP after one Step: the overlay and the depth profile spanning the decades. */
  async vanishing(s) {
    const model = template('vanishing-gradients-sigmoid');
    const page = await s.open(model, await record(model, { steps: 1, boundaryGrid: 40 }), 'panel');
    await page.locator('[data-testid="depth-profile"]').waitFor();
    await page.locator('[data-testid="fit-view"]').click();
    await page.waitForTimeout(400);
    await hoverEdge(page, 'fc2->act2:0');
    await page.locator('[data-testid="grad-tooltip"]').waitFor();
    await s.save(page, 'vanishing');
  },

  /**
   * The depth profiles of the three 10-layer models after one Step, side by side (each cut from its own editor):
   * sigmoid, ReLU, residual.
   */
  async depth(s) {
    const cuts: { title: string; png: string }[] = [];
    for (const id of ['vanishing-gradients-sigmoid', 'deep-relu', 'deep-residual']) {
      const model = template(id);
      const page = await s.open(model, await record(model, { steps: 1 }), 'panel');
      const profile = page.locator('[data-testid="grad-legend"]');
      await page.locator('[data-testid="depth-profile"]').waitFor();
      await page.waitForTimeout(300);
      cuts.push({ title: model.name as string, png: (await profile.screenshot()).toString('base64') });
      await page.close();
    }
    const page = await s.blank();
    await page.setContent(
      `<body style="margin:0;background:#1e1e1e;color:#ccc;font:13px system-ui,sans-serif">` +
        `<div id="strip" style="display:flex;gap:16px;padding:12px;width:max-content">` +
        cuts
          .map(
            (x) => `<figure style="margin:0"><figcaption style="margin-bottom:6px">${x.title}</figcaption><img src="data:image/png;base64,${x.png}"></figure>`,
          )
          .join('') +
        `</div></body>`,
    );
    const file = join(DOCS, 'backprop-depth.png');
    await page.locator('#strip').screenshot({ path: file });
    await page.close();
    console.log(`${file}: ${Math.round(statSync(file).size / 1024)} KB`);
  },

  /** Exploding gradients: the run stopped by the NaN guard, the node it names marked. */
  async exploding(s) {
    const model = template('exploding-gradients');
    const page = await s.open(model, await record(model, { steps: 50, boundaryGrid: 40, everyStep: true }), 'panel');
    await page.locator('.op-node[data-nonfinite]').waitFor();
    await hoverEdge(page, 'fc2->act2:0');
    await page.locator('[data-testid="grad-tooltip"]').waitFor();
    await s.save(page, 'exploding');
  },

  /** Dead ReLUs after an epoch (20 steps): fc1's gradient heatmap (dead units' rows are 0) and act1's outputs piled at 0. */
  async dead(s) {
    const model = template('dead-relus');
    const page = await s.open(model, await record(model, { steps: 20, watch: 'fc1', boundaryGrid: 40 }), 'panel');
    await select(page, 'fc1');
    await page.locator('[data-testid="grad-legend-toggle"]').click();
    await page
      .locator('[data-testid="inspector-weights"] [data-param="weight"] [data-testid="weights-grad"]')
      .evaluate((e) => e.scrollIntoView({ block: 'end' }));
    // Hover once the reveal's centring has ended: the card goes away when the view moves.
    await page.waitForTimeout(1000);
    await page.locator('.react-flow__node[data-id="act1"]').hover();
    await page.locator('[data-testid="node-card"][data-step]').waitFor();
    await s.save(page, 'dead');
  },
};

/** The result as the host sends it (extension/gradcheck/manager.ts), loaded with a stand-in for `vscode`. */
async function gradCheckViewOf(r: import('../engine').GradCheckResult) {
  const M = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
  const load = M._load;
  M._load = (request, ...rest) => (request === 'vscode' ? {} : load(request, ...rest));
  try {
    const { gradCheckView } = await import('../extension/gradcheck/manager');
    return gradCheckView(r);
  } finally {
    M._load = load;
  }
}

async function main(): Promise<void> {
  const missing = browserMissing(join(ROOT, 'dist'));
  if (missing) throw new Error(missing);
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !(w in shots));
  if (unknown.length) throw new Error(`no screenshot ${unknown.join(', ')}: choose from ${Object.keys(shots).join(', ')}`);
  const server = await startPageServer(join(ROOT, 'dist'));
  const browser = await launchBrowser();
  try {
    const s = new Shooter(browser, server);
    for (const [name, shoot] of Object.entries(shots)) if (!wanted.length || wanted.includes(name)) await shoot(s);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
