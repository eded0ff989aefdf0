// Whether an edge may be added: no self-loops, no cycles, no second edge into a port. The webview refuses
// such connections with a reason before sending anything (the host checks again, with the same words).
import { cycleProblem, downstream, selfLoopMessage } from '../../engine/graph/algorithms';
import type { GraphView } from './graphView';

/** Why an edge from `from` into port `port` of `to` is refused, or null when it may be added. */
export function connectionProblem(view: GraphView, from: string, to: string, port: number): string | null {
  const target = view.byId.get(to);
  if (!view.byId.has(from) || !target) return 'Both ends must be nodes of this model.';
  if (from === to) return selfLoopMessage(to);
  const p = target.ports.find((q) => q.index === port);
  if (!p) return `${target.op} node "${to}" has no input port ${port}.`;
  if (p.source !== undefined) return `Port "${p.name}" of "${to}" is already fed by "${p.source}". Delete that edge first.`;
  return cycleProblem(view.edges, from, to);
}

/** Nodes that may feed a port of `nodeId` (every node except it and those downstream of it). */
export function sourceCandidates(view: GraphView, nodeId: string): string[] {
  const below = downstream(view.edges, [nodeId]);
  return view.nodes.map((n) => n.id).filter((id) => !below.has(id));
}
