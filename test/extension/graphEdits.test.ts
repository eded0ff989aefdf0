// The document ↔ graph mapping (extension/document/graphEdits.ts): every GraphEdit on the example files and on
// hand-edited files with odd formatting gives the model the edit means (checked against an independent
// oracle on the parsed JSON), re-analyses as expected, keeps the file's layout, and leaves unrelated lines
// untouched; refused edits say why; files the editor cannot show are never changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyzeModel } from '../../engine/graph/analyze';
import type { EdgeJson, ModelJson, NodeJson } from '../../engine/graph/types';
import { applyGraphEdit, editBlocker } from '../../extension/document/graphEdits';
import { applyTextEdits } from '../../extension/document/jsonText';
import { diffTexts } from '../../extension/document/textDiff';
import type { GraphEdit } from '../../protocol/messages';

const example = (name: string) => readFileSync(`examples/${name}`, 'utf8');
const EXAMPLES = ['xor.nn.json', 'mnist-cnn.nn.json', 'residual-mlp.nn.json'];

/** The edit applied to the parsed model: what the new text must parse to (edges compared with port defaulted). */
function oracle(model: ModelJson, edit: GraphEdit): ModelJson {
  const m = structuredClone(model);
  m.edges ??= [];
  const port = (e: EdgeJson) => e.port ?? 0;
  const round = (v: number) => Math.round(v) + 0;
  switch (edit.kind) {
    case 'addNodes':
      for (const n of edit.nodes) {
        const node: NodeJson = { id: n.id, op: n.op };
        if (n.attrs && Object.keys(n.attrs).length) node.attrs = { ...n.attrs };
        if (n.ui) node.ui = { ...n.ui, ...(n.ui.x !== undefined ? { x: round(n.ui.x) } : {}), ...(n.ui.y !== undefined ? { y: round(n.ui.y) } : {}) };
        m.nodes.push(node);
      }
      m.edges.push(...edit.edges.map((e) => ({ ...e })));
      break;
    case 'moveNodes':
      for (const [id, p] of Object.entries(edit.positions)) {
        const n = m.nodes.find((x) => x.id === id)!;
        n.ui = { ...(n.ui ?? {}), x: round(p.x), y: round(p.y) };
      }
      break;
    case 'deleteElements': {
      const gone = new Set(edit.nodeIds);
      m.nodes = m.nodes.filter((n) => !gone.has(n.id));
      m.edges = m.edges.filter(
        (e) => !gone.has(e.from) && !gone.has(e.to) && !edit.edges.some((d) => d.from === e.from && d.to === e.to && port(d) === port(e)),
      );
      if (m.params) for (const k of Object.keys(m.params)) if (gone.has(k.split('.')[0]!)) delete m.params[k];
      break;
    }
    case 'connect':
      m.edges.push({ ...edit.edge });
      break;
    case 'setInput': {
      const i = m.edges.findIndex((e) => e.to === edit.nodeId && port(e) === edit.port);
      if (edit.source === null) m.edges = m.edges.filter((e) => !(e.to === edit.nodeId && port(e) === edit.port));
      else if (i >= 0) m.edges[i]!.from = edit.source;
      else m.edges.push({ from: edit.source, to: edit.nodeId, port: edit.port });
      break;
    }
    case 'setAttr': {
      const n = m.nodes.find((x) => x.id === edit.nodeId)!;
      if (edit.value === null) {
        if (n.attrs) delete n.attrs[edit.attr];
        if (n.attrs && Object.keys(n.attrs).length === 0) delete n.attrs;
      } else {
        n.attrs = { ...(n.attrs ?? {}), [edit.attr]: edit.value };
      }
      break;
    }
    case 'renameNode': {
      for (const n of m.nodes) if (n.id === edit.from) n.id = edit.to;
      for (const e of m.edges) {
        if (e.from === edit.from) e.from = edit.to;
        if (e.to === edit.from) e.to = edit.to;
      }
      if (m.params) {
        m.params = Object.fromEntries(Object.entries(m.params).map(([k, v]) => [k.startsWith(edit.from + '.') ? edit.to + k.slice(edit.from.length) : k, v]));
      }
      const ds = (m.training as { dataset?: Record<string, unknown> } | undefined)?.dataset;
      if (ds) for (const k of ['input', 'target']) if (ds[k] === edit.from) ds[k] = edit.to;
      break;
    }
    case 'setName':
      m.name = edit.name;
      break;
    case 'setTraining': {
      const full = ['training', ...edit.path];
      let o = m as Record<string, unknown>;
      for (const k of full.slice(0, -1)) {
        if (o[k] === undefined) {
          if (edit.value === null) return m;
          o[k] = {};
        }
        o = o[k] as Record<string, unknown>;
      }
      if (edit.value === null) delete o[full.at(-1)!];
      else o[full.at(-1)!] = structuredClone(edit.value);
      break;
    }
    case 'setInputFeatures': {
      // The key, and the bound Input sized to the features ([2] for the raw point of a 2-D set) unless it already is.
      const ds = (m.training as { dataset: Record<string, unknown> }).dataset;
      if (edit.features === null) delete ds.inputFeatures;
      else ds.inputFeatures = [...edit.features];
      const pointSet = ['circle', 'xor', 'gaussians', 'spiral', 'regress-plane', 'regress-gaussians'].includes(ds.source as string);
      if (edit.features === null && !pointSet) break;
      const inputs = m.nodes.filter((n) => n.op === 'Input');
      const input = typeof ds.input === 'string' ? inputs.find((n) => n.id === ds.input)! : inputs[0]!;
      const k = edit.features?.length ?? 2;
      const size = ((input.attrs?.shape ?? []) as number[]).reduce((a, b) => a * b, 1);
      if (size !== k) input.attrs = { ...(input.attrs ?? {}), shape: [k] };
      break;
    }
  }
  return m;
}

