/**
 * Where in the text each of the engine's validation errors belongs: the node's object, the edge's object,
 * the attribute's `"name": value`, the params key or the top-level key at fault. The host turns these
 * spans into VS Code diagnostics on the file. Pure: no `vscode` import.
 */
import type { GraphAnalysis } from '../../engine/graph/analyze';
import { analyzeText } from './analysis';
import type { GraphError, GraphErrorCode } from '../../engine/graph/types';
import { at, end, parseJsonTree, propertyOf, valueOf, type JsonNode } from './jsonText';

export interface DiagnosticSpan {
  offset: number;
  length: number;
  message: string;
  code: GraphErrorCode;
  /** The node the error is about, when the model has it: the Problems panel's link reveals it in the graph. */
  nodeId?: string;
}

/** `nodes[3].id` → ['nodes', 3, 'id']; `training.optimizer.lr` → ['training', 'optimizer', 'lr']. */
function keyPath(key: string): (string | number)[] {
  const path: (string | number)[] = [];
  for (const part of key.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return [key];
    if (m[1]) path.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) path.push(Number(idx[1]));
  }
  return path;
}

/** A value shown with its key when it has one (`"version": 2`, not just `2`). */
function withKey(n: JsonNode): JsonNode {
  return n.parent?.type === 'property' ? n.parent : n;
}

/** An object on one line is marked whole; one spread over lines is marked at its `"id"` (or first line). */
function objectSpan(text: string, obj: JsonNode, key: string): { offset: number; length: number } {
  if (!text.slice(obj.offset, end(obj)).includes('\n')) return { offset: obj.offset, length: obj.length };
  const p = propertyOf(obj, key) ?? obj.children?.[0];
  return p ? { offset: p.offset, length: p.length } : { offset: obj.offset, length: 1 };
}

export function modelDiagnostics(text: string, analysis: GraphAnalysis = analyzeText(text)): DiagnosticSpan[] {
  if (analysis.errors.length === 0) return [];
  const { root, errors: syntax } = parseJsonTree(text);
  const nodesArr = valueOf(root, 'nodes');
  const edgesArr = valueOf(root, 'edges');
  const nodeObjects = new Map<string, JsonNode>();
  if (nodesArr?.type === 'array') {
    for (const n of nodesArr.children ?? []) {
      const id = valueOf(n, 'id');
      if (id?.type === 'string' && !nodeObjects.has(id.value)) nodeObjects.set(id.value, n);
    }
  }
  const nodeObject = (id: string): JsonNode | undefined => {
    const info = analysis.nodes.get(id);
    const byIndex = info ? nodesArr?.children?.[info.index] : undefined;
    return byIndex ?? nodeObjects.get(id);
  };
  const whole = root ? { offset: root.offset, length: 1 } : { offset: 0, length: 0 };

  const locate = (e: GraphError): { offset: number; length: number } => {
    if (e.code === 'bad-json') {
      const s = syntax[0];
      return s ? { offset: s.offset, length: Math.max(s.length, 1) } : whole;
    }
    if (e.key !== undefined) {
      const path = e.code === 'bad-params' && e.key !== 'params' ? ['params', e.key] : keyPath(e.key);
      const n = at(root, path);
      if (n) {
        const target = e.code === 'bad-params' ? withKey(n) : n.type === 'object' && n.parent?.type === 'array' ? n : withKey(n);
        if (target.type === 'object' && target.parent?.type === 'array') return objectSpan(text, target, 'id');
        return { offset: target.offset, length: target.length };
      }
    }
    if (e.nodeId !== undefined && e.attr !== undefined) {
      const obj = nodeObject(e.nodeId);
      const prop = propertyOf(valueOf(obj, 'attrs'), e.attr);
      if (prop) return { offset: prop.offset, length: prop.length };
      // A missing attribute: mark the op it belongs to.
      const op = propertyOf(obj, 'op');
      if (op) return { offset: op.offset, length: op.length };
    }
    if (e.edgeIndex !== undefined && edgesArr?.type === 'array') {
      const edge = edgesArr.children?.[e.edgeIndex];
      if (edge) return edge.type === 'object' ? objectSpan(text, edge, 'from') : { offset: edge.offset, length: edge.length };
    }
    if (e.nodeId !== undefined) {
      const obj = nodeObject(e.nodeId);
      if (obj) return objectSpan(text, obj, 'id');
    }
    const key = e.key && at(root, [keyPath(e.key)[0]!]);
    return key ? { offset: withKey(key).offset, length: withKey(key).length } : whole;
  };

  const nodeOf = (e: GraphError): { nodeId?: string } => (e.nodeId !== undefined && analysis.nodes.has(e.nodeId) ? { nodeId: e.nodeId } : {});
  return analysis.errors.map((e) => ({ ...locate(e), message: e.message, code: e.code, ...nodeOf(e) })).sort((a, b) => a.offset - b.offset);
}
