// The React Flow node and edge types of the canvas, and the ids of their handles. (No JSX here, so pure modules
// and Node tests can use them.)
import type { Edge, Node } from '@xyflow/react';
import type { EdgeView, NodeView } from '../model/graphView';

export type OpNodeData = { view: NodeView };
export type OpFlowNode = Node<OpNodeData, 'op'>;

export type ShapeEdgeData = { view: EdgeView };
export type ShapeFlowEdge = Edge<ShapeEdgeData, 'shape'>;

/** The target handle of input port `port`. */
export const inHandle = (port: number): string => `in${port}`;
export const OUT_HANDLE = 'out';
export const portOfHandle = (handle: string | null | undefined): number => {
  const m = /^in(\d+)$/.exec(handle ?? '');
  return m ? Number(m[1]) : 0;
};