function normalise(m: ModelJson): ModelJson {
  return { ...m, edges: (m.edges ?? []).map((e) => ({ from: e.from, to: e.to, port: e.port ?? 0 })) };
}

/** Lines of `a` that are not in `b` and the other way round (a line-level LCS, independent of textDiff.ts). */
function changedLines(a: string, b: string): { removed: string[]; added: string[] } {
  const x = a.split('\n');
  const y = b.split('\n');
  const dp = Array.from({ length: x.length + 1 }, () => new Int32Array(y.length + 1));
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--) dp[i]![j] = x[i] === y[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
  const removed: string[] = [];
  const added: string[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      i++;
      j++;
    } else if (j < y.length && (i === x.length || dp[i]![j + 1]! >= dp[i + 1]![j]!)) added.push(y[j++]!);
    else removed.push(x[i++]!);
  }
  return { removed, added };
}

/** Applies an edit that must succeed, checking it against the oracle and the analysis; returns the new text. */
function apply(text: string, edit: GraphEdit): string {
  const r = applyGraphEdit(text, edit);
  assert.ok(r.ok, `refused: ${!r.ok && r.reason}`);
  assert.ok(r.changed, 'nothing changed');
  const before = JSON.parse(text) as ModelJson;
  assert.deepEqual(normalise(JSON.parse(r.text)), normalise(oracle(before, edit)), `${edit.kind}: the new text does not mean what the edit says`);
  assert.equal(editBlocker(r.text), undefined);
  // The minimal edits the host sends as a WorkspaceEdit give the same text.
  assert.equal(applyTextEdits(text, diffTexts(text, r.text)), r.text);
  return r.text;
}

function refused(text: string, edit: GraphEdit, reason: RegExp): void {
  const r = applyGraphEdit(text, edit);
  assert.equal(r.ok, false, `${edit.kind} should be refused`);
  assert.match((r as { reason: string }).reason, reason);
}

// ---------------------------------------------------------------------------------------------
// The example files

const XOR = example('xor.nn.json');
/** The example trained on Playground's generated XOR points instead of its inline truth table: a 2-D set, as input features need. */
const INLINE_XOR = '"dataset": {"source": "inline", "rows": [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]]}';
const XOR_POINTS = XOR.replace(INLINE_XOR, '"dataset": {"source": "xor", "size": 400, "noise": 0}');

test('moving a node changes only the numbers in its line', () => {
  for (const name of EXAMPLES) {
    const text = example(name);
    const first = (JSON.parse(text) as ModelJson).nodes[1]!;
    const out = apply(text, { kind: 'moveNodes', positions: { [first.id]: { x: 333.4, y: -12.6 } } });
    const { removed, added } = changedLines(text, out);
    assert.equal(removed.length, 1, name);
    assert.equal(added.length, 1, name);
    assert.ok(removed[0]!.includes(`"id": "${first.id}"`), name);
    assert.match(added[0]!, /"ui": \{ "x": 333, "y": -13 \}/);
    // The WorkspaceEdit is as small as the change: inside that one line.
    for (const e of diffTexts(text, out)) assert.ok(!text.slice(e.offset, e.offset + e.length).includes('\n'));
  }
});

