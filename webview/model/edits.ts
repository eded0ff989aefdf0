// GraphEdits built from user actions (protocol/messages.ts). Pure: the caller sends them.
import type { GraphEdit, Position } from '../../protocol/messages';
import type { EdgeJson, NodeJson } from '../../engine/graph/types';
import { idBaseForOp, uniqueId } from './ids';
import type { XY } from './layout';

const round = (p: XY): Position => ({ x: Math.round(p.x), y: Math.round(p.y) });

/** A new node of `op` at `at` (its top-left corner), with a fresh id (linear1, linear2...). */
export function addOpEdit(op: string, at: XY, taken: ReadonlySet<string>): { edit: GraphEdit; id: string } {
  const id = uniqueId(idBaseForOp(op), new Set(taken));
  const { x, y } = round(at);
  const node: NodeJson = { id, op, ui: { x, y } };
  return { edit: { kind: 'addNodes', nodes: [node], edges: [] }, id };
}

export function moveEdit(positions: ReadonlyMap<string, XY> | Record<string, XY>): GraphEdit | null {
  const entries = positions instanceof Map ? [...positions.entries()] : Object.entries(positions);
  if (entries.length === 0) return null;
  return { kind: 'moveNodes', positions: Object.fromEntries(entries.map(([id, p]) => [id, round(p)])) };
}

/** Deleting nodes takes their edges along; only edges between surviving nodes are listed. */
export function deleteEdit(nodeIds: readonly string[], edges: readonly { from: string; to: string; port: number }[]): GraphEdit | null {
  const gone = new Set(nodeIds);
  const edgeList: EdgeJson[] = edges
    .filter((e) => !gone.has(e.from) && !gone.has(e.to))
    .map((e) => ({ from: e.from, to: e.to, ...(e.port ? { port: e.port } : {}) }));
  if (gone.size === 0 && edgeList.length === 0) return null;
  return { kind: 'deleteElements', nodeIds: [...gone], edges: edgeList };
}

/** Where a new node goes near `at` without sitting exactly on another node. */
export function freeSpot(at: XY, taken: readonly XY[]): XY {
  let p = round(at);
  for (let k = 0; k < 40 && taken.some((q) => Math.abs(q.x - p.x) < 24 && Math.abs(q.y - p.y) < 24); k++) p = { x: p.x + 30, y: p.y + 30 };
  return p;
}
