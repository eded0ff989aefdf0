/// <reference path="../../webview/vscode-api.d.ts" />
// The training view's pure modules (the overlay's are in overlay.test.ts): the session store, the settings'
// checks and edits, the charts' arithmetic, the status line, and the webview's check of training messages.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostMessage, TrainingStateMessage } from '../../protocol/messages';
import { linePath, linearScale, logScale, lossScale, shortNumber, thin } from '../../webview/training/chart';
import { SessionStore } from '../../webview/training/sessionStore';
import {
  FIELDS,
  chosenFeatures,
  featureToggleEdit,
  fieldEdit,
  optimizerEdit,
  readTraining,
  settingsSummary,
  sourceChoices,
  sourceEdit,
  sourceLabel,
} from '../../webview/training/settings';
import { progressText, statusText } from '../../webview/training/status';

const field = (key: string) => FIELDS.find((f) => f.key === key)!;

describe('the session store', () => {
  const progress = (step: number, loss = 1 / step) => ({
    step,
    epoch: Math.floor((step - 1) / 10),
    epochs: 5,
    stepsPerEpoch: 10,
    loss,
    accuracy: 0.5,
    samplesPerSecond: 100,
  });
  const state = (status: TrainingStateMessage['status'], step?: number): TrainingStateMessage => ({
    type: 'trainingState',
    status,
    ...(step ? { progress: progress(step) } : {}),
    classification: true,
  });

  it('the host’s training points replace the page’s up to their last step, and later ones are kept', () => {
    const s = new SessionStore();
    s.applyState(state('running'));
    s.applyState(state('running', 7));
    s.applyState(state('running', 23));
    // A page that reloaded, or drew only a few of a fast run's updates: the host's series fills the gaps.
    const host = [10, 20].map((step) => ({ step, x: step / 10, loss: 1 / step }));
    s.applyMetrics(
      [
        { epoch: 0, trainLoss: 0.1 },
        { epoch: 1, trainLoss: 0.05 },
      ],
      host,
    );
    assert.deepEqual(
      s.state.train.map((p) => p.step),
      [10, 20, 23],
    );
    assert.equal(s.state.trainCount, 3);
    s.applyState(state('running', 30));
    assert.deepEqual(
      s.state.train.map((p) => p.step),
      [10, 20, 23, 30],
    );
    // Metrics without points (an older host) leave the points alone.
    s.applyMetrics([]);
    assert.equal(s.state.trainCount, 4);
  });

  it('adds one train point per new progress step; a repeated step (pause, the end) adds none', () => {
    const s = new SessionStore();
    assert.equal(s.applyState(state('running')), 'new-run');
    s.applyState(state('running', 1));
    s.applyState(state('running', 5));
    s.applyState(state('paused', 5));
    s.applyState(state('running', 5));
    s.applyState(state('running', 10));
    assert.equal(s.state.trainCount, 3);
    assert.deepEqual(
      s.state.train.map((p) => p.x),
      [0.1, 0.5, 1],
    );
    s.applyMetrics([{ epoch: 0, trainLoss: 0.4, valLoss: 0.5 }]);
    s.applyBoundary({ type: 'boundary', step: 10, grid: 1, extent: 6, values: [0.5] });
    assert.equal(s.applyState(state('completed', 10)), null);
    assert.equal(s.state.trainCount, 3);
    assert.equal(s.state.status, 'completed');
    assert.equal(s.state.history.length, 1);
  });

  it('a new run (after a finished one, or an earlier step) starts the series afresh; idle resets everything', () => {
    const s = new SessionStore();
    s.applyState(state('running', 3));
    s.applyMetrics([{ epoch: 0, trainLoss: 0.4 }]);
    s.applyPoints({ type: 'datasetPoints', kind: 'classification', train: { xy: [1, 2], label: [1] }, validation: { xy: [], label: [] } });
    assert.equal(s.state.points?.train.label.length, 1);
    s.applyState(state('stopped', 3));
    assert.equal(s.state.points?.train.label.length, 1, 'a finished run keeps its points');
    assert.equal(s.applyState(state('running')), 'new-run');
    assert.equal(s.state.points, null, "a new run drops the last run's points");
    assert.equal(s.state.trainCount, 0);
    assert.equal(s.state.history.length, 0);
    assert.equal(s.state.progress, undefined);
    s.applyState(state('running', 8));
    assert.equal(s.applyState(state('running', 2)), 'new-run');
    assert.equal(s.state.trainCount, 1);
    s.applyState({ type: 'trainingState', status: 'nonFinite', message: 'step 3: …', nodeId: 'lg' });
    assert.equal(s.state.nodeId, 'lg');
    assert.equal(s.applyState({ type: 'trainingState', status: 'idle' }), 'reset');
    assert.deepEqual({ ...s.state }, { status: 'idle', history: [], train: [], trainCount: 0, boundary: null, points: null });
  });

  it('the status line', () => {
    const s = new SessionStore();
    assert.equal(statusText(s.state), 'Not trained in this session.');
    s.applyState({
      type: 'trainingState',
      status: 'running',
      progress: { step: 57, epoch: 2, epochs: 20, stepsPerEpoch: 25, loss: 0.341234, accuracy: 0.88, samplesPerSecond: 2345.4 },
    });
    assert.equal(statusText(s.state), 'Training — epoch 3/20 · step 57 · loss 0.3412 · accuracy 88.0% · 2,345 samples/s');
    assert.equal(
      progressText({ step: 1, epoch: 0, epochs: 1, stepsPerEpoch: 1, loss: NaN, samplesPerSecond: 1 }),
      'epoch 1/1 · step 1 · loss NaN · 1 samples/s',
    );
    s.applyState({
      type: 'trainingState',
      status: 'nonFinite',
      message: 'step 1: non-finite values first appeared in the output of node "lg" (Log)',
      nodeId: 'lg',
    });
    assert.equal(
      statusText(s.state),
      'Stopped at a non-finite value: step 1: non-finite values first appeared in the output of node "lg" (Log). The last good weights were kept (epoch 3/20 · step 57 · loss 0.3412 · accuracy 88.0% · 2,345 samples/s).',
    );
    s.applyState({ type: 'trainingState', status: 'idle' });
    s.applyState({
      type: 'trainingState',
      status: 'nonFinite',
      message: 'step 1: non-finite values first appeared in the output of node "lg" (Log)',
      nodeId: 'lg',
    });
    assert.equal(
      statusText(s.state),
      'Stopped at a non-finite value: step 1: non-finite values first appeared in the output of node "lg" (Log). The last good weights were kept.',
    );
    s.applyState({ type: 'trainingState', status: 'failed', message: 'the model has no training.dataset' });
    assert.equal(statusText(s.state), 'Training failed: the model has no training.dataset');
  });
});

