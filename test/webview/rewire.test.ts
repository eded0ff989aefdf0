/// <reference path="../../webview/vscode-api.d.ts" />
// The training panel's rewire offer (webview/training/rewire.ts): when it is offered, what it changes, and that
// the one batch edit it makes, applied by the host's own edit code, gives a model that analyses without error
// and whose dataset builds (the engine's check that the Target fits the set).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeModel } from '../../engine/graph/analyze';
import { buildDataset, GraphModel, readDatasetSpec } from '../../engine';
import type { ModelJson } from '../../engine/graph/types';
import { applyGraphEdit } from '../../extension/document/graphEdits';
import { mlpClassifier } from '../../extension/templates/mlpClassifier';
import type { GraphEdit } from '../../protocol/messages';
import { datasetTask, rewireEdit, rewireOffer } from '../../webview/training/rewire';

const TEMPLATE = JSON.stringify(mlpClassifier.model, null, 2);

function offerFor(text: string, source: string) {
  const analysis = analyzeModel(text);
  return rewireOffer(analysis, analysis.model!.training, source);
}

/** The Rewire button's edit applied to the text, as the host applies it. */
function rewired(text: string, source: string): { text: string; edit: GraphEdit } {
  const analysis = analyzeModel(text);
  const offer = rewireOffer(analysis, analysis.model!.training, source);
  assert.ok(offer, `no offer for ${source}`);
  const edit = rewireEdit(analysis.model!.training, offer)!;
  const r = applyGraphEdit(text, edit);
  assert.ok(r.ok, !r.ok ? r.reason : '');
  return { text: r.text, edit };
}

/** The model trains on its dataset: no analysis error, and the dataset binds to its Input and Target. */
function assertTrainable(text: string) {
  const analysis = analyzeModel(text);
  assert.deepEqual(
    analysis.errors.map((e) => e.message),
    [],
  );
  const spec = readDatasetSpec(analysis.model!.training).spec!;
  const ds = buildDataset(GraphModel.create(analysis), spec);
  assert.ok(ds.n > 0);
}

type Model = ModelJson & { training: { dataset?: { source: string } } };
const withModel = (text: string, f: (m: Model) => void) => {
  const m = JSON.parse(text) as Model;
  f(m);
  return JSON.stringify(m, null, 2);
};

