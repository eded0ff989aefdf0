/**
 * The document ↔ graph mapping: one GraphEdit from the webview becomes one change of the model file's text.
 *
 * The text is the source of truth and a person may have written it by hand, so an edit changes only what it
 * must, where it is: a moved node changes the numbers in its `ui`, a new node is one new line written like
 * its neighbours (one node and one edge a line, as the examples and New Model write them), a deleted node
 * takes its line and its edges' lines with it. Key order, indentation (spaces or tabs), line endings (LF or
 * CRLF), one-line files and odd layouts are kept.
 *
 * Every edit is checked against the document before anything is written (the node exists, the new id is
 * free, the port exists and is free, the edge makes no cycle, the attribute fits its op), and no edit is
 * made at all while the file is one the graph editor cannot show (not JSON, a newer format version, unknown
 * ops, duplicate keys). Pure: no `vscode` import, so the tests drive it directly.
 */
import '../../engine/layers';
import { checkAttr } from '../../engine/graph/attrs';
import { cycleProblem, findCycle, selfLoopMessage, type Edge } from '../../engine/graph/algorithms';
import { boundInputId, inputFeaturesProblems, POINT_SETS } from '../../engine/data/features';
import { LIMITS, type GraphAnalysis } from '../../engine/graph/analyze';
import { analyzeText } from './analysis';
import { getOp, portNames, type OpSpec } from '../../engine/graph/registry';
import type { EdgeJson, GraphErrorCode, NodeJson } from '../../engine/graph/types';
import { MAX_BATCH_EDITS, type GraphEdit } from '../../protocol/messages';
import {
  appendToArray,
  applyTextEdits,
  arrayBlock,
  detectStyle,
  end,
  findDuplicateKey,
  insertProperties,
  insertProperty,
  parseJsonTree,
  propertyOf,
  removeItems,
  removeProperty,
  replaceValue,
  setProperty,
  valueOf,
  valueText,
  type JsonNode,
  type ParsedText,
  type TextEdit,
  type TextStyle,
} from './jsonText';

export type GraphEditResult =
  /** `changed` is false when the edit asks for what the file already says (nothing to apply). */
  { ok: true; text: string; changed: boolean; rename?: { from: string; to: string } } | { ok: false; reason: string };

/** Errors that mean the graph editor cannot show the file: it shows an error page, and nothing is written. */
export const BLOCKING_CODES: readonly GraphErrorCode[] = ['bad-json', 'bad-format', 'unsupported-version', 'unknown-op'];

/**
 * Why the graph editor must not write to this text, or undefined when it may. Besides the engine's blocking
 * errors: a file too large to analyse, and duplicate keys (JSON.parse keeps the last, so an edit made at
 * the first would not change what the file means).
 */
export function editBlocker(text: string, analysis: GraphAnalysis = analyzeText(text), parsed: ParsedText = parseJsonTree(text)): string | undefined {
  const blocked = analysisBlocker(analysis);
  if (blocked) return blocked;
  if (parsed.errors.length > 0 || parsed.root?.type !== 'object') return NOT_JSON;
  const dup = findDuplicateKey(parsed.root);
  if (dup)
    return `The file has the key ${JSON.stringify(dup.key.slice(0, 60))} twice in one object. Remove one in the text editor; the graph editor changes nothing until then.`;
  return undefined;
}

const NOT_JSON = 'The file is not valid JSON. Fix it in the text editor (Open as Text); the graph editor changes nothing until then.';