describe('training settings', () => {
  it('summarises the settings in one line, with the defaults the file leaves out', () => {
    assert.equal(settingsSummary(undefined), 'no dataset · Adam, lr 0.001 · batch 32 · 10 epochs');
    assert.equal(settingsSummary({ optimizer: { type: 'SGD' }, epochs: 1, dataset: { source: 'digits' } }), 'Digits (28×28) · SGD · batch 32 · 1 epoch');
    assert.equal(
      settingsSummary({ optimizer: { type: 'AdamW', lr: 0.3 }, batchSize: 8, dataset: { source: 'spiral', size: 120 } }),
      'Spiral · 120 points · AdamW, lr 0.3 · batch 8 · 10 epochs',
    );
  });

  it('offers inline rows only where the file has them, says how many, and holds none out by default', () => {
    const rows = [
      [0, 0, 0],
      [0, 1, 1],
      [1, 0, 1],
      [1, 1, 0],
    ];
    const inline = readTraining({ dataset: { source: 'inline', rows } });
    assert.equal(settingsSummary({ dataset: { source: 'inline', rows } }), 'Inline rows · 4 rows · Adam, lr 0.001 · batch 32 · 10 epochs');
    assert.ok(sourceChoices(inline).includes('inline'));
    assert.equal(sourceLabel(inline, 'inline'), 'Inline rows (4)');
    assert.equal(sourceLabel(inline, 'circle'), 'Circle');
    assert.equal(field('validationSplit').placeholder(inline), '0');
    assert.deepEqual(sourceEdit(inline, 'circle'), { kind: 'setTraining', path: ['dataset', 'source'], value: 'circle' });
    // Rows left under another source: offered, and choosing them goes back.
    const left = readTraining({ dataset: { source: 'circle', rows } });
    assert.ok(sourceChoices(left).includes('inline'));
    assert.deepEqual(sourceEdit(left, 'inline'), { kind: 'setTraining', path: ['dataset', 'source'], value: 'inline' });
    assert.equal(field('validationSplit').placeholder(left), '0.2');
    // No rows: nothing to train on, so not offered, and no edit would write a source without them.
    const none = readTraining({ dataset: { source: 'circle' } });
    assert.ok(!sourceChoices(none).includes('inline'));
    assert.equal(sourceEdit(none, 'inline'), null);
    assert.equal(sourceEdit(readTraining(undefined), 'inline'), null);
  });

  const t = readTraining({ seed: 0, optimizer: { type: 'Adam', lr: 0.01, betas: [0.9, 0.99] }, batchSize: 16, dataset: { source: 'circle', size: 400 } });

  it('checks values as typed', () => {
    assert.deepEqual(field('lr').parse('1e-3', t), { ok: true, value: 0.001 });
    assert.deepEqual(field('lr').parse('', t), { ok: true, value: null });
    assert.match((field('lr').parse('0', t) as { error: string }).error, /greater than 0/);
    assert.match((field('lr').parse('', readTraining({ optimizer: { type: 'SGD', lr: 1 } })) as { error: string }).error, /required/);
    assert.match((field('lr').parse('0x10', t) as { error: string }).error, /must be a number/);
    assert.deepEqual(field('batchSize').parse(' 64 ', t), { ok: true, value: 64 });
    assert.match((field('batchSize').parse('1.5', t) as { error: string }).error, /whole number/);
    assert.match((field('batchSize').parse('0', t) as { error: string }).error, /from 1 to 65 536/);
    assert.match((field('epochs').parse('-2', t) as { error: string }).error, /from 1/);
    assert.deepEqual(field('seed').parse('1e3', t), { ok: true, value: 1000 });
    assert.match((field('seed').parse('-1', t) as { error: string }).error, /from 0/);
    assert.match((field('noise').parse('2', t) as { error: string }).error, /from 0 to 1/);
    assert.match((field('validationSplit').parse('0.95', t) as { error: string }).error, /from 0 to 0.9/);
    assert.deepEqual(field('size').parse('1 000', t), { ok: true, value: 1000 });
    assert.match((field('path').parse(' ', t) as { error: string }).error, /required/);
  });

  it('makes one setTraining edit per change, whole objects where the file has none', () => {
    assert.deepEqual(fieldEdit(field('lr'), t, 0.05), { kind: 'setTraining', path: ['optimizer', 'lr'], value: 0.05 });
    assert.equal(fieldEdit(field('lr'), t, 0.01), null, 'the same value: no edit');
    assert.deepEqual(fieldEdit(field('seed'), t, null), { kind: 'setTraining', path: ['seed'], value: null });
    assert.equal(fieldEdit(field('epochs'), t, null), null, 'removing what is absent: no edit');
    assert.deepEqual(fieldEdit(field('noise'), t, 0.2), { kind: 'setTraining', path: ['dataset', 'noise'], value: 0.2 });
    const bare = readTraining(undefined);
    assert.deepEqual(fieldEdit(field('lr'), bare, 0.02), { kind: 'setTraining', path: ['optimizer'], value: { type: 'Adam', lr: 0.02 } });
    assert.equal(fieldEdit(field('size'), bare, 100), null, 'no dataset: its size waits for a source');
    assert.equal(field('size').blocked!(bare), 'Choose a dataset first.');
    assert.deepEqual(sourceEdit(bare, 'xor'), { kind: 'setTraining', path: ['dataset'], value: { source: 'xor' } });
    assert.deepEqual(sourceEdit(t, 'spiral'), { kind: 'setTraining', path: ['dataset', 'source'], value: 'spiral' });
    assert.equal(sourceEdit(t, 'circle'), null);
    assert.equal(sourceEdit(t, 'moons'), null);
    assert.deepEqual(optimizerEdit(t, 'AdamW'), { kind: 'setTraining', path: ['optimizer', 'type'], value: 'AdamW' });
    assert.deepEqual(optimizerEdit(bare, 'SGD'), { kind: 'setTraining', path: ['optimizer'], value: { type: 'SGD', lr: 0.001 } });
    assert.deepEqual(optimizerEdit(readTraining({ optimizer: { type: 'Adam', betas: [0.9, 0.99] } }), 'SGD'), {
      kind: 'setTraining',
      path: ['optimizer'],
      value: { type: 'SGD', lr: 0.001, betas: [0.9, 0.99] },
    });
    assert.equal(optimizerEdit(t, 'Adam'), null);
    // Which dataset fields show.
    const shown = (training: unknown) => FIELDS.filter((f) => f.path[0] === 'dataset' && f.shown(readTraining(training))).map((f) => f.key);
    assert.deepEqual(shown({ dataset: { source: 'spiral' } }), ['size', 'noise']);
    assert.deepEqual(shown({ dataset: { source: 'digits' } }), ['limit']);
    assert.deepEqual(shown({ dataset: { source: 'csv' } }), ['path', 'label']);
  });

  it("regularisation: weight decay shows its per-optimizer default and AdamW's decoupling; L1 is training.l1", () => {
    const placeholder = (type?: string) => field('weightDecay').placeholder(readTraining(type ? { optimizer: { type } } : {}));
    assert.deepEqual([placeholder('SGD'), placeholder('Adam'), placeholder('AdamW'), placeholder()], ['0', '0', '0.01', '0']);
    assert.match(field('weightDecay').hint!(readTraining({ optimizer: { type: 'AdamW' } }))!, /decoupled/i);
    assert.equal(field('weightDecay').hint!(readTraining({ optimizer: { type: 'SGD', lr: 1 } })), null);
    assert.deepEqual(fieldEdit(field('weightDecay'), t, 0.001), { kind: 'setTraining', path: ['optimizer', 'weightDecay'], value: 0.001 });
    assert.deepEqual(fieldEdit(field('weightDecay'), readTraining(undefined), 0.1), {
      kind: 'setTraining',
      path: ['optimizer'],
      value: { type: 'Adam', weightDecay: 0.1 },
    });
    assert.match((field('weightDecay').parse('-1', t) as { error: string }).error, /0 or more/);
    assert.deepEqual(fieldEdit(field('l1'), t, 0.001), { kind: 'setTraining', path: ['l1'], value: 0.001 });
    assert.deepEqual(field('l1').parse('', t), { ok: true, value: null });
    assert.match((field('l1').parse('-0.5', t) as { error: string }).error, /L1 must be 0 or more, found -0.5/);
  });

  it("input features: a toggle makes the one edit that sets the list (in Playground's order) and the Input's size", () => {
    assert.deepEqual(chosenFeatures(t), ['x1', 'x2'], 'absent: the raw point');
    assert.deepEqual(featureToggleEdit(t, 'sin(x1)', true), { kind: 'setInputFeatures', features: ['x1', 'x2', 'sin(x1)'] });
    assert.deepEqual(featureToggleEdit(t, 'x1', false), { kind: 'setInputFeatures', features: ['x2'] });
    const chosen = readTraining({ dataset: { source: 'xor', inputFeatures: ['x1*x2', 'x1'] } });
    assert.deepEqual(featureToggleEdit(chosen, 'x1^2', true), { kind: 'setInputFeatures', features: ['x1', 'x1^2', 'x1*x2'] });
    // Back to x1, x2: the key goes.
    assert.deepEqual(featureToggleEdit(readTraining({ dataset: { source: 'xor', inputFeatures: ['x1', 'x2', 'x2^2'] } }), 'x2^2', false), {
      kind: 'setInputFeatures',
      features: null,
    });
    assert.equal(featureToggleEdit(readTraining({ dataset: { source: 'xor', inputFeatures: ['x1'] } }), 'x1', false), null, 'the last feature stays');
    assert.equal(featureToggleEdit(t, 'x1', true), null, 'already on');
    assert.equal(featureToggleEdit(t, 'cos(x1)', true), null);
  });
});

