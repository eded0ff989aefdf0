// A batch edit from the graph editor (the training panel's rewire: the dataset, the Target and the loss) reaches
// the document as ONE WorkspaceEdit, so VS Code undoes all of it in one step; a batch with a refused item
// changes nothing and says which item. The real bundle (dist/extension.js) in the host harness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeUri, startHost, type OpenEditor } from './host-harness';
import { mlpClassifier } from '../../extension/templates/mlpClassifier';
import type { GraphEdit } from '../../protocol/messages';

const WS = FakeUri.file('/ws');
const TEMPLATE = JSON.stringify(mlpClassifier.model, null, 2);
const editMsg = (e: OpenEditor, edit: GraphEdit) => ({ type: 'edit', version: e.doc.version, edit });

const REWIRE: GraphEdit = {
  kind: 'batch',
  label: 'Use Regression: plane and rewire for regression',
  edits: [
    { kind: 'setTraining', path: ['dataset', 'source'], value: 'regress-plane' },
    { kind: 'setAttr', nodeId: 'fc3', attr: 'outFeatures', value: 1 },
    { kind: 'setAttr', nodeId: 'y', attr: 'dtype', value: 'float32' },
    { kind: 'setAttr', nodeId: 'y', attr: 'shape', value: [1] },
    { kind: 'setOp', nodeId: 'loss', op: 'MSELoss' },
  ],
};

test('a batch is applied as one WorkspaceEdit: one undo step for the dataset, the Target and the loss', async () => {
  const host = await startHost({ workspaceFolder: WS });
  const editor = await host.open(FakeUri.file('/ws/m.nn.json'), TEMPLATE);
  const version = editor.doc.version;
  editor.send(editMsg(editor, REWIRE));
  await host.settle();
  assert.deepEqual(editor.posts('editRejected'), []);
  assert.equal(host.applied.length, 1, 'one WorkspaceEdit');
  assert.equal(editor.doc.version, version + 1, 'one new version');
  const m = JSON.parse(editor.doc.getText());
  assert.equal(m.training.dataset.source, 'regress-plane');
  const node = (id: string) => m.nodes.find((n: { id: string }) => n.id === id);
  assert.deepEqual(node('fc3').attrs, { outFeatures: 1 });
  assert.deepEqual(node('y').attrs, { shape: [1], dtype: 'float32' });
  assert.equal(node('loss').op, 'MSELoss');
  // The webview got the new text once.
  assert.equal(editor.posts('document').at(-1)!.version, version + 1);
});

test('a batch with a refused item changes nothing and names the item', async () => {
  const host = await startHost({ workspaceFolder: WS });
  const editor = await host.open(FakeUri.file('/ws/m.nn.json'), TEMPLATE);
  const before = editor.doc.getText();
  const version = editor.doc.version;
  const edits = [...(REWIRE as Extract<GraphEdit, { kind: 'batch' }>).edits];
  edits[3] = { kind: 'setAttr', nodeId: 'y', attr: 'shape', value: [0] };
  editor.send(editMsg(editor, { kind: 'batch', label: 'Rewire', edits }));
  await host.settle();
  const reasons = editor.posts('editRejected').map((m) => String(m.reason));
  assert.equal(reasons.length, 1);
  assert.match(reasons[0]!, /^Rewire: edit 4 of 5 \(setting "shape" of "y"\) was refused: .*positive integers.* Nothing was changed\.$/);
  assert.equal(host.applied.length, 0);
  assert.equal(editor.doc.getText(), before);
  assert.equal(editor.doc.version, version);
});

test('a dataset path in a batch is checked as a lone setTraining is', async () => {
  const host = await startHost({ workspaceFolder: WS });
  const editor = await host.open(FakeUri.file('/ws/m.nn.json'), TEMPLATE);
  const before = editor.doc.getText();
  editor.send(
    editMsg(editor, {
      kind: 'batch',
      label: 'CSV',
      edits: [
        { kind: 'setTraining', path: ['dataset'], value: { source: 'csv', path: '../../etc/passwd', label: 'y' } },
        { kind: 'setName', name: 'x' },
      ],
    }),
  );
  await host.settle();
  assert.deepEqual(
    editor.posts('editRejected').map((m) => m.reason),
    ['training.dataset.path ("../../etc/passwd") points outside /ws; nothing was changed.'],
  );
  assert.equal(editor.doc.getText(), before);
});