test('a drop adds one line per node and per edge, written like the examples', () => {
  for (const name of EXAMPLES) {
    const text = example(name);
    const m = JSON.parse(text) as ModelJson;
    const source = m.nodes.find((n) => n.op !== 'Target' && !/Loss$/.test(n.op))!.id;
    const out = apply(text, {
      kind: 'addNodes',
      nodes: [
        { id: 'extra', op: 'Linear', attrs: { outFeatures: 4 }, ui: { x: 10.2, y: 20.7 } },
        { id: 'extraAct', op: 'ReLU', ui: { x: 200, y: 20 } },
      ],
      edges: [
        { from: source, to: 'extra' },
        { from: 'extra', to: 'extraAct' },
      ],
    });
    const { removed, added } = changedLines(text, out);
    // The old last node and last edge gain a comma; four new lines.
    assert.equal(removed.length, 2, `${name}: ${removed.join(' | ')}`);
    assert.deepEqual(
      added.filter((l) => l.includes('extra')).map((l) => l.trim()),
      [
        '{ "id": "extra", "op": "Linear", "attrs": { "outFeatures": 4 }, "ui": { "x": 10, "y": 21 } },',
        '{ "id": "extraAct", "op": "ReLU", "ui": { "x": 200, "y": 20 } }',
        `{ "from": "${source}", "to": "extra" },`,
        '{ "from": "extra", "to": "extraAct" }',
      ],
    );
    for (const l of added) assert.match(l, /^ {4}\{/, 'new lines are indented like their neighbours');
  }
});

test('deleting a node removes its line, the lines of its edges and its inline params', () => {
  const withParams = XOR.replace(
    /\n {2}"training"/,
    '\n  "params": {\n    "fc1.bias": { "shape": [8], "data": [0, 0, 0, 0, 0, 0, 0, 0] },\n    "fc2.bias": { "shape": [2], "data": [1, 2] }\n  },\n  "training"',
  );
  const out = apply(withParams, { kind: 'deleteElements', nodeIds: ['fc1'], edges: [] });
  const { removed, added } = changedLines(withParams, out);
  assert.deepEqual(added, []);
  assert.equal(removed.length, 4, removed.join('\n'));
  assert.ok(removed.every((l) => l.includes('fc1')));
  const a = analyzeModel(out);
  assert.ok(
    a.errors.some((e) => e.code === 'missing-input' && e.nodeId === 'act1'),
    'act1 lost its input',
  );
  assert.ok(!a.errors.some((e) => e.code === 'bad-params'));

  // Deleting the last node and the last edge: the line before loses its comma, nothing else changes.
  const last = apply(XOR, { kind: 'deleteElements', nodeIds: ['loss'], edges: [] });
  const d = changedLines(XOR, last);
  assert.equal(d.removed.length, 5);
  assert.deepEqual(
    d.added.map((l) => l.trim()),
    ['{ "id": "y",    "op": "Target", "attrs": { "shape": [], "dtype": "int32" } }', '{ "from": "act1", "to": "fc2" }'],
  );

  // An edge on its own, and every node at once.
  apply(XOR, { kind: 'deleteElements', nodeIds: [], edges: [{ from: 'fc2', to: 'loss', port: 0 }] });
  const empty = apply(XOR, { kind: 'deleteElements', nodeIds: ['x', 'fc1', 'act1', 'fc2', 'y', 'loss'], edges: [] });
  assert.match(empty, /"nodes": \[\],\n {2}"edges": \[\],/);
});

test('connect, setInput and setAttr touch one line each (plus a comma)', () => {
  const cut = apply(XOR, { kind: 'deleteElements', nodeIds: [], edges: [{ from: 'act1', to: 'fc2' }] });
  const joined = apply(cut, { kind: 'connect', edge: { from: 'act1', to: 'fc2' } });
  assert.equal(analyzeModel(joined).errors.length, 0);
  // setInput rewires the edge in place: one line, one word.
  const rewired = apply(XOR, { kind: 'setInput', nodeId: 'fc2', port: 0, source: 'fc1' });
  assert.deepEqual(changedLines(XOR, rewired), { removed: ['    { "from": "act1", "to": "fc2" },'], added: ['    { "from": "fc1", "to": "fc2" },'] });
  const unplugged = apply(XOR, { kind: 'setInput', nodeId: 'fc2', port: 0, source: null });
  assert.deepEqual(changedLines(XOR, unplugged), { removed: ['    { "from": "act1", "to": "fc2" },'], added: [] });
  apply(unplugged, { kind: 'setInput', nodeId: 'fc2', port: 0, source: 'act1' });

  const attr = apply(XOR, { kind: 'setAttr', nodeId: 'fc1', attr: 'outFeatures', value: 32 });
  assert.deepEqual(changedLines(XOR, attr), {
    removed: ['    { "id": "fc1",  "op": "Linear", "attrs": { "outFeatures": 8 } },'],
    added: ['    { "id": "fc1",  "op": "Linear", "attrs": { "outFeatures": 32 } },'],
  });
  const a = analyzeModel(attr);
  assert.equal(a.nodes.get('fc1')!.paramCount, 32 * 2 + 32);
  // A new attribute on a node without attrs, a list value, and removing the last attribute.
  const act = apply(XOR, { kind: 'setAttr', nodeId: 'x', attr: 'shape', value: [3] });
  assert.match(act, /"id": "x", {4}"op": "Input", {2}"attrs": \{ "shape": \[3\] \}/);
  const drop = apply(XOR, { kind: 'addNodes', nodes: [{ id: 'drop', op: 'Dropout' }], edges: [] });
  assert.match(apply(drop, { kind: 'setAttr', nodeId: 'drop', attr: 'p', value: 0.25 }), /\{ "id": "drop", "op": "Dropout", "attrs": \{ "p": 0.25 \} \}/);
  const noAttrs = apply(XOR, { kind: 'setAttr', nodeId: 'fc1', attr: 'outFeatures', value: null });
  assert.match(noAttrs, /\{ "id": "fc1", {2}"op": "Linear" \},/);
  assert.ok(analyzeModel(noAttrs).errors.some((e) => e.code === 'missing-attr' && e.nodeId === 'fc1'));
});

test('rename rewrites the id, the edges, inline params keys and the dataset binding', () => {
  const text = XOR.replace(/\n {2}"training"/, '\n  "params": { "fc1.bias": { "shape": [8], "data": [1, 2, 3, 4, 5, 6, 7, 8] } },\n  "training"').replace(
    '"dataset": {"source": "inline",',
    '"dataset": {"source": "inline", "input": "x",',
  );
  const out = apply(text, { kind: 'renameNode', from: 'fc1', to: 'hidden' });
  assert.equal(analyzeModel(out).errors.length, 0);
  const { removed, added } = changedLines(text, out);
  assert.equal(removed.length, 4);
  assert.ok(added.every((l) => l.includes('hidden')));
  const r = applyGraphEdit(text, { kind: 'renameNode', from: 'x', to: 'features' });
  assert.ok(r.ok && r.rename?.from === 'x' && r.rename.to === 'features');
  assert.equal((JSON.parse(r.text).training as { dataset: { input: string } }).dataset.input, 'features');
  // Renaming to itself is no change at all.
  const same = applyGraphEdit(text, { kind: 'renameNode', from: 'fc1', to: 'fc1' });
  assert.ok(same.ok && !same.changed && same.text === text);
});

test('setName replaces the name, or adds it after "version"', () => {
  const out = apply(XOR, { kind: 'setName', name: 'Mon modèle "XOR" \u2028' });
  assert.deepEqual(changedLines(XOR, out).removed, ['  "name": "XOR classifier",']);
  const nameless = XOR.replace('  "name": "XOR classifier",\n', '');
  const named = apply(nameless, { kind: 'setName', name: 'n' });
  assert.match(named, /"version": 1,\n {2}"name": "n",\n {2}"nodes"/);
});

test('setTraining sets, adds and removes keys under "training", creating what is missing', () => {
  const lr = apply(XOR, { kind: 'setTraining', path: ['optimizer', 'lr'], value: 0.003 });
  assert.deepEqual(changedLines(XOR, lr).added, [
    `  "training": {"seed": 0, "optimizer": {"type": "Adam", "lr": 0.003}, "batchSize": 4, "epochs": 300, ${INLINE_XOR}}`,
  ]);
  apply(XOR, { kind: 'setTraining', path: ['optimizer', 'betas'], value: [0.8, 0.9] });
  apply(XOR, { kind: 'setTraining', path: ['dataset'], value: { source: 'csv', path: 'data/points.csv' } });
  apply(XOR, { kind: 'setTraining', path: ['epochs'], value: null });
  apply(XOR, { kind: 'setTraining', path: ['schedule', 'warmup', 'steps'], value: 10 });
  const none = XOR.replace(/,\n {2}"training": .*\n/, '\n');
  const added = apply(none, { kind: 'setTraining', path: ['optimizer', 'type'], value: 'SGD' });
  assert.match(added, /"weights": "xor.safetensors",\n {2}"training": \{ "optimizer": \{ "type": "SGD" \} \}\n\}/);
  const r = applyGraphEdit(none, { kind: 'setTraining', path: ['optimizer', 'lr'], value: null });
  assert.ok(r.ok && !r.changed);
  refused(
    XOR.replace('"optimizer": {"type": "Adam", "lr": 0.01}', '"optimizer": "Adam"'),
    { kind: 'setTraining', path: ['optimizer', 'lr'], value: 1 },
    /"training.optimizer" in the file is not an object/,
  );
  // A bad value is the engine's diagnostic, not a refusal: the panel shows it like any other error.
  const bad = apply(XOR, { kind: 'setTraining', path: ['optimizer', 'lr'], value: -1 });
  assert.ok(analyzeModel(bad).errors.some((e) => e.code === 'bad-training'));
});