describe('chart arithmetic', () => {
  it('thins long series to the limit, keeping the ends', () => {
    const pts = Array.from({ length: 1000 }, (_, i) => i);
    const t = thin(pts, 600);
    assert.equal(t.length, 600);
    assert.equal(t[0], 0);
    assert.equal(t.at(-1), 999);
    assert.deepEqual(thin([1, 2], 600), [1, 2]);
  });

  it('loss axes: log once the losses span more than ×10; paths skip non-finite points', () => {
    const log = lossScale([0.7, 0.01], 100, 0);
    assert.deepEqual(
      log.ticks.map((t) => t.label),
      ['0.01', '0.1'],
    );
    assert.equal(log(0.7), 0);
    assert.equal(log(0.01), 100);
    const lin = lossScale([0.7, 0.3], 100, 0);
    assert.equal(lin(0), 100);
    assert.equal(lin(0.7), 0);
    assert.equal(lossScale([], 100, 0)(1), 0);
    assert.equal(
      linePath(
        [
          { x: 0, y: 0 },
          { x: NaN, y: 1 },
          { x: 1, y: 1 },
        ],
        linearScale(0, 1, 0, 10),
        logScale(1, 10, 0, 10),
      ),
      'M0 0L10 0',
    );
    assert.deepEqual([0, 0.5, 12, 25000, 3e-4, 1e-5].map(shortNumber), ['0', '0.5', '12', '25k', '3e-4', '1e-5']);
  });
});

