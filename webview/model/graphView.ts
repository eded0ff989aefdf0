// What the canvas draws, derived from the engine's analysis: one NodeView per node (op, key attributes,
// input ports, output type, parameter count, errors) and one EdgeView per drawable edge (shape label, errors).
// Plain data, compared field by field so unchanged nodes keep their object (and skip re-rendering).
import type { GraphAnalysis } from '../../engine/graph/analyze';
import { portNames, type Category, type OpSpec } from '../../engine/graph/registry';
import { formatType, type GraphError, type ModelJson } from '../../engine/graph/types';
import { formatAttr } from './attrText';

export interface PortView {
  index: number;
  name: string;
  /** The node feeding this port, if any. */
  source?: string;
}

export interface NodeView {
  id: string;
  op: string;
  category: Category;
  /** "outFeatures 16", "shape [2]"... for the op's key attributes. */
  keyAttrs: string[];
  /** Input ports; a variadic op shows its connected ports and one free port. */
  ports: PortView[];
  /** The output's static type, `N×128`, or '?' when it cannot be inferred. */
  type: string;
  paramCount: number;
  isLoss: boolean;
  errors: string[];
  /** The node's `ui` position, when it has one. */
  ui?: { x: number; y: number };
}

export interface EdgeView {
  /** Stable id: from, to and port (plus a counter for duplicates in a broken file). */
  id: string;
  index: number;
  from: string;
  to: string;
  port: number;
  /** The tensor the edge carries, `N×128`, or '?'. */
  label: string;
  errors: string[];
}

export interface Problem {
  message: string;
  code: GraphError['code'];
  /** The node to reveal: the node at fault, or the target of the edge at fault. */
  nodeId?: string;
}

export interface GraphView {
  nodes: NodeView[];
  edges: EdgeView[];
  problems: Problem[];
  /** Node id → view, for quick lookups. */
  byId: Map<string, NodeView>;
}

/** Ports a node shows: fixed ports by name; a variadic op its fed ports plus one free port (at least `min`). */
export function nodePorts(spec: OpSpec, inputs: readonly (string | undefined)[]): PortView[] {
  const count = 'ports' in spec.inputs ? spec.inputs.ports.length : Math.max(spec.inputs.min, inputs.length + 1);
  return portNames(spec, count).map((name, index) => ({ index, name, ...(inputs[index] !== undefined ? { source: inputs[index] } : {}) }));
}

function uiPosition(ui: unknown): { x: number; y: number } | undefined {
  if (typeof ui !== 'object' || ui === null) return undefined;
  const { x, y } = ui as { x?: unknown; y?: unknown };
  return typeof x === 'number' && Number.isFinite(x) && typeof y === 'number' && Number.isFinite(y) ? { x, y } : undefined;
}

export function buildGraphView(model: ModelJson, analysis: GraphAnalysis): GraphView {
  const nodeErrors = new Map<string, string[]>();
  const edgeErrors = new Map<number, string[]>();
  const push = <K>(m: Map<K, string[]>, k: K, msg: string) => (m.get(k) ?? m.set(k, []).get(k)!).push(msg);
  for (const e of analysis.errors) {
    if (e.nodeId !== undefined) push(nodeErrors, e.nodeId, e.message);
    if (e.edgeIndex !== undefined) push(edgeErrors, e.edgeIndex, e.message);
  }

  const nodes: NodeView[] = [];
  const byId = new Map<string, NodeView>();
  for (const json of model.nodes) {
    const info = analysis.nodes.get(json.id);
    const spec = info?.spec;
    if (!info || !spec || info.json !== json) continue; // error page cases; never here for a shown graph
    const keyAttrs = (spec.keyAttrs ?? []).filter((name) => info.attrs[name] !== undefined).map((name) => `${name} ${formatAttr(info.attrs[name])}`);
    const view: NodeView = {
      id: json.id,
      op: spec.op,
      category: spec.category,
      keyAttrs,
      ports: nodePorts(spec, info.inputs),
      type: info.type ? formatType(info.type) : '?',
      paramCount: info.paramCount,
      isLoss: !!spec.isLoss,
      errors: nodeErrors.get(json.id) ?? [],
      ...(uiPosition(json.ui) ? { ui: uiPosition(json.ui) } : {}),
    };
    nodes.push(view);
    byId.set(view.id, view);
  }

  const edges: EdgeView[] = [];
  const seen = new Map<string, number>();
  (model.edges ?? []).forEach((e, index) => {
    if (typeof e !== 'object' || e === null) return;
    const port = e.port ?? 0;
    const target = byId.get(e.to);
    // Only edges the canvas can draw: both ends exist and the target shows that port.
    if (!byId.has(e.from) || !target || typeof port !== 'number' || !target.ports.some((p) => p.index === port)) return;
    const base = `${e.from}->${e.to}:${port}`;
    const k = seen.get(base) ?? 0;
    seen.set(base, k + 1);
    edges.push({
      id: k === 0 ? base : `${base}~${k}`,
      index,
      from: e.from,
      to: e.to,
      port,
      label: formatType(analysis.edgeTypes[index]),
      errors: edgeErrors.get(index) ?? [],
    });
  });

  const problems: Problem[] = analysis.errors.map((e) => {
    const edge = e.edgeIndex !== undefined ? model.edges?.[e.edgeIndex] : undefined;
    const nodeId = e.nodeId ?? (edge && typeof edge.to === 'string' && byId.has(edge.to) ? edge.to : undefined);
    return { message: e.message, code: e.code, ...(nodeId !== undefined && byId.has(nodeId) ? { nodeId } : {}) };
  });

  return { nodes, edges, problems, byId };
}

/** Field-by-field equality of two views of the same node (so unchanged nodes keep their object). */
export function sameNodeView(a: NodeView, b: NodeView): boolean {
  return (
    a.id === b.id &&
    a.op === b.op &&
    a.type === b.type &&
    a.paramCount === b.paramCount &&
    a.isLoss === b.isLoss &&
    a.ui?.x === b.ui?.x &&
    a.ui?.y === b.ui?.y &&
    sameList(a.keyAttrs, b.keyAttrs) &&
    sameList(a.errors, b.errors) &&
    a.ports.length === b.ports.length &&
    a.ports.every((p, i) => p.name === b.ports[i].name && p.source === b.ports[i].source)
  );
}

export function sameEdgeView(a: EdgeView, b: EdgeView): boolean {
  return a.id === b.id && a.index === b.index && a.label === b.label && sameList(a.errors, b.errors);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