test("setInputFeatures sets training.dataset.inputFeatures and the Input's shape in one edit; null restores the raw point", () => {
  const out = apply(XOR_POINTS, { kind: 'setInputFeatures', features: ['x1', 'x2', 'x1*x2'] });
  const { removed, added } = changedLines(XOR_POINTS, out);
  assert.deepEqual(
    removed.map((l) => l.trim().slice(0, 14)),
    ['{ "id": "x",  ', '"training": {"'],
  );
  assert.match(added[0]!, /"id": "x", +"op": "Input", +"attrs": \{ "shape": \[3\] \}/);
  assert.match(added[1]!, /"dataset": \{"source": "xor", "size": 400, "noise": 0, "inputFeatures": \["x1", "x2", "x1\*x2"\]\}/);
  assert.deepEqual(analyzeModel(out).errors, [], 'the Input and the features agree');
  // Changing the choice changes both again; the same choice changes nothing.
  const one = apply(out, { kind: 'setInputFeatures', features: ['sin(x1)'] });
  assert.match(one, /"shape": \[1\]/);
  const same = applyGraphEdit(one, { kind: 'setInputFeatures', features: ['sin(x1)'] });
  assert.ok(same.ok && !same.changed);
  // null: the key goes, the Input takes the raw point again: the file as it was.
  assert.equal(apply(one, { kind: 'setInputFeatures', features: null }), XOR_POINTS);
  // For a dataset of another kind, null only removes a leftover key.
  const digits = out.replace('"source": "xor"', '"source": "digits"');
  const cleaned = apply(digits, { kind: 'setInputFeatures', features: null });
  assert.match(cleaned, /"shape": \[3\]/);
  assert.doesNotMatch(cleaned, /inputFeatures/);
});

