// Whether an edge may be added: no self-loops, no cycles, no second edge into a port. The webview refuses
// such connections with a reason before sending anything (the host checks again).
import type { GraphView } from './graphView';

/** Ids of every node reachable from `start` along edges (start included). */
export function downstream(view: GraphView, start: string): Set<string> {
  const out = new Map<string, string[]>();
  for (const e of view.edges) (out.get(e.from) ?? out.set(e.from, []).get(e.from)!).push(e.to);
  const seen = new Set([start]);
  const stack = [start];
  while (stack.length) {
    for (const next of out.get(stack.pop()!) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen;
}

/** A path from `from` to `to` along edges, or null. */
function pathBetween(view: GraphView, from: string, to: string): string[] | null {
  const out = new Map<string, string[]>();
  for (const e of view.edges) (out.get(e.from) ?? out.set(e.from, []).get(e.from)!).push(e.to);
  const prev = new Map<string, string>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length) {
    const cur = queue.shift()!;
    if (cur === to) {
      const path = [to];
      while (path[0] !== from) path.unshift(prev.get(path[0])!);
      return path;
    }
    for (const next of out.get(cur) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        prev.set(next, cur);
        queue.push(next);
      }
    }
  }
  return null;
}

/** Why an edge from `from` into port `port` of `to` is refused, or null when it may be added. */
export function connectionProblem(view: GraphView, from: string, to: string, port: number): string | null {
  const target = view.byId.get(to);
  if (!view.byId.has(from) || !target) return 'Both ends must be nodes of this model.';
  if (from === to) return `"${to}" cannot feed itself (the graph must be acyclic).`;
  const p = target.ports.find((q) => q.index === port);
  if (!p) return `${target.op} node "${to}" has no input port ${port}.`;
  if (p.source !== undefined) return `Port "${p.name}" of "${to}" is already fed by "${p.source}". Delete that edge first.`;
  const back = pathBetween(view, to, from);
  if (back) return `That would make a cycle: ${[...back, to].join(' → ')}. The graph must be acyclic.`;
  return null;
}

/** Nodes that may feed a port of `nodeId` (every node except it and those downstream of it). */
export function sourceCandidates(view: GraphView, nodeId: string): string[] {
  const below = downstream(view, nodeId);
  return view.nodes.map((n) => n.id).filter((id) => !below.has(id));
}