/** The engine's errors that block editing (see BLOCKING_CODES), as a reason. */
function analysisBlocker(analysis: GraphAnalysis): string | undefined {
  const blocking = analysis.errors.find((e) => BLOCKING_CODES.includes(e.code) || (e.code === 'too-large' && (e.key === 'nodes' || e.key === 'edges')));
  if (!blocking) return undefined;
  if (blocking.code === 'bad-json') return NOT_JSON;
  if (blocking.code === 'unsupported-version') return `${capitalise(blocking.message)}. The graph editor does not change it.`;
  return `The graph editor cannot change this file until this is fixed in the text editor: ${blocking.message}`;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

class Refused extends Error {}

const refuse = (reason: string): never => {
  throw new Refused(reason);
};

interface RawEdge {
  index: number;
  from: string;
  to: string;
  port: number;
}

/** What one edit works on: the text, its syntax tree, the engine's analysis, and the edits made so far. */
class EditContext {
  readonly style: TextStyle;
  readonly edits: TextEdit[] = [];
  readonly nodesArr: JsonNode;
  readonly edgesArr: JsonNode | undefined;
  /** Raw node ids (every node with a string id, valid or not), in file order. */
  readonly rawIds: (string | undefined)[];
  readonly edges: RawEdge[];

  constructor(
    readonly text: string,
    readonly root: JsonNode,
    readonly analysis: GraphAnalysis,
  ) {
    this.style = detectStyle(text);
    this.nodesArr = valueOf(root, 'nodes')!;
    const edgesArr = valueOf(root, 'edges');
    this.edgesArr = edgesArr?.type === 'array' ? edgesArr : undefined;
    const model = analysis.model!;
    this.rawIds = (model.nodes as unknown[]).map((n) => (isObj(n) && typeof n.id === 'string' ? n.id : undefined));
    this.edges = ((model.edges ?? []) as unknown[]).flatMap((e, index): RawEdge[] => {
      if (!isObj(e) || typeof e.from !== 'string' || typeof e.to !== 'string') return [];
      const port = e.port === undefined ? 0 : e.port;
      return typeof port === 'number' ? [{ index, from: e.from, to: e.to, port }] : [];
    });
  }

  push(e: TextEdit | undefined): void {
    if (e) this.edits.push(e);
  }

  private idSet: Set<string> | undefined;

  hasNode(id: string): boolean {
    this.idSet ??= new Set(this.rawIds.filter((x): x is string => x !== undefined));
    return this.idSet.has(id);
  }

  /** The node's object in the text and its op, or a refusal naming the node. */
  node(id: string): { obj: JsonNode; spec: OpSpec; json: NodeJson } {
    const info = this.analysis.nodes.get(id);
    if (!info) return refuse(`There is no node "${id}" in the file (it may have been changed in the text editor).`);
    const obj = this.nodesArr.children?.[info.index];
    if (!obj || obj.type !== 'object') return refuse(`There is no node "${id}" in the file.`);
    if (!info.spec) return refuse(`Node "${id}" has an unknown op.`);
    return { obj, spec: info.spec, json: info.json };
  }

  edgeNode(index: number): JsonNode {
    return this.edgesArr!.children![index]!;
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------
// Checks shared by the edits

function portCount(spec: OpSpec): number {
  return 'ports' in spec.inputs ? spec.inputs.ports.length : 64;
}

function portLabel(spec: OpSpec, port: number): string {
  const names = portNames(spec, port + 1);
  return names[port] ? `port ${port} (${names[port]})` : `port ${port}`;
}

function checkPort(id: string, spec: OpSpec, port: number): void {
  const n = portCount(spec);
  if (n === 0) refuse(`${spec.op} node "${id}" takes no inputs.`);
  if (port >= n) {
    refuse(
      'ports' in spec.inputs
        ? `${spec.op} node "${id}" has ${n} input port${n > 1 ? 's' : ''} (${spec.inputs.ports.map((p, i) => `${i} ${p}`).join(', ')}), not port ${port}.`
        : `${spec.op} node "${id}" takes at most 64 inputs.`,
    );
  }
}

/** Refuses an edge from → to that would feed a node from itself or close a cycle. */
function checkNoCycle(edges: readonly Edge[], from: string, to: string): void {
  const problem = cycleProblem(edges, from, to);
  if (problem) refuse(problem);
}

/**
 * Refuses new edges that would close a cycle. A few: each is checked as it is added, so the reason names
 * the first that closes one. Many (a paste): one search for a cycle in the whole graph, so a large paste
 * costs O(nodes + edges), and the reason names a new edge on the cycle found.
 */
function checkNewEdgesAcyclic(existing: readonly Edge[], added: readonly Edge[]): void {
  if (added.length <= 8) {
    const all = [...existing];
    for (const e of added) {
      checkNoCycle(all, e.from, e.to);
      all.push(e);
    }
    return;
  }
  const all = [...existing, ...added];
  const cycle = findCycle([...new Set(all.flatMap((e) => [e.from, e.to]))], all);
  if (!cycle) return;
  const old = new Set(existing.map((e) => `${e.from}\0${e.to}`));
  for (let i = 0; i + 1 < cycle.length; i++) {
    if (!old.has(`${cycle[i]}\0${cycle[i + 1]}`)) checkNoCycle(all, cycle[i]!, cycle[i + 1]!);
  }
  // The cycle found was in the file already (a diagnostic of its own): the new edges are checked one by one,
  // as far as a bounded search allows.
  for (const e of added.slice(0, 64)) checkNoCycle(all, e.from, e.to);
}

/** The text of a node as New Model and the examples write it: one line, keys id, op, attrs, ui. */
export function nodeText(n: NodeJson, style?: TextStyle): string {
  const o: Record<string, unknown> = { id: n.id, op: n.op };
  if (n.attrs && Object.keys(n.attrs).length > 0) o.attrs = n.attrs;
  if (n.ui) {
    const ui: Record<string, unknown> = {};
    if (n.ui.x !== undefined) ui.x = coord(n.ui.x);
    if (n.ui.y !== undefined) ui.y = coord(n.ui.y);
    for (const [k, v] of Object.entries(n.ui)) if (k !== 'x' && k !== 'y') ui[k] = v;
    o.ui = ui;
  }
  return valueText(o, style);
}

/** An edge on one line; `port` is written for ops with several inputs (as the examples do), else only when not 0. */
export function edgeText(e: EdgeJson, target: OpSpec | undefined, style?: TextStyle): string {
  const port = e.port ?? 0;
  const multi = !target || !('ports' in target.inputs) || target.inputs.ports.length > 1;
  return valueText(multi || port !== 0 ? { from: e.from, to: e.to, port } : { from: e.from, to: e.to }, style);
}

/** Positions are whole numbers in the file (and never -0). */
const coord = (v: number): number => Math.round(v) + 0;

function checkAttrValue(id: string, spec: OpSpec, attr: string, value: unknown): void {
  const a = spec.attrs.find((x) => x.name === attr);
  if (!a) refuse(`${spec.op} has no attribute "${attr}" (it takes: ${spec.attrs.map((x) => x.name).join(', ') || 'none'}).`);
  const problem = checkAttr(a!.type, value);
  if (problem) refuse(`Node "${id}": attribute "${attr}" ${problem}.`);
}

// ---------------------------------------------------------------------------------------------
// The edits

function addNodes(c: EditContext, nodes: readonly NodeJson[], edges: readonly EdgeJson[]): void {
  if (c.rawIds.length + nodes.length > LIMITS.nodes) refuse(`A model holds at most ${LIMITS.nodes} nodes.`);
  const specs = new Map<string, OpSpec>();
  for (const id of c.analysis.nodes.keys()) specs.set(id, c.analysis.nodes.get(id)!.spec!);
  for (const n of nodes) {
    if (c.hasNode(n.id) || specs.has(n.id)) refuse(`A node named "${n.id}" already exists; node ids must be unique.`);
    const spec = getOp(n.op);
    if (!spec) return refuse(`Unknown op "${n.op}".`);
    for (const [k, v] of Object.entries(n.attrs ?? {})) checkAttrValue(n.id, spec, k, v);
    specs.set(n.id, spec);
  }
  const taken = new Map(c.edges.map((x) => [`${x.to}\0${x.port}`, x.from]));
  const lines: string[] = [];
  for (const e of edges) {
    for (const id of [e.from, e.to]) if (!specs.has(id)) refuse(`The edge ${e.from} → ${e.to} names no node "${id}".`);
    if (e.from === e.to) refuse(selfLoopMessage(e.from));
    const spec = specs.get(e.to)!;
    const port = e.port ?? 0;
    checkPort(e.to, spec, port);
    const by = taken.get(`${e.to}\0${port}`);
    if (by !== undefined) refuse(`${capitalise(portLabel(spec, port))} of "${e.to}" is already fed by "${by}".`);
    taken.set(`${e.to}\0${port}`, e.from);
    lines.push(edgeText(e, spec, c.style));
  }
  if (edges.length > 0) checkNewEdgesAcyclic(c.edges, edges);
  c.push(
    appendToArray(
      c.text,
      c.nodesArr,
      nodes.map((n) => nodeText(n, c.style)),
      c.style,
    ),
  );
  appendEdges(c, lines);
}

function appendEdges(c: EditContext, lines: string[]): void {
  if (lines.length === 0) return;
  if (c.edgesArr) c.push(appendToArray(c.text, c.edgesArr, lines, c.style));
  else if (propertyOf(c.root, 'edges')) refuse('"edges" in the file is not an array; fix it in the text editor.');
  else c.push(insertProperty(c.text, c.root, 'edges', arrayBlock(c.text, c.root, lines, c.style), c.style, ['nodes']));
}

function moveNodes(c: EditContext, positions: Readonly<Record<string, { x: number; y: number }>>): void {
  for (const id of Object.keys(positions)) {
    const { obj } = c.node(id);
    const x = coord(positions[id]!.x);
    const y = coord(positions[id]!.y);
    const ui = valueOf(obj, 'ui');
    if (!ui) {
      c.push(insertProperty(c.text, obj, 'ui', valueText({ x, y }, c.style), c.style));
    } else if (ui.type !== 'object') {
      c.push(replaceValue(ui, valueText({ x, y }, c.style)));
    } else {
      const hasX = valueOf(ui, 'x');
      const hasY = valueOf(ui, 'y');
      if (hasX) c.push(setProperty(c.text, ui, 'x', String(x), c.style));
      if (hasY) c.push(setProperty(c.text, ui, 'y', String(y), c.style));
      const missing = [...(hasX ? [] : [['x', String(x)] as const]), ...(hasY ? [] : [['y', String(y)] as const])];
      if (missing.length) c.push(insertProperties(c.text, ui, missing, c.style, hasX ? ['x'] : undefined));
    }
  }
}

function deleteElements(c: EditContext, nodeIds: readonly string[], edges: readonly EdgeJson[]): void {
  const gone = new Set(nodeIds);
  for (const id of gone) if (!c.hasNode(id)) refuse(`There is no node "${id}" in the file.`);
  const nodeIdx = new Set(c.rawIds.flatMap((id, i) => (id !== undefined && gone.has(id) ? [i] : [])));
  const edgeIdx = new Set(c.edges.filter((e) => gone.has(e.from) || gone.has(e.to)).map((e) => e.index));
  const byKey = new Map<string, number[]>();
  for (const x of c.edges) {
    const k = `${x.from}\0${x.to}\0${x.port}`;
    (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(x.index);
  }
  for (const e of edges) {
    const port = e.port ?? 0;
    const matches = byKey.get(`${e.from}\0${e.to}\0${port}`);
    if (!matches) refuse(`There is no edge ${e.from} → ${e.to} (port ${port}) in the file.`);
    for (const m of matches!) edgeIdx.add(m);
  }
  c.push(removeItems(c.text, c.nodesArr, nodeIdx));
  if (edgeIdx.size) c.push(removeItems(c.text, c.edgesArr!, edgeIdx));
  // Inline values of the deleted nodes' parameters go with them.
  const params = valueOf(c.root, 'params');
  if (params?.type === 'object' && gone.size) {
    const idx = new Set(
      (params.children ?? []).flatMap((p, i) => (typeof p.children?.[0]?.value === 'string' && gone.has(p.children[0].value.split('.')[0]!) ? [i] : [])),
    );
    c.push(removeItems(c.text, params, idx));
  }
}

function connect(c: EditContext, edge: EdgeJson): void {
  const { spec } = c.node(edge.to);
  c.node(edge.from);
  const port = edge.port ?? 0;
  checkPort(edge.to, spec, port);
  const taken = c.edges.find((x) => x.to === edge.to && x.port === port);
  if (taken) refuse(`${capitalise(portLabel(spec, port))} of "${edge.to}" is already fed by "${taken.from}".`);
  checkNoCycle(c.edges, edge.from, edge.to);
  appendEdges(c, [edgeText({ ...edge, port }, spec, c.style)]);
}

function setInput(c: EditContext, nodeId: string, port: number, source: string | null): void {
  const { spec } = c.node(nodeId);
  checkPort(nodeId, spec, port);
  const existing = c.edges.filter((x) => x.to === nodeId && x.port === port);
  if (source === null) {
    if (existing.length) c.push(removeItems(c.text, c.edgesArr!, new Set(existing.map((e) => e.index))));
    return;
  }
  c.node(source);
  if (existing.length === 1 && existing[0]!.from === source) return;
  checkNoCycle(
    c.edges.filter((x) => !existing.includes(x)),
    source,
    nodeId,
  );
  if (existing.length === 0) return appendEdges(c, [edgeText({ from: source, to: nodeId, port }, spec, c.style)]);
  // Rewire in place: the edge keeps its line, only its "from" changes.
  c.push(replaceValue(valueOf(c.edgeNode(existing[0]!.index), 'from')!, JSON.stringify(source)));
  if (existing.length > 1) c.push(removeItems(c.text, c.edgesArr!, new Set(existing.slice(1).map((e) => e.index))));
}

function setAttr(c: EditContext, nodeId: string, attr: string, value: unknown): void {
  const { obj, spec } = c.node(nodeId);
  const attrs = valueOf(obj, 'attrs');
  if (attrs && attrs.type !== 'object') refuse(`"attrs" of node "${nodeId}" is not an object; fix it in the text editor.`);
  if (value === null) {
    if (!spec.attrs.some((a) => a.name === attr) && !propertyOf(attrs, attr)) refuse(`${spec.op} has no attribute "${attr}".`);
    if (!attrs || !propertyOf(attrs, attr)) return;
    // The last attribute takes "attrs" with it.
    c.push(attrs.children!.length === 1 ? removeProperty(c.text, obj, 'attrs') : removeProperty(c.text, attrs, attr));
    return;
  }
  checkAttrValue(nodeId, spec, attr, value);
  if (attrs) c.push(setProperty(c.text, attrs, attr, valueText(value, c.style), c.style));
  else c.push(insertProperty(c.text, obj, 'attrs', valueText({ [attr]: value }, c.style), c.style, ['op', 'id']));
}

function renameNode(c: EditContext, from: string, to: string): void {
  const { obj } = c.node(from);
  if (from === to) return;
  if (c.hasNode(to)) refuse(`A node named "${to}" already exists; node ids must be unique.`);
  c.push(replaceValue(valueOf(obj, 'id')!, JSON.stringify(to)));
  for (const e of c.edges) {
    const edge = c.edgeNode(e.index);
    if (e.from === from) c.push(replaceValue(valueOf(edge, 'from')!, JSON.stringify(to)));
    if (e.to === from) c.push(replaceValue(valueOf(edge, 'to')!, JSON.stringify(to)));
  }
  // Inline parameter values follow the node: "fc1.weight" becomes "<to>.weight".
  const params = valueOf(c.root, 'params');
  if (params?.type === 'object') {
    const keys = new Set((params.children ?? []).map((p) => p.children?.[0]?.value as string));
    for (const p of params.children ?? []) {
      const key = p.children![0]!;
      const k = key.value as string;
      if (!k.startsWith(`${from}.`)) continue;
      const renamed = to + k.slice(from.length);
      if (keys.has(renamed)) refuse(`"params" already holds "${renamed}"; remove it in the text editor before renaming.`);
      c.push(replaceValue(key, JSON.stringify(renamed)));
    }
  }
  // The dataset binding names Input and Target nodes by id.
  const dataset = valueOf(valueOf(c.root, 'training'), 'dataset');
  for (const k of ['input', 'target']) {
    const v = valueOf(dataset, k);
    if (v?.type === 'string' && v.value === from) c.push(replaceValue(v, JSON.stringify(to)));
  }
}

/** Sets (or with null removes) `training.<path>`, creating the objects on the way that the file lacks. */
function setTraining(c: EditContext, path: readonly string[], value: unknown): void {
  const full = ['training', ...path];
  let obj = c.root;
  for (let i = 0; i < full.length - 1; i++) {
    const v = valueOf(obj, full[i]!);
    if (!v) {
      if (value === null) return;
      let nested: unknown = value;
      for (let j = full.length - 1; j > i; j--) nested = { [full[j]!]: nested };
      c.push(insertProperty(c.text, obj, full[i]!, valueText(nested, c.style), c.style));
      return;
    }
    if (v.type !== 'object') refuse(`"${full.slice(0, i + 1).join('.')}" in the file is not an object; fix it in the text editor.`);
    obj = v;
  }
  const leaf = full[full.length - 1]!;
  c.push(value === null ? removeProperty(c.text, obj, leaf) : setProperty(c.text, obj, leaf, valueText(value, c.style), c.style));
}

/**
 * Chooses the input features of the 2-D sets and sizes the Input they feed to match, in one edit (one undo
 * step): training.dataset.inputFeatures set to the list and the Input's shape to [k]; with null, the key
 * removed and the Input back to the raw point's [2] (left as it is for a dataset of another kind).
 */
function setInputFeatures(c: EditContext, features: readonly string[] | null): void {
  const training = c.analysis.model!.training as unknown;
  const dataset = isObj(training) ? training.dataset : undefined;
  if (!isObj(dataset)) return refuse('The model has no training.dataset: choose one of the 2-D datasets first.');
  const pointSet = typeof dataset.source === 'string' && POINT_SETS.includes(dataset.source);
  if (features !== null) {
    if (!pointSet) refuse(`Input features apply only to the generated 2-D datasets (${POINT_SETS.join(', ')}), not to ${JSON.stringify(dataset.source)}.`);
    const problem = inputFeaturesProblems({ source: dataset.source, inputFeatures: features })[0];
    if (problem) refuse(`${capitalise(problem)}.`);
  }
  const inputs = [...c.analysis.nodes.values()].filter((n) => n.spec?.op === 'Input').map((n) => n.id);
  const id = boundInputId(training, inputs);
  if (id === undefined) {
    return refuse(
      inputs.length === 0
        ? 'The model has no Input node for the features.'
        : `The model has ${inputs.length} Input nodes (${inputs.join(', ')}): name the one the dataset feeds in training.dataset.input first.`,
    );
  }
  if (c.analysis.nodes.get(id)?.spec?.op !== 'Input') refuse(`training.dataset.input "${id}" is not an Input node.`);
  setTraining(c, ['dataset', 'inputFeatures'], features === null ? null : [...features]);
  if (features === null && !pointSet) return;
  const k = features?.length ?? 2;
  const shape = c.analysis.nodes.get(id)!.attrs.shape;
  const size = Array.isArray(shape) ? (shape as number[]).reduce((a, b) => a * b, 1) : undefined;
  if (size !== k) setAttr(c, id, 'shape', [k]);
}

/**
 * Changes a node's op in place (the rewire offer turns a CrossEntropyLoss into an MSELoss this way): the id,
 * `ui` and every edge stay. Attributes the new op does not take, or whose value it would refuse, go; so do the
 * node's inline parameter values, which belong to the old op (weights in the sidecar are re-initialised by the
 * next run where their shape no longer fits, as after any change of shape).
 */
function setOp(c: EditContext, nodeId: string, op: string): void {
  const { obj, spec, json } = c.node(nodeId);
  if (spec.op === op) return;
  const next = getOp(op);
  if (!next) return refuse(`Unknown op "${op}".`);
  for (const e of c.edges) {
    if (e.to !== nodeId) continue;
    const n = portCount(next);
    if (e.port >= n)
      refuse(
        `Node "${nodeId}" cannot become ${op}: ${op} ${n === 0 ? 'takes no inputs' : `has ${n} input port${n > 1 ? 's' : ''}`}, and "${e.from}" feeds its port ${e.port}.`,
      );
  }
  c.push(replaceValue(valueOf(obj, 'op')!, JSON.stringify(op)));
  const attrs = valueOf(obj, 'attrs');
  if (attrs?.type === 'object' && isObj(json.attrs)) {
    const kept: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(json.attrs)) {
      const a = next.attrs.find((x) => x.name === k);
      if (a && !checkAttr(a.type, v)) kept[k] = v;
    }
    const keptCount = Object.keys(kept).length;
    if (keptCount === 0) c.push(cutProperty(obj, 'attrs'));
    else if (keptCount < Object.keys(json.attrs).length) c.push(replaceValue(attrs, valueText(kept, c.style)));
  }
  const params = valueOf(c.root, 'params');
  if (params?.type === 'object') {
    const idx = new Set(
      (params.children ?? []).flatMap((p, i) => (typeof p.children?.[0]?.value === 'string' && p.children[0].value.startsWith(`${nodeId}.`) ? [i] : [])),
    );
    c.push(removeItems(c.text, params, idx));
  }
}

/**
 * Removes one property and the separator before it (after it, for the first), touching nothing else of the
 * object: unlike removeProperty, it can go with an edit of a neighbouring property (setOp's new op).
 */
function cutProperty(obj: JsonNode, key: string): TextEdit | undefined {
  const props = obj.children ?? [];
  const i = props.findIndex((p) => p.children?.[0]?.value === key);
  if (i < 0) return undefined;
  if (props.length === 1) return { offset: obj.offset + 1, length: obj.length - 2, content: '' };
  const from = i > 0 ? end(props[i - 1]!) : props[0]!.offset;
  const to = i > 0 ? end(props[i]!) : props[1]!.offset;
  return { offset: from, length: to - from, content: '' };
}

function setName(c: EditContext, name: string): void {
  c.push(setProperty(c.text, c.root, 'name', JSON.stringify(name), c.style, ['version', 'format']));
}

/**
 * Applies one GraphEdit to the model file's text: the new text, or the reason it was refused.
 * `analysis` may be passed when the caller already has the text's (it must be of this text).
 */
export function applyGraphEdit(text: string, edit: GraphEdit, analysis: GraphAnalysis = analyzeText(text)): GraphEditResult {
  if (edit.kind === 'batch') return applyBatch(text, edit, analysis);
  const parsed = parseJsonTree(text);
  const blocked = editBlocker(text, analysis, parsed);
  if (blocked) return { ok: false, reason: blocked };
  const { root } = parsed;
  const nodesArr = valueOf(root, 'nodes');
  if (!root || nodesArr?.type !== 'array') return { ok: false, reason: 'The file has no "nodes" array.' };
  const c = new EditContext(text, root, analysis);
  let rename: { from: string; to: string } | undefined;
  try {
    switch (edit.kind) {
      case 'addNodes':
        addNodes(c, edit.nodes, edit.edges);
        break;
      case 'moveNodes':
        moveNodes(c, edit.positions);
        break;
      case 'deleteElements':
        deleteElements(c, edit.nodeIds, edit.edges);
        break;
      case 'connect':
        connect(c, edit.edge);
        break;
      case 'setInput':
        setInput(c, edit.nodeId, edit.port, edit.source);
        break;
      case 'setAttr':
        setAttr(c, edit.nodeId, edit.attr, edit.value);
        break;
      case 'renameNode':
        renameNode(c, edit.from, edit.to);
        if (edit.from !== edit.to) rename = { from: edit.from, to: edit.to };
        break;
      case 'setName':
        setName(c, edit.name);
        break;
      case 'setTraining':
        setTraining(c, edit.path, edit.value);
        break;
      case 'setInputFeatures':
        setInputFeatures(c, edit.features);
        break;
      case 'setOp':
        setOp(c, edit.nodeId, edit.op);
        break;
      default:
        return { ok: false, reason: `Unknown edit "${String((edit as { kind: unknown }).kind)}".` };
    }
  } catch (e) {
    if (e instanceof Refused) return { ok: false, reason: e.message };
    throw e;
  }
  const out = applyTextEdits(text, c.edits);
  if (out === text) return { ok: true, text, changed: false };
  // A safety net: an edit never turns a file the editor can show into one it cannot. (Its analysis is
  // remembered: the diagnostics of the new text reuse it.)
  const after = analysisBlocker(analyzeText(out));
  if (after) return { ok: false, reason: `Internal error: the edit would have broken the file (${after}); nothing was changed.` };
  return { ok: true, text: out, changed: true, ...(rename ? { rename } : {}) };
}

/**
 * A batch: each edit applied to the text the previous one left, checked as if it came alone, and one text
 * at the end (one WorkspaceEdit, so one undo step). The first refusal refuses the whole batch, naming the edit.
 */
function applyBatch(text: string, batch: Extract<GraphEdit, { kind: 'batch' }>, analysis: GraphAnalysis): GraphEditResult {
  const n = batch.edits.length;
  const refused = (why: string): GraphEditResult => ({ ok: false, reason: `${batch.label}: ${why} Nothing was changed.` });
  if (n === 0) return refused('the batch holds no edit.');
  if (n > MAX_BATCH_EDITS) return refused(`a batch holds at most ${MAX_BATCH_EDITS} edits, found ${n}.`);
  let current = text;
  let a = analysis;
  for (let i = 0; i < n; i++) {
    const edit = batch.edits[i]!;
    if (edit.kind === 'batch') return refused(`edit ${i + 1} of ${n} is a batch; a batch cannot hold another.`);
    if (edit.kind === 'renameNode') return refused(`edit ${i + 1} of ${n} renames "${edit.from}"; a rename cannot be part of a batch.`);
    const r = applyGraphEdit(current, edit, a);
    if (!r.ok) return refused(`edit ${i + 1} of ${n} (${describeEdit(edit)}) was refused: ${r.reason}`);
    if (r.changed) {
      current = r.text;
      a = analyzeText(current);
    }
  }
  return { ok: true, text: current, changed: current !== text };
}

/** An edit in a few words, for a batch's refusal. */
function describeEdit(e: GraphEdit): string {
  switch (e.kind) {
    case 'setAttr':
      return `${e.value === null ? 'removing' : 'setting'} "${e.attr}" of "${e.nodeId}"`;
    case 'setOp':
      return `making "${e.nodeId}" a ${e.op}`;
    case 'setTraining':
      return `${e.value === null ? 'removing' : 'setting'} training.${e.path.join('.')}`;
    case 'setInput':
      return `port ${e.port} of "${e.nodeId}"`;
    case 'connect':
      return `connecting "${e.edge.from}" to "${e.edge.to}"`;
    case 'addNodes':
      return `adding ${e.nodes.length === 1 ? `"${e.nodes[0]!.id}"` : `${e.nodes.length} nodes`}`;
    case 'deleteElements':
      return 'deleting';
    case 'moveNodes':
      return 'moving nodes';
    case 'setName':
      return 'renaming the model';
    default:
      return e.kind;
  }
}