test('setInputFeatures refuses unknown and repeated names, other datasets and an unknown Input, saying why', () => {
  refused(XOR_POINTS, { kind: 'setInputFeatures', features: ['x1', 'x3'] }, /"x3" is not an input feature: use x1, x2, x1\^2/);
  refused(XOR_POINTS, { kind: 'setInputFeatures', features: ['x1', 'x1'] }, /repeats "x1"/);
  refused(
    XOR_POINTS.replace('"source": "xor"', '"source": "digits"'),
    { kind: 'setInputFeatures', features: ['x1'] },
    /apply only to the generated 2-D datasets .* not to "digits"/,
  );
  // The example's own inline truth table is not a generated set either.
  refused(XOR, { kind: 'setInputFeatures', features: ['x1'] }, /apply only to the generated 2-D datasets .* not to "inline"/);
  refused(
    XOR_POINTS.replace(/, "dataset": \{[^}]*\}/, ''),
    { kind: 'setInputFeatures', features: ['x1'] },
    /no training\.dataset: choose one of the 2-D datasets first/,
  );
  const twoInputs = XOR_POINTS.replace('{ "id": "fc1",', '{ "id": "x2", "op": "Input", "attrs": { "shape": [2] } },\n    { "id": "fc1",');
  refused(twoInputs, { kind: 'setInputFeatures', features: ['x1'] }, /2 Input nodes \(x, x2\): name the one the dataset feeds in training\.dataset\.input/);
  // Named, it applies to that one.
  const bound = apply(twoInputs.replace('"source": "xor"', '"source": "xor", "input": "x2"'), { kind: 'setInputFeatures', features: ['x1'] });
  assert.match(bound, /"id": "x2", "op": "Input", "attrs": \{ "shape": \[1\] \}/);
});

test('an edit that asks for what the file says changes nothing', () => {
  for (const edit of [
    { kind: 'moveNodes', positions: { x: { x: 40, y: 120 } } },
    { kind: 'setAttr', nodeId: 'fc1', attr: 'outFeatures', value: 8 },
    { kind: 'setAttr', nodeId: 'fc1', attr: 'bias', value: null },
    { kind: 'setInput', nodeId: 'fc2', port: 0, source: 'act1' },
    { kind: 'setName', name: 'XOR classifier' },
  ] as GraphEdit[]) {
    const r = applyGraphEdit(XOR, edit);
    assert.ok(r.ok && !r.changed && r.text === XOR, edit.kind);
  }
});

// ---------------------------------------------------------------------------------------------
// Refusals

test('refused edits say why: cycles, taken ports, unknown nodes, duplicate ids, bad attributes', () => {
  refused(XOR, { kind: 'connect', edge: { from: 'fc2', to: 'fc1' } }, /already fed/);
  refused(XOR, { kind: 'setInput', nodeId: 'fc1', port: 0, source: 'fc2' }, /cycle \(fc1 → act1 → fc2 → fc1\)/);
  refused(XOR, { kind: 'setInput', nodeId: 'fc1', port: 0, source: 'fc1' }, /cannot feed itself/);
  refused(XOR, { kind: 'connect', edge: { from: 'x', to: 'loss', port: 1 } }, /Port 1 \(target\) of "loss" is already fed by "y"/);
  refused(XOR, { kind: 'connect', edge: { from: 'x', to: 'loss', port: 2 } }, /has 2 input ports \(0 prediction, 1 target\), not port 2/);
  refused(XOR, { kind: 'connect', edge: { from: 'fc1', to: 'x' } }, /Input node "x" takes no inputs/);
  refused(XOR, { kind: 'connect', edge: { from: 'nope', to: 'act1' } }, /no node "nope"/);
  refused(XOR, { kind: 'moveNodes', positions: { ghost: { x: 1, y: 1 } } }, /no node "ghost"/);
  refused(XOR, { kind: 'deleteElements', nodeIds: ['ghost'], edges: [] }, /no node "ghost"/);
  refused(XOR, { kind: 'deleteElements', nodeIds: [], edges: [{ from: 'x', to: 'loss' }] }, /no edge x → loss/);
  refused(XOR, { kind: 'renameNode', from: 'fc1', to: 'fc2' }, /"fc2" already exists/);
  refused(XOR, { kind: 'renameNode', from: 'ghost', to: 'z' }, /no node "ghost"/);
  refused(XOR, { kind: 'addNodes', nodes: [{ id: 'fc1', op: 'ReLU' }], edges: [] }, /"fc1" already exists/);
  refused(
    XOR,
    {
      kind: 'addNodes',
      nodes: [
        { id: 'a', op: 'ReLU' },
        { id: 'a', op: 'ReLU' },
      ],
      edges: [],
    },
    /"a" already exists/,
  );
  refused(XOR, { kind: 'addNodes', nodes: [{ id: 'a', op: 'Frobnicate' }], edges: [] }, /Unknown op "Frobnicate"/);
  refused(XOR, { kind: 'addNodes', nodes: [{ id: 'a', op: 'Linear', attrs: { outFeatures: 0 } }], edges: [] }, /outFeatures" must be at least 1/);
  refused(
    XOR,
    {
      kind: 'addNodes',
      nodes: [
        { id: 'a', op: 'ReLU' },
        { id: 'b', op: 'ReLU' },
      ],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
      ],
    },
    /cycle/,
  );
  refused(XOR, { kind: 'setAttr', nodeId: 'act1', attr: 'negativeSlope', value: 0.1 }, /ReLU has no attribute "negativeSlope"/);
  refused(XOR, { kind: 'setAttr', nodeId: 'x', attr: 'dtype', value: 'float64' }, /must be one of "float32", "int32"/);
  refused(XOR, { kind: 'setAttr', nodeId: 'x', attr: 'shape', value: [0] }, /positive integers/);
  refused(XOR, { kind: 'setAttr', nodeId: 'x', attr: 'shape', value: 'abc' }, /must be an array/);
});

