/**
 * The graph algorithms the analyzer, the export planner, the extension host's edits and the webview share:
 * topological order, cycles (with the path that closes them), reachability, and the wording of the errors
 * they find, so a cycle reads the same in a diagnostic, a refused edit and the canvas.
 *
 * Pure functions over node ids and edges `{ from, to }`. Duplicate edges are allowed (two edges between
 * the same nodes feed two ports). Where an order matters, ties follow the order of the arrays given, so
 * results are stable and readable.
 */

export interface Edge {
  readonly from: string;
  readonly to: string;
}

/** Each node's successors, in edge order (a duplicate edge gives a duplicate entry). */
function successors(edges: readonly Edge[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of edges) (out.get(e.from) ?? out.set(e.from, []).get(e.from)!).push(e.to);
  return out;
}

function predecessors(edges: readonly Edge[]): Map<string, string[]> {
  return successors(edges.map((e) => ({ from: e.to, to: e.from })));
}

/**
 * `nodes` in topological order: first the nodes nothing feeds, in the given order, then each node as soon
 * as its last input is placed (breadth first), following edge order. Edges with an end outside `nodes` are
 * ignored. Nodes on a cycle, or downstream of one, are left out, so a short result means a cycle.
 */
export function topologicalOrder(nodes: readonly string[], edges: readonly Edge[]): string[] {
  const indegree = new Map<string, number>(nodes.map((id) => [id, 0]));
  const known = edges.filter((e) => indegree.has(e.from) && indegree.has(e.to));
  for (const e of known) indegree.set(e.to, indegree.get(e.to)! + 1);
  const out = successors(known);
  const order = [...new Set(nodes)].filter((id) => indegree.get(id) === 0);
  for (let head = 0; head < order.length; head++) {
    for (const next of out.get(order[head]!) ?? []) {
      const d = indegree.get(next)! - 1;
      indegree.set(next, d);
      if (d === 0) order.push(next);
    }
  }
  return order;
}

/**
 * `ids` reordered as little as possible so that each comes after every id it is reachable from: each
 * place takes the earliest id (in the given order) whose predecessors are all placed, so an order that is
 * already topological comes back unchanged. The edges may pass through nodes that are not in `ids`. On a
 * cycle the earliest id left is placed next, so every id comes back. One search per id: O(ids × edges).
 */
export function stableTopologicalOrder(ids: readonly string[], edges: readonly Edge[]): string[] {
  if (ids.length < 2 || edges.length === 0) return [...ids];
  const rank = new Map(ids.map((id, i) => [id, i]));
  const out = successors(edges);
  // For each id, the ranks of the other ids it reaches.
  const reaches = ids.map((id) => [...reachable(out, [id])].filter((t) => t !== id && rank.has(t)).map((t) => rank.get(t)!));
  const unplacedPreds = ids.map(() => 0);
  for (const found of reaches) for (const r of found) unplacedPreds[r]!++;
  const placed = ids.map(() => false);
  const order: string[] = [];
  while (order.length < ids.length) {
    let next = unplacedPreds.findIndex((p, i) => p <= 0 && !placed[i]);
    if (next < 0) next = placed.indexOf(false);
    placed[next] = true;
    order.push(ids[next]!);
    for (const r of reaches[next]!) unplacedPreds[r]!--;
  }
  return order;
}

/**
 * One cycle of the graph as a closed path (`['a', 'b', 'a']`, a self-loop `['a', 'a']`), or null when
 * there is none. Found from the first node (in the given order) that topological order cannot place,
 * walking back along the first edge (in edge order) that feeds each node from another unplaced one; the
 * path starts at the node where that walk closes.
 */
export function findCycle(nodes: readonly string[], edges: readonly Edge[]): string[] | null {
  const placed = new Set(topologicalOrder(nodes, edges));
  const stuck = nodes.filter((id) => !placed.has(id));
  if (stuck.length === 0) return null;
  // Every unplaced node has an unplaced predecessor, so the walk back must come round to a node it has seen.
  const stuckIds = new Set(stuck);
  const pred = new Map<string, string>();
  for (const e of edges) if (stuckIds.has(e.from) && stuckIds.has(e.to) && !pred.has(e.to)) pred.set(e.to, e.from);
  const seenAt = new Map<string, number>();
  const walk: string[] = [];
  let cur = stuck[0]!;
  while (!seenAt.has(cur)) {
    seenAt.set(cur, walk.length);
    walk.push(cur);
    cur = pred.get(cur)!;
  }
  // The walk went backwards; read forwards from the node where it closed.
  const back = walk.slice(seenAt.get(cur)! + 1).reverse();
  return [cur, ...back, cur];
}

/** Ids reachable from `starts` along `out` (the starts included). */
function reachable(out: Map<string, string[]>, starts: readonly string[]): Set<string> {
  const seen = new Set(starts);
  const stack = [...starts];
  while (stack.length) {
    for (const next of out.get(stack.pop()!) ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(next);
    }
  }
  return seen;
}

/** `ids` and every node that reaches one of them (their ancestors). */
export function upstream(edges: readonly Edge[], ids: readonly string[]): Set<string> {
  return reachable(predecessors(edges), ids);
}

/** `ids` and every node reachable from one of them (their descendants). */
export function downstream(edges: readonly Edge[], ids: readonly string[]): Set<string> {
  return reachable(successors(edges), ids);
}

/** A shortest path from `start` to `goal` along the edges (`[start]` when they are the same), or null. */
export function shortestPath(edges: readonly Edge[], start: string, goal: string): string[] | null {
  const out = successors(edges);
  const prev = new Map<string, string>([[start, start]]);
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head]!;
    if (id === goal) {
      const path = [goal];
      while (path[0] !== start) path.unshift(prev.get(path[0]!)!);
      return path;
    }
    for (const next of out.get(id) ?? []) {
      if (prev.has(next)) continue;
      prev.set(next, id);
      queue.push(next);
    }
  }
  return null;
}

/**
 * The cycle that adding the edge `from → to` would close, as a closed path from `to` back to `to`
 * (`['to', …, 'from', 'to']`, a self-loop `['a', 'a']`), or null when the edge keeps the graph acyclic.
 */
export function cycleClosedBy(edges: readonly Edge[], from: string, to: string): string[] | null {
  const back = shortestPath(edges, to, from);
  return back ? [...back, to] : null;
}

// ---------------------------------------------------------------------------------------------
// The wording of each error, wherever it is shown.

/** `a → b → a`. */
export function formatPath(path: readonly string[]): string {
  return path.join(' → ');
}

/** A node of the graph lies on `cycle` (a closed path); `label` names the node, e.g. `Linear node "fc"`. */
export function onCycleMessage(label: string, cycle: readonly string[]): string {
  return `${label} is on a cycle: ${formatPath(cycle)} (the graph must be acyclic)`;
}

/** The edge `from → to` would feed a node from itself. */
export function selfLoopMessage(id: string): string {
  return `"${id}" cannot feed itself (the graph must be acyclic).`;
}

/** The edge `from → to` would close `cycle` (as cycleClosedBy gives it). */
export function closesCycleMessage(from: string, to: string, cycle: readonly string[]): string {
  return `Connecting "${from}" to "${to}" would make a cycle (${formatPath(cycle)}); the graph must be acyclic.`;
}

/** Why adding the edge `from → to` is refused for making a cycle (a self-loop included), or null. */
export function cycleProblem(edges: readonly Edge[], from: string, to: string): string | null {
  if (from === to) return selfLoopMessage(from);
  const cycle = cycleClosedBy(edges, from, to);
  return cycle ? closesCycleMessage(from, to, cycle) : null;
}
