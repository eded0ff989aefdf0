// Copy, paste and duplicate: the selected nodes (and the edges among them) as JSON, and new nodes with fresh,
// unique ids from that JSON. Clipboard text is untrusted: only well-formed nodes of known ops are pasted.
import { ID_PATTERN } from '../../engine/graph/analyze';
import { getOp } from '../../engine/graph/registry';
import type { EdgeJson, ModelJson, NodeJson } from '../../engine/graph/types';
import { idBaseOf, uniqueId } from './ids';
import type { XY } from './layout';

export const CLIP_FORMAT = 'backprop-studio/nodes';
const MAX_NODES = 1000;

export interface ClipPayload {
  format: typeof CLIP_FORMAT;
  nodes: NodeJson[];
  edges: EdgeJson[];
}

/** The nodes with these ids, at their shown positions, and the edges among them. */
export function copyNodes(model: ModelJson, ids: readonly string[], positions: ReadonlyMap<string, XY>): ClipPayload | null {
  const keep = new Set(ids);
  const nodes = model.nodes
    .filter((n) => keep.has(n.id))
    .map((n): NodeJson => {
      const p = positions.get(n.id);
      const copy: NodeJson = { id: n.id, op: n.op };
      if (n.attrs && Object.keys(n.attrs).length > 0) copy.attrs = structuredClone(n.attrs);
      if (p) copy.ui = { x: Math.round(p.x), y: Math.round(p.y) };
      return copy;
    });
  if (nodes.length === 0) return null;
  const edges = (model.edges ?? [])
    .filter((e) => keep.has(e.from) && keep.has(e.to))
    .map((e): EdgeJson => ({ from: e.from, to: e.to, ...(e.port ? { port: e.port } : {}) }));
  return { format: CLIP_FORMAT, nodes, edges };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Clipboard text → payload, or null when it is not ours or not well formed. */
export function parseClip(text: string): ClipPayload | null {
  if (text.length > 5_000_000 || !text.includes(CLIP_FORMAT)) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObj(v) || v.format !== CLIP_FORMAT || !Array.isArray(v.nodes) || !Array.isArray(v.edges)) return null;
  if (v.nodes.length === 0 || v.nodes.length > MAX_NODES) return null;
  const nodes: NodeJson[] = [];
  for (const n of v.nodes) {
    if (!isObj(n) || typeof n.id !== 'string' || !ID_PATTERN.test(n.id) || typeof n.op !== 'string' || !getOp(n.op)) return null;
    if (n.attrs !== undefined && !isObj(n.attrs)) return null;
    const node: NodeJson = { id: n.id, op: n.op };
    if (n.attrs) node.attrs = n.attrs;
    if (isObj(n.ui) && Number.isFinite(n.ui.x) && Number.isFinite(n.ui.y)) node.ui = { x: n.ui.x as number, y: n.ui.y as number };
    nodes.push(node);
  }
  const ids = new Set(nodes.map((n) => n.id));
  if (ids.size !== nodes.length) return null;
  const edges: EdgeJson[] = [];
  for (const e of v.edges) {
    if (!isObj(e) || typeof e.from !== 'string' || typeof e.to !== 'string' || !ids.has(e.from) || !ids.has(e.to)) return null;
    if (e.port !== undefined && !(Number.isInteger(e.port) && (e.port as number) >= 0 && (e.port as number) < 64)) return null;
    edges.push({ from: e.from, to: e.to, ...(e.port ? { port: e.port as number } : {}) });
  }
  return { format: CLIP_FORMAT, nodes, edges };
}

/**
 * The nodes and edges to add for a paste: every node gets a fresh id (fc1 → fc2...) unique in `taken`, and is
 * moved by `offset`; edges among the pasted nodes follow their renamed ends.
 */
export function pasteNodes(payload: ClipPayload, taken: ReadonlySet<string>, offset: XY): { nodes: NodeJson[]; edges: EdgeJson[] } {
  const used = new Set(taken);
  const rename = new Map<string, string>();
  for (const n of payload.nodes) rename.set(n.id, uniqueId(idBaseOf(n.id), used));
  const nodes = payload.nodes.map((n): NodeJson => {
    const out: NodeJson = { id: rename.get(n.id)!, op: n.op };
    if (n.attrs) out.attrs = structuredClone(n.attrs);
    const x = (n.ui?.x ?? 0) + offset.x;
    const y = (n.ui?.y ?? 0) + offset.y;
    out.ui = { x: Math.round(x), y: Math.round(y) };
    return out;
  });
  const edges = payload.edges.map((e): EdgeJson => ({ from: rename.get(e.from)!, to: rename.get(e.to)!, ...(e.port ? { port: e.port } : {}) }));
  return { nodes, edges };
}