test('files the graph editor cannot show are never changed, whatever the edit', () => {
  const m = JSON.parse(XOR) as ModelJson;
  const broken: [string, string, RegExp][] = [
    ['bad JSON', XOR.replace('"nodes": [', '"nodes": [,'), /not valid JSON/],
    ['truncated', XOR.slice(0, 200), /not valid JSON/],
    ['a comment', XOR.replace('"nodes": [', '// layers\n  "nodes": ['), /not valid JSON/],
    ['a trailing comma', XOR.replace('"port": 1 }\n', '"port": 1 },\n'), /not valid JSON/],
    ['a newer version', XOR.replace('"version": 1', '"version": 2'), /format version 2, newer than/],
    ['another format', XOR.replace('"nn-graph"', '"onnx"'), /"format" must be "nn-graph"/],
    ['nodes not an array', JSON.stringify({ ...m, nodes: {} }), /"nodes" must be an array/],
    ['an unknown op', XOR.replace('"ReLU"', '"Relu"'), /unknown op "Relu"/],
    ['a duplicate key', XOR.replace('"name": "XOR classifier",', '"name": "a", "name": "b",'), /key "name" twice/],
    ['a JSON array', '[]', /must be a JSON object/],
    ['empty', '', /not valid JSON/],
  ];
  const edits: GraphEdit[] = [
    { kind: 'moveNodes', positions: { x: { x: 1, y: 2 } } },
    { kind: 'addNodes', nodes: [{ id: 'n', op: 'ReLU' }], edges: [] },
    { kind: 'deleteElements', nodeIds: ['fc1'], edges: [] },
    { kind: 'connect', edge: { from: 'x', to: 'act1' } },
    { kind: 'setInput', nodeId: 'fc2', port: 0, source: 'fc1' },
    { kind: 'setAttr', nodeId: 'fc1', attr: 'outFeatures', value: 3 },
    { kind: 'renameNode', from: 'fc1', to: 'z' },
    { kind: 'setName', name: 'fixed' },
  ];
  for (const [what, text, reason] of broken) {
    assert.ok(editBlocker(text), what);
    for (const edit of edits) refused(text, edit, reason);
  }
});

// ---------------------------------------------------------------------------------------------
// Hand-edited files with odd formatting

const MODEL = JSON.parse(XOR) as ModelJson;

/** The same model written in ways people and other tools write JSON. */
const VARIANTS: Record<string, string> = {
  tabs: JSON.stringify(MODEL, null, '\t') + '\n',
  fourSpaces: JSON.stringify(MODEL, null, 4),
  oneLine: JSON.stringify(MODEL),
  crlf: XOR.replace(/\n/g, '\r\n'),
  crlfTabs: (JSON.stringify(MODEL, null, '\t') + '\n').replace(/\n/g, '\r\n'),
  otherKeyOrder: [
    '{',
    '  "edges": [',
    ...MODEL.edges.map(
      (e, i, a) => `      ${JSON.stringify({ to: e.to, from: e.from, ...(e.port !== undefined ? { port: e.port } : {}) })}${i < a.length - 1 ? ',' : ''}`,
    ),
    '  ],',
    '  "training": {"optimizer": {"lr": 0.01, "type": "Adam"}, "seed": 0},',
    '  "nodes": [',
    ...MODEL.nodes.map(
      (n, i, a) =>
        `      ${JSON.stringify({ ...(n.ui ? { ui: n.ui } : {}), op: n.op, ...(n.attrs ? { attrs: n.attrs } : {}), id: n.id })}${i < a.length - 1 ? ',' : ''}`,
    ),
    '  ],',
    '  "version": 1, "format": "nn-graph"',
    '}',
  ].join('\n'),
  expanded: JSON.stringify(MODEL, null, 2),
};

const ODD_EDITS: GraphEdit[] = [
  { kind: 'moveNodes', positions: { x: { x: 5, y: 6 }, fc1: { x: 7.5, y: 8 } } },
  { kind: 'addNodes', nodes: [{ id: 'extra', op: 'Tanh', ui: { x: 1, y: 2 } }], edges: [{ from: 'fc2', to: 'extra' }] },
  { kind: 'deleteElements', nodeIds: ['act1'], edges: [{ from: 'y', to: 'loss', port: 1 }] },
  { kind: 'deleteElements', nodeIds: ['loss'], edges: [] },
  { kind: 'connect', edge: { from: 'x', to: 'fc2' } },
  { kind: 'setInput', nodeId: 'loss', port: 1, source: 'x' },
  { kind: 'setAttr', nodeId: 'fc2', attr: 'bias', value: false },
  { kind: 'setAttr', nodeId: 'y', attr: 'dtype', value: null },
  { kind: 'setAttr', nodeId: 'act1', attr: 'x', value: null },
  { kind: 'renameNode', from: 'act1', to: 'relu' },
  { kind: 'setName', name: 'renamed' },
  { kind: 'setTraining', path: ['optimizer', 'lr'], value: 0.5 },
];

