// The examples and New Model's templates are well-formed models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { compactJson, formatModel } from '../../extension/format';
import { modelNameFromPath, withModelExtension } from '../../extension/paths';
import { templates } from '../../extension/templates';
import { allOps } from '../../engine';

// The registry's ops (test/engine/registry.test.ts pins the registry against the format spec).
const OPS = new Set(allOps().map((o) => o.op));

/** The structural rules of ../shared/spec/graph-format.md that need no shape inference. */
function checkModel(where: string, m: Record<string, unknown>): void {
  assert.equal(m.format, 'nn-graph', where);
  assert.equal(m.version, 1, where);
  assert.equal(typeof m.name, 'string', where);
  const nodes = m.nodes as { id: string; op: string }[];
  const edges = m.edges as { from: string; to: string; port?: number }[];
  assert.ok(Array.isArray(nodes) && Array.isArray(edges), where);
  const ids = new Set<string>();
  for (const n of nodes) {
    assert.match(n.id, /^[A-Za-z_][A-Za-z0-9_]*$/, `${where}: node id ${n.id}`);
    assert.ok(!ids.has(n.id), `${where}: duplicate id ${n.id}`);
    ids.add(n.id);
    assert.ok(OPS.has(n.op), `${where}: unknown op ${n.op}`);
  }
  const ports = new Map<string, number[]>();
  for (const e of edges) {
    assert.ok(ids.has(e.from) && ids.has(e.to), `${where}: edge ${e.from} → ${e.to}`);
    ports.set(e.to, [...(ports.get(e.to) ?? []), e.port ?? 0]);
  }
  for (const [to, ps] of ports) {
    const sorted = [...ps].sort((a, b) => a - b);
    if (sorted.length > 1)
      assert.deepEqual(
        sorted,
        sorted.map((_, i) => i),
        `${where}: ports of ${to}`,
      );
  }
}

test('examples/*.nn.json are well-formed models', () => {
  const files = readdirSync('examples').filter((f) => f.endsWith('.nn.json'));
  assert.ok(files.includes('xor.nn.json'));
  for (const f of files) checkModel(`examples/${f}`, JSON.parse(readFileSync(`examples/${f}`, 'utf8')));
});

test('every New Model template is a well-formed model, and written text reads back the same', () => {
  assert.ok(templates.some((t) => t.id === 'empty'));
  assert.equal(new Set(templates.map((t) => t.id)).size, templates.length);
  for (const t of templates) {
    checkModel(`template ${t.id}`, t.model as unknown as Record<string, unknown>);
    assert.deepEqual(JSON.parse(formatModel(t.model)), t.model);
  }
});

test('formatModel writes one node and one edge a line', () => {
  const text = formatModel({ format: 'nn-graph', version: 1, name: 'n', nodes: [{ id: 'x', op: 'Input', attrs: { shape: [2] } }], edges: [] });
  assert.equal(
    text,
    '{\n  "format": "nn-graph",\n  "version": 1,\n  "name": "n",\n  "nodes": [\n    { "id": "x", "op": "Input", "attrs": { "shape": [2] } }\n  ],\n  "edges": []\n}\n',
  );
  assert.equal(compactJson({ a: 'x"y', b: [1, { c: null }] }), '{ "a": "x\\"y", "b": [1, { "c": null }] }');
});

test('model file names', () => {
  assert.equal(withModelExtension('/a/m'), '/a/m.nn.json');
  assert.equal(withModelExtension('/a/m.json'), '/a/m.nn.json');
  assert.equal(withModelExtension('/a/m.nn.json'), '/a/m.nn.json');
  assert.equal(modelNameFromPath('/a/b/my-model.nn.json'), 'my-model');
});
