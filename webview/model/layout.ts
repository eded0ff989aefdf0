// Positions: a layered left-to-right layout (dagre) for the auto-layout button and for files without any
// positions, and a simple placement for the few nodes of a laid-out file that have no `ui` position yet.
import dagre from '@dagrejs/dagre';

export interface XY {
  x: number;
  y: number;
}

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
}

export interface LayoutEdge {
  from: string;
  to: string;
  port?: number;
}

/** Top-left positions, rounded to whole pixels, of a layered left-to-right layout. */
export function layeredLayout(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): Record<string, XY> {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', ranksep: 60, nodesep: 30, edgesep: 10, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  // dagre keeps nodes in plain objects, where ids such as `constructor` or `__proto__` break it: it sees
  // only index names (n0, n1, ...).
  const index = new Map(nodes.map((n, i) => [n.id, `n${i}`]));
  nodes.forEach((n, i) => g.setNode(`n${i}`, { width: n.width, height: n.height }));
  edges.forEach((e, i) => {
    const from = index.get(e.from),
      to = index.get(e.to);
    if (from && to && from !== to) g.setEdge(from, to, { weight: 1 }, `e${i}`);
  });
  dagre.layout(g);
  // Null-prototype: a node may be called __proto__.
  const out = Object.create(null) as Record<string, XY>;
  nodes.forEach((n, i) => {
    const p = g.node(`n${i}`);
    out[n.id] = { x: Math.round((p.x ?? 0) - n.width / 2), y: Math.round((p.y ?? 0) - n.height / 2) };
  });
  return out;
}

/** A rough size of a node before it is measured on screen. */
export function estimateSize(portCount: number, keyAttrCount: number): { width: number; height: number } {
  return { width: 136, height: 58 + 18 * Math.max(portCount, 0) + 14 * Math.min(keyAttrCount, 2) };
}

/**
 * Positions for nodes without a `ui` position. With no position in the whole file, a layered layout of
 * everything; otherwise each new node goes right of its inputs (or below everything), keeping earlier
 * guesses from `previous` so nothing jumps. Nothing here is written to the file until the user moves nodes.
 */
export function placeMissing(nodes: readonly (LayoutNode & { ui?: XY })[], edges: readonly LayoutEdge[], previous: ReadonlyMap<string, XY>): Map<string, XY> {
  const missing = nodes.filter((n) => !n.ui);
  const placed = new Map<string, XY>();
  if (missing.length === 0) return placed;
  if (missing.length === nodes.length && missing.some((n) => !previous.has(n.id))) {
    const all = layeredLayout(nodes, edges);
    for (const n of nodes) placed.set(n.id, all[n.id]);
    return placed;
  }
  const pos = new Map<string, XY>();
  for (const n of nodes) if (n.ui) pos.set(n.id, n.ui);
  for (const n of missing) {
    const p = previous.get(n.id);
    if (p) {
      pos.set(n.id, p);
      placed.set(n.id, p);
    }
  }
  const size = new Map(nodes.map((n) => [n.id, n]));
  const overlaps = (id: string, p: XY) =>
    [...pos.entries()].some(([other, q]) => other !== id && Math.abs(q.x - p.x) < size.get(id)!.width && Math.abs(q.y - p.y) < (size.get(other)?.height ?? 80));
  // Inputs before the nodes they feed, so a chain of new nodes is laid out as a chain.
  const pending = missing.filter((n) => !placed.has(n.id));
  for (let round = 0; pending.length > 0 && round < nodes.length + 1; round++) {
    for (let i = 0; i < pending.length; i++) {
      const n = pending[i];
      const sources = edges.filter((e) => e.to === n.id).map((e) => e.from);
      const waiting = sources.some((s) => !pos.has(s) && pending.some((m) => m.id === s));
      if (waiting && round < nodes.length) continue;
      let p: XY;
      const known = sources.map((s) => pos.get(s)).filter((q): q is XY => !!q);
      if (known.length > 0) {
        p = { x: Math.max(...known.map((q) => q.x)) + 200, y: Math.round(known.reduce((s, q) => s + q.y, 0) / known.length) };
      } else {
        const all = [...pos.values()];
        p = all.length ? { x: Math.min(...all.map((q) => q.x)), y: Math.max(...all.map((q) => q.y)) + 140 } : { x: 0, y: 0 };
      }
      for (let k = 0; k < 50 && overlaps(n.id, p); k++) p = { x: p.x, y: p.y + 90 };
      pos.set(n.id, p);
      placed.set(n.id, p);
      pending.splice(i--, 1);
    }
  }
  return placed;
}