test('odd formatting: every edit means the same on tabs, 4 spaces, one line, CRLF and other key orders', () => {
  for (const [name, text] of Object.entries(VARIANTS)) {
    assert.equal(editBlocker(text), undefined, name);
    for (const edit of ODD_EDITS) {
      if (edit.kind === 'setAttr' && edit.attr === 'x') {
        refused(text, edit, /ReLU has no attribute "x"/);
        continue;
      }
      if (edit.kind === 'connect') {
        // fc2's only port is taken: connecting needs it free first.
        refused(text, edit, /already fed by "act1"/);
        const freed = apply(text, { kind: 'setInput', nodeId: 'fc2', port: 0, source: null });
        apply(freed, edit);
        continue;
      }
      const out = apply(text, edit);
      const where = `${name} / ${edit.kind}`;
      // The file's own line endings and indentation, and no new lines in a one-line file.
      if (text.includes('\r\n')) assert.doesNotMatch(out.replace(/\r\n/g, ''), /\n/, `${where}: a bare LF in a CRLF file`);
      if (!text.includes('\n')) assert.doesNotMatch(out, /\n/, `${where}: a one-line file got line breaks`);
      if (name === 'tabs' || name === 'crlfTabs') assert.doesNotMatch(out, /^ +\S/m, `${where}: spaces in a tab-indented file`);
      if (name === 'fourSpaces') for (const l of out.split('\n')) assert.equal(/^ */.exec(l)![0].length % 4, 0, `${where}: ${l}`);
      // Unrelated lines are untouched: few lines change, and every changed old line mentions what the edit is about.
      if (text.includes('\n')) {
        const { removed } = changedLines(text.replace(/\r\n/g, '\n'), out.replace(/\r\n/g, '\n'));
        // An expanded file spreads a node or an edge over 4 to 5 lines; a one-node-a-line file over one.
        const bound = ['tabs', 'crlfTabs', 'fourSpaces', 'expanded'].includes(name) ? 20 : 8;
        assert.ok(removed.length <= bound, `${where}: ${removed.length} lines changed`);
      }
    }
  }
});

test('odd formatting: new lines copy the file’s indentation; a one-line array stays on one line', () => {
  const tabs = apply(VARIANTS.tabs!, { kind: 'addNodes', nodes: [{ id: 'n', op: 'ReLU' }], edges: [] });
  assert.match(tabs, /\n\t\t\{\n\t\t\t"id": "loss",\n\t\t\t"op": "CrossEntropyLoss"\n\t\t\},\n\t\t\{ "id": "n", "op": "ReLU" \}\n\t\],/);
  const oneLine = apply(VARIANTS.oneLine!, { kind: 'addNodes', nodes: [{ id: 'n', op: 'ReLU' }], edges: [{ from: 'fc2', to: 'n' }] });
  // A minified file gets minified additions.
  assert.ok(oneLine.includes('{"id":"loss","op":"CrossEntropyLoss"},{"id":"n","op":"ReLU"}]'), oneLine);
  assert.ok(oneLine.includes('{"from":"y","to":"loss","port":1},{"from":"fc2","to":"n"}]'), oneLine);
  const moved = apply(VARIANTS.oneLine!, { kind: 'moveNodes', positions: { fc1: { x: 1, y: 2 } } });
  assert.ok(moved.includes('{"id":"fc1","op":"Linear","attrs":{"outFeatures":8},"ui":{"x":1,"y":2}}'), moved);
  const crlf = apply(VARIANTS.crlf!, { kind: 'setName', name: 'x' });
  assert.equal(crlf.split('\r\n').length, XOR.split('\n').length);
  // A multi-line ui gets its new keys on their own lines.
  const spread = apply(VARIANTS.expanded!, { kind: 'moveNodes', positions: { fc1: { x: 1, y: 2 } } });
  assert.match(spread, /"attrs": \{\n {8}"outFeatures": 8\n {6}\},\n {6}"ui": \{ "x": 1, "y": 2 \}\n {4}\}/);
  // A file with no edges key gets one, after nodes, one edge a line.
  const noEdges = XOR.replace(/ {2}"edges": \[[^\]]*\],\n/, '');
  const withEdge = apply(noEdges, { kind: 'connect', edge: { from: 'x', to: 'fc1' } });
  assert.match(withEdge, /\n {2}\],\n {2}"edges": \[\n {4}\{ "from": "x", "to": "fc1" \}\n {2}\],\n {2}"weights"/);
  // An empty "nodes": [] in a formatted file becomes one node a line.
  const empty = '{\n  "format": "nn-graph",\n  "version": 1,\n  "name": "m",\n  "nodes": [],\n  "edges": []\n}\n';
  const first = apply(empty, { kind: 'addNodes', nodes: [{ id: 'x', op: 'Input', attrs: { shape: [2] }, ui: { x: 0, y: 0 } }], edges: [] });
  assert.equal(
    first,
    '{\n  "format": "nn-graph",\n  "version": 1,\n  "name": "m",\n  "nodes": [\n    { "id": "x", "op": "Input", "attrs": { "shape": [2] }, "ui": { "x": 0, "y": 0 } }\n  ],\n  "edges": []\n}\n',
  );
});

