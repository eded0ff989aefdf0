// Turns a new GraphView into React Flow nodes and edges, reusing the previous objects wherever nothing changed
// (same view, position and selection), so React Flow and the memoised components skip unchanged elements.
// A node being dragged keeps its local position until the drag ends. Nodes carry their handle geometry, so edges
// are drawn in the first frame rather than after React Flow has measured every node.
import { sameEdgeView, sameNodeView, type GraphView } from '../model/graphView';
import type { XY } from '../model/layout';
import { nodeGeometry } from './geometry';
import { inHandle, OUT_HANDLE, type OpFlowNode, type ShapeFlowEdge } from './flowTypes';

export interface SelectionOverride {
  /** Select exactly these ids (new nodes after an add or paste); others are deselected. */
  select?: ReadonlySet<string>;
}

export function reconcileNodes(
  prev: readonly OpFlowNode[],
  view: GraphView,
  positions: ReadonlyMap<string, XY>,
  override: SelectionOverride = {},
): OpFlowNode[] {
  const old = new Map(prev.map((n) => [n.id, n]));
  return view.nodes.map((v) => {
    const before = old.get(v.id);
    const selected = override.select ? override.select.has(v.id) : (before?.selected ?? false);
    const position = before?.dragging ? before.position : (positions.get(v.id) ?? before?.position ?? { x: 0, y: 0 });
    const data = before && sameNodeView(before.data.view, v) ? before.data : { view: v };
    if (before && before.data === data && before.selected === selected && before.position.x === position.x && before.position.y === position.y) return before;
    const g = before && before.data === data ? before : nodeGeometry(v);
    // A node without errors has exactly the computed size (its rows are fixed; the "handle geometry" browser test
    // checks it), so it is given as the node's size and as already measured. React Flow then has nothing to
    // update when its resize observer first sees the nodes; otherwise that update re-rendered every node and
    // edge, restyled and laid them out again, all inside the first frame. A node with errors grows with its
    // message: it gets an initial size only, and React Flow measures it.
    const size =
      v.errors.length === 0
        ? { width: g.initialWidth, height: g.initialHeight, measured: { width: g.initialWidth, height: g.initialHeight } }
        : { width: undefined, height: undefined, measured: undefined };
    return {
      ...(before ?? {}),
      id: v.id,
      type: 'op',
      position,
      data,
      selected,
      initialWidth: g.initialWidth,
      initialHeight: g.initialHeight,
      ...size,
      handles: g.handles,
    };
  });
}

export function reconcileEdges(prev: readonly ShapeFlowEdge[], view: GraphView, clearSelection = false): ShapeFlowEdge[] {
  const old = new Map(prev.map((e) => [e.id, e]));
  return view.edges.map((v) => {
    const before = old.get(v.id);
    const selected = clearSelection ? false : (before?.selected ?? false);
    if (before && before.data && sameEdgeView(before.data.view, v) && (before.selected ?? false) === selected) return before;
    return {
      id: v.id,
      type: 'shape',
      source: v.from,
      target: v.to,
      sourceHandle: OUT_HANDLE,
      targetHandle: inHandle(v.port),
      data: before?.data && sameEdgeView(before.data.view, v) ? before.data : { view: v },
      selected,
    };
  });
}
