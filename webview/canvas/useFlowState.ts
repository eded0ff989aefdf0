// The canvas's nodes and edges: rebuilt from each new GraphView (reusing unchanged objects), changed locally by
// React Flow while the user selects and drags, and never written back except through edits.
import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from '@xyflow/react';
import type { GraphView } from '../model/graphView';
import { estimateSize, placeMissing, type XY } from '../model/layout';
import type { OpFlowNode, ShapeFlowEdge } from './flowTypes';
import { reconcileEdges, reconcileNodes } from './reconcile';

export interface FlowState {
  nodes: OpFlowNode[];
  edges: ShapeFlowEdge[];
  onNodesChange: (changes: NodeChange<OpFlowNode>[]) => void;
  onEdgesChange: (changes: EdgeChange<ShapeFlowEdge>[]) => void;
  /** Select these ids once they appear in a document (the nodes an add or paste creates). */
  selectWhenPresent: (ids: readonly string[]) => void;
  /** Select exactly these nodes now. */
  selectNodes: (ids: readonly string[]) => void;
  /** The latest nodes, for event handlers. */
  nodesRef: RefObject<OpFlowNode[]>;
}

/**
 * @param revision changes with every document message: positions go back to the document's even when its text
 *   did not change (a refused move).
 * @param onKeyboardMove called with nodes moved without a drag (arrow keys on a focused node): the caller
 *   sends them as one moveNodes edit once the keys stop.
 */
export function useFlowState(view: GraphView, revision: number, onKeyboardMove: (ids: string[]) => void, draggingRef: RefObject<boolean>): FlowState {
  const [nodes, setNodes] = useState<OpFlowNode[]>([]);
  const [edges, setEdges] = useState<ShapeFlowEdge[]>([]);
  const nodesRef = useRef<OpFlowNode[]>(nodes);
  nodesRef.current = nodes;
  const placed = useRef(new Map<string, XY>());
  const pendingSelect = useRef<Set<string> | null>(null);

  useLayoutEffect(() => {
    const sized = view.nodes.map((v) => ({ id: v.id, ui: v.ui, ...estimateSize(v.ports.length, v.keyAttrs.length) }));
    placed.current = placeMissing(sized, view.edges, placed.current);
    const positions = new Map<string, XY>();
    for (const v of view.nodes) positions.set(v.id, v.ui ?? placed.current.get(v.id) ?? { x: 0, y: 0 });
    let select: Set<string> | undefined;
    const want = pendingSelect.current;
    if (want && [...want].every((id) => view.byId.has(id))) {
      select = want;
      pendingSelect.current = null;
    }
    setNodes((prev) => reconcileNodes(prev, view, positions, { select }));
    setEdges((prev) => reconcileEdges(prev, view, !!select));
  }, [view, revision]);

  const onNodesChange = useCallback(
    (changes: NodeChange<OpFlowNode>[]) => {
      // Adding and removing happen through edits and come back in the document; never locally.
      const local = changes.filter((c) => c.type === 'position' || c.type === 'select' || c.type === 'dimensions');
      if (local.length) setNodes((prev) => applyNodeChanges(local, prev));
      if (!draggingRef.current) {
        const moved = local.filter((c) => c.type === 'position' && c.position && !c.dragging).map((c) => (c as { id: string }).id);
        if (moved.length) onKeyboardMove(moved);
      }
    },
    [onKeyboardMove, draggingRef],
  );

  const onEdgesChange = useCallback((changes: EdgeChange<ShapeFlowEdge>[]) => {
    const local = changes.filter((c) => c.type === 'select');
    if (local.length) setEdges((prev) => applyEdgeChanges(local, prev));
  }, []);

  const selectWhenPresent = useCallback((ids: readonly string[]) => {
    pendingSelect.current = new Set(ids);
  }, []);

  const selectNodes = useCallback((ids: readonly string[]) => {
    const want = new Set(ids);
    setNodes((prev) => prev.map((n) => (!!n.selected === want.has(n.id) ? n : { ...n, selected: want.has(n.id) })));
    setEdges((prev) => prev.map((e) => (e.selected ? { ...e, selected: false } : e)));
  }, []);

  return { nodes, edges, onNodesChange, onEdgesChange, selectWhenPresent, selectNodes, nodesRef };
}