describe("the webview's check of training messages", () => {
  it('accepts well-formed messages and refuses the rest', async () => {
    const g = globalThis as Record<string, unknown>;
    g.acquireVsCodeApi ??= () => ({ postMessage() {}, getState() {}, setState() {} });
    g.window ??= { addEventListener() {} };
    const { asHostMessage } = await import('../../webview/host');
    const ok: HostMessage[] = [
      {
        type: 'trainingState',
        status: 'running',
        progress: { step: 1, epoch: 0, epochs: 2, stepsPerEpoch: 3, loss: 0.5, accuracy: 0.5, samplesPerSecond: 10 },
        message: undefined,
        nodeId: undefined,
        classification: true,
      },
      { type: 'trainingMetrics', history: [{ epoch: 0, trainLoss: 0.5, valLoss: 0.4 }] },
      {
        type: 'trainingMetrics',
        history: [],
        train: [
          { step: 3, x: 1, loss: 0.5, accuracy: 0.75 },
          { step: 6, x: 2, loss: 0.25 },
        ],
      },
      { type: 'gradients', update: { step: 3, edges: [0, 1e-3], flags: [null, 'vanishing'], paramNorms: { fc: 1 } } },
      { type: 'boundary', step: 3, grid: 2, extent: 6, values: [0, 0.5, 1, 0.2] },
      { type: 'boundary', step: 3, grid: 1, extent: 6, values: [-0.7], kind: 'regression' },
      {
        type: 'gradients',
        update: { step: 3, edges: [1e-3], flags: [null], paramNorms: { fc: 1 }, params: { fc: { gradRms: 0.1, weightRms: 0.5, updateRatio: 1e-3 } } },
      },
      {
        type: 'nodeStats',
        step: 3,
        nodes: {
          fc: {
            shape: [2, 1],
            output: { count: 2, mean: 0, std: 1, min: -1, max: 1, histogram: [1, 1], values: [-1, 1] },
            grad: { count: 2, mean: 0.5, std: 0, min: 0.5, max: 0.5, histogram: [0, 2] },
          },
          x: { shape: [2, 2] },
        },
      },
      { type: 'datasetPoints', kind: 'regression', train: { xy: [1, 2, -3, 4], label: [0.5, -0.5] }, validation: { xy: [], label: [] } },
      {
        type: 'stepCosts',
        step: 3,
        batch: 16,
        forwardMs: 0.5,
        backwardMs: 1,
        updateMs: 0.1,
        flops: { forward: 100, backward: 190, update: 30 },
        nodes: [
          { id: 'fc', op: 'Linear', forwardMs: 0.25, backwardMs: 0.5, forwardFlops: 100, backwardFlops: 190 },
          { id: '(loss sum)', op: '', forwardMs: 0, backwardMs: 0.01, forwardFlops: 0, backwardFlops: 0 },
        ],
      },
      { type: 'uiPrefs', prefs: { legendOpen: false, overlayMode: 'weight' } },
    ];
    for (const m of ok) assert.deepEqual(JSON.parse(JSON.stringify(asHostMessage(m))), JSON.parse(JSON.stringify(m)), m.type);
    // A loss of NaN is a real state (the run stopped on it): kept.
    assert.ok(
      asHostMessage({
        type: 'trainingState',
        status: 'nonFinite',
        progress: { step: 1, epoch: 0, epochs: 1, stepsPerEpoch: 1, loss: NaN, samplesPerSecond: 1 },
      }),
    );
    for (const bad of [
      { type: 'trainingState', status: 'dancing' },
      { type: 'trainingMetrics', history: [{ epoch: 'one' }] },
      { type: 'trainingMetrics', history: [], train: [{ step: 1, x: 1, loss: 'low' }] },
      { type: 'trainingMetrics', history: [], train: new Array(1001).fill({ step: 1, x: 1, loss: 1 }) },
      { type: 'gradients', update: { step: 1, edges: [1, 2], flags: [null], paramNorms: {} } },
      { type: 'gradients', update: { step: 1, edges: ['1'], flags: [null], paramNorms: {} } },
      { type: 'gradients', update: { step: 1, edges: [1], flags: ['melting'], paramNorms: {} } },
      { type: 'gradients', update: { step: 1, edges: new Array(50_001).fill(0), flags: new Array(50_001).fill(null), paramNorms: {} } },
      { type: 'boundary', step: 1, grid: 2, extent: 6, values: [0, 1, 2] },
      { type: 'boundary', step: 1, grid: 513, extent: 6, values: [] },
      { type: 'boundary', step: 1, grid: 1, extent: 6, values: [0], kind: 'heat' },
      { type: 'gradients', update: { step: 1, edges: [], flags: [], paramNorms: {}, params: 'lots' } },
      { type: 'nodeStats', step: 'now', nodes: {} },
      { type: 'datasetPoints', kind: 'classification', train: { xy: [1, 2, 3], label: [0, 1] }, validation: { xy: [], label: [] } },
      { type: 'datasetPoints', kind: 'clustering', train: { xy: [], label: [] }, validation: { xy: [], label: [] } },
      { type: 'datasetPoints', kind: 'regression', train: { xy: new Array(2002).fill(0), label: new Array(1001).fill(0) }, validation: { xy: [], label: [] } },
      { type: 'uiPrefs', prefs: 'all of them' },
      { type: 'stepCosts', step: 1, batch: 1, forwardMs: -1, backwardMs: 1, updateMs: 1, flops: { forward: 1, backward: 1, update: 1 }, nodes: [] },
      { type: 'stepCosts', step: 1, batch: 1, forwardMs: 1, backwardMs: 1, updateMs: 1, flops: { forward: 1, backward: NaN, update: 1 }, nodes: [] },
      {
        type: 'stepCosts',
        step: 1,
        batch: 1,
        forwardMs: 1,
        backwardMs: 1,
        updateMs: 1,
        flops: { forward: 1, backward: 1, update: 1 },
        nodes: [{ id: 'fc', op: 'Linear', forwardMs: 'fast' }],
      },
      {
        type: 'stepCosts',
        step: 1,
        batch: 1,
        forwardMs: 1,
        backwardMs: 1,
        updateMs: 1,
        flops: { forward: 1, backward: 1, update: 1 },
        nodes: new Array(10_001).fill({ id: 'a', op: 'ReLU', forwardMs: 0, backwardMs: 0, forwardFlops: 0, backwardFlops: 0 }),
      },
    ]) {
      assert.equal(asHostMessage(bad), null, JSON.stringify(bad).slice(0, 80));
    }
    // Node ids such as __proto__ stay plain data.
    const m = asHostMessage(JSON.parse('{"type":"gradients","update":{"step":1,"edges":[],"flags":[],"paramNorms":{"__proto__":2}}}'));
    assert.ok(m && m.type === 'gradients');
    assert.equal(Object.getPrototypeOf(m.update.paramNorms), null);
    assert.equal(m.update.paramNorms['__proto__'], 2);
  });
});