describe('the rewire offer', () => {
  it('knows the kind of each dataset; CSV is unknown', () => {
    assert.equal(datasetTask('circle'), 'classification');
    assert.equal(datasetTask('digits'), 'classification');
    assert.equal(datasetTask('regress-gaussians'), 'regression');
    assert.equal(datasetTask('csv'), 'unknown');
    assert.equal(datasetTask(undefined), 'unknown');
  });

  it('the MLP classifier template on regress-plane: one batch of the dataset, the width, the Target and the loss', () => {
    const offer = offerFor(TEMPLATE, 'regress-plane')!;
    assert.equal(offer.task, 'regression');
    assert.equal(offer.now, 'Target "y" int32 [] → CrossEntropyLoss "loss"');
    assert.deepEqual(offer.changes, ['"fc3": 2 → 1 output', 'Target "y": int32 [] → float32 [1]', '"loss": CrossEntropyLoss → MSELoss']);
    assert.equal(offer.todo, undefined);
    const { text, edit } = rewired(TEMPLATE, 'regress-plane');
    assert.deepEqual(edit, {
      kind: 'batch',
      label: 'Use Regression: plane and rewire for regression',
      edits: [
        { kind: 'setTraining', path: ['dataset', 'source'], value: 'regress-plane' },
        { kind: 'setAttr', nodeId: 'fc3', attr: 'outFeatures', value: 1 },
        { kind: 'setAttr', nodeId: 'y', attr: 'dtype', value: 'float32' },
        { kind: 'setAttr', nodeId: 'y', attr: 'shape', value: [1] },
        { kind: 'setOp', nodeId: 'loss', op: 'MSELoss' },
      ],
    });
    assertTrainable(text);
    // The template as it is does not train on regress-plane: the engine refuses its int32 Target.
    const keep = applyGraphEdit(TEMPLATE, { kind: 'setTraining', path: ['dataset', 'source'], value: 'regress-plane' });
    assert.ok(keep.ok);
    assert.throws(() => buildDataset(GraphModel.create(keep.text), readDatasetSpec(JSON.parse(keep.text).training).spec!), /regression set/);

    // And back: the rewired model on a classification set goes back to two logits and cross-entropy.
    const back = offerFor(text, 'spiral')!;
    assert.deepEqual(back.changes, ['"fc3": 1 → 2 outputs', 'Target "y": float32 [1] → int32 []', '"loss": MSELoss → CrossEntropyLoss']);
    assertTrainable(rewired(text, 'spiral').text);
  });

  it('is not offered within a kind, for CSV, for a model that already fits, or without one Target feeding one loss', () => {
    assert.equal(offerFor(TEMPLATE, 'xor'), null);
    assert.equal(offerFor(TEMPLATE, 'csv'), null);
    // Regression wiring (MSE, float32) on a regression set: nothing to offer even from a classification set.
    const regression = rewired(TEMPLATE, 'regress-plane').text;
    const onCircle = withModel(regression, (m) => (m.training.dataset!.source = 'circle'));
    assert.ok(offerFor(onCircle, 'regress-gaussians') === null);
    // A BCE classifier fits classification: no offer for spiral from a regression set.
    const bce = withModel(onCircle, (m) => {
      m.nodes.find((n) => n.id === 'loss')!.op = 'BCEWithLogitsLoss';
      m.training.dataset!.source = 'regress-plane';
    });
    assert.equal(offerFor(bce, 'spiral'), null);
    // …but for regression it is: MSELoss in place of BCE, the Target already float32 [1].
    const bceOnCircle = withModel(bce, (m) => (m.training.dataset!.source = 'circle'));
    assert.deepEqual(offerFor(bceOnCircle, 'regress-plane')!.changes, ['"loss": BCEWithLogitsLoss → MSELoss']);
    // No Target, or two losses on it: nothing safe to rewire.
    const noTarget = withModel(TEMPLATE, (m) => {
      m.nodes = m.nodes.filter((n) => n.id !== 'y');
      m.edges = m.edges!.filter((e) => e.from !== 'y');
    });
    assert.equal(offerFor(noTarget, 'regress-plane'), null);
    const twoLosses = withModel(TEMPLATE, (m) => {
      m.nodes.push({ id: 'loss2', op: 'CrossEntropyLoss' });
      m.edges!.push({ from: 'fc3', to: 'loss2', port: 0 }, { from: 'y', to: 'loss2', port: 1 });
    });
    assert.equal(offerFor(twoLosses, 'regress-plane'), null);
  });

  it('digits needs ten logits; a prediction it cannot resize is left to the person, and said', () => {
    const regression = rewired(TEMPLATE, 'regress-plane').text;
    assert.deepEqual(offerFor(regression, 'digits')!.changes[0], '"fc3": 1 → 10 outputs');
    // A Tanh between the last Linear and the loss: the offer rewires the Target and loss and says what to change.
    const tanh = withModel(TEMPLATE, (m) => {
      m.nodes.push({ id: 'squash', op: 'Tanh' });
      m.edges = m.edges!.filter((e) => !(e.from === 'fc3' && e.to === 'loss'));
      m.edges.push({ from: 'fc3', to: 'squash' }, { from: 'squash', to: 'loss', port: 0 });
    });
    const offer = offerFor(tanh, 'regress-plane')!;
    assert.deepEqual(offer.changes, ['Target "y": int32 [] → float32 [1]', '"loss": CrossEntropyLoss → MSELoss']);
    assert.equal(offer.todo, '"squash" gives [N, 2]: MSELoss needs [N, 1]. Change the layer that feeds "loss" to 1 output.');
  });

  it('a model without a dataset writes the dataset object in the same batch', () => {
    const none = withModel(TEMPLATE, (m) => delete m.training.dataset);
    const { text, edit } = rewired(none, 'regress-gaussians');
    assert.ok(edit.kind === 'batch');
    assert.deepEqual(edit.edits[0], { kind: 'setTraining', path: ['dataset'], value: { source: 'regress-gaussians' } });
    assertTrainable(text);
  });
});