test('the MLP template can be built from an empty file, edit by edit, into a model with no errors', () => {
  let text = '{\n  "format": "nn-graph",\n  "version": 1,\n  "name": "built",\n  "nodes": [],\n  "edges": []\n}\n';
  const add = (id: string, op: string, attrs?: Record<string, unknown>) => {
    text = apply(text, { kind: 'addNodes', nodes: [{ id, op, ...(attrs ? { attrs } : {}), ui: { x: 0, y: 0 } }], edges: [] });
  };
  add('x', 'Input', { shape: [2] });
  add('fc1', 'Linear', { outFeatures: 16 });
  add('act1', 'ReLU');
  add('fc2', 'Linear');
  text = apply(text, { kind: 'setAttr', nodeId: 'fc2', attr: 'outFeatures', value: 2 });
  add('y', 'Target', { shape: [], dtype: 'int32' });
  add('loss', 'CrossEntropyLoss');
  for (const [from, to, port] of [
    ['x', 'fc1', 0],
    ['fc1', 'act1', 0],
    ['act1', 'fc2', 0],
    ['fc2', 'loss', 0],
    ['y', 'loss', 1],
  ] as const) {
    text = apply(text, { kind: 'connect', edge: { from, to, port } });
  }
  text = apply(text, { kind: 'moveNodes', positions: { x: { x: 40, y: 120 }, fc1: { x: 220, y: 120 } } });
  assert.deepEqual(analyzeModel(text).errors, []);
  assert.match(text, /\{ "from": "fc2", "to": "loss", "port": 0 \},\n {4}\{ "from": "y", "to": "loss", "port": 1 \}/);
  assert.match(text, /\{ "from": "x", "to": "fc1" \}/);
});

test('every example re-analyses with no errors after a round of edits', () => {
  for (const name of EXAMPLES) {
    let text = example(name);
    const m = JSON.parse(text) as ModelJson;
    const ids = m.nodes.map((n) => n.id);
    text = apply(text, { kind: 'moveNodes', positions: Object.fromEntries(ids.map((id, i) => [id, { x: i * 100, y: 50 }])) });
    text = apply(text, { kind: 'renameNode', from: ids[1]!, to: `${ids[1]}_renamed` });
    text = apply(text, { kind: 'setName', name: `${m.name} (edited)` });
    assert.deepEqual(analyzeModel(text).errors, [], name);
  }
});

test('large models and large edits stay fast (no quadratic work)', () => {
  const N = 5000;
  const nodes: NodeJson[] = [{ id: 'x', op: 'Input', attrs: { shape: [4] }, ui: { x: 0, y: 0 } }];
  const edges: EdgeJson[] = [];
  for (let i = 1; i < N; i++) {
    nodes.push({ id: `n${i}`, op: 'ReLU', ui: { x: i, y: 0 } });
    edges.push({ from: i === 1 ? 'x' : `n${i - 1}`, to: `n${i}` });
  }
  const text = JSON.stringify({ format: 'nn-graph', version: 1, name: 'big', nodes, edges }, null, 1);
  const timed = (edit: GraphEdit) => {
    const t0 = performance.now();
    const r = applyGraphEdit(text, edit);
    const ms = performance.now() - t0;
    assert.ok(r.ok, !r.ok ? r.reason : '');
    assert.ok(ms < 10_000, `${edit.kind} took ${ms.toFixed(0)} ms`);
    return r;
  };
  const paste = Array.from({ length: 2000 }, (_, i) => ({ id: `p${i}`, op: 'Tanh' }));
  timed({ kind: 'addNodes', nodes: paste, edges: paste.map((p, i) => ({ from: i === 0 ? `n${N - 1}` : `p${i - 1}`, to: p.id })) });
  timed({ kind: 'deleteElements', nodeIds: Array.from({ length: 2000 }, (_, i) => `n${i + 1}`), edges: edges.slice(3000) });
  timed({ kind: 'moveNodes', positions: Object.fromEntries(nodes.map((n, i) => [n.id, { x: i * 2, y: 1 }])) });
  timed({ kind: 'renameNode', from: 'n2500', to: 'middle' });
  // A pasted cycle among many edges is still found and named.
  const cyc = applyGraphEdit(text, {
    kind: 'addNodes',
    nodes: paste.slice(0, 20),
    edges: [...paste.slice(0, 20).map((p, i) => ({ from: i === 0 ? 'p19' : `p${i - 1}`, to: p.id }))],
  });
  assert.ok(!cyc.ok);
  assert.match(cyc.reason, /^Connecting "p19" to "p0" would make a cycle \(p0 → p1 → p2 → .* → p18 → p19 → p0\); the graph must be acyclic\.$/);
});
