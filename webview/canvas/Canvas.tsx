// The React Flow canvas: custom op nodes and shape-labelled edges; drops from the palette; connections checked
// before they are sent (a refused one says why); deletions and the end of a drag turned into edits. It never
// changes the graph itself: every change goes out as an edit.
// Nothing floats over the graph: the minimap and zoom buttons (MinimapDock.tsx) and the training overlay's
// legend (OverlayDock) are docked in the side columns (Editor.tsx), so no panel can cover a node. While training
// streams gradients, hovering an edge shows its tooltip, which reads the training stores itself (the canvas does
// not re-render for an update). The step walk-through's bar and card sit over the canvas too, reading their own store
// (webview/walkthrough/); the hover card stays away while it is open.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type DragEvent, type MouseEvent as ReactMouseEvent, type RefObject } from 'react';
import {
  ReactFlow,
  useReactFlow,
  type ColorMode,
  type Connection,
  type Edge,
  type FinalConnectionState,
  type OnBeforeDelete,
  type Viewport,
} from '@xyflow/react';
import { countRender } from '../debug/renders';
import type { GraphView } from '../model/graphView';
import { EdgeTooltip } from '../training/EdgeTooltip';
import { setHover } from '../training/hover';
import { NodeCard } from '../training/NodeCard';
import { WalkBar } from '../walkthrough/WalkBar';
import { WalkCard } from '../walkthrough/WalkCard';
import { HiddenWhileWalking } from '../walkthrough/walk';
import { setNodeHover } from '../training/nodeHover';
import { connectionProblem } from '../model/connect';
import type { XY } from '../model/layout';
import { portOfHandle, type OpFlowNode, type ShapeFlowEdge } from './flowTypes';
import { OpNode } from './OpNode';
import { ShapeEdge } from './ShapeEdge';
import type { FlowState } from './useFlowState';
import { OpeningViewFollower, openingViewport } from './openingView';

export const PALETTE_MIME = 'application/x-backprop-studio-op';

const nodeTypes = { op: OpNode };
const edgeTypes = { shape: ShapeEdge };
const DELETE_KEYS = ['Delete', 'Backspace'];
const MULTI_KEYS = ['Meta', 'Control'];
const MIN_ZOOM = 0.1;
const MAX_ZOOM = 2.5;

export interface CanvasProps {
  flow: FlowState;
  view: GraphView;
  readOnly: boolean;
  colorMode: ColorMode;
  /** The view the person left this document in, if any (it is theirs: it is not refitted on resize). */
  defaultViewport?: Viewport;
  draggingRef: RefObject<boolean>;
  onConnectEdge: (from: string, to: string, port: number) => void;
  onRefused: (reason: string) => void;
  onDelete: (nodeIds: string[], edges: { from: string; to: string; port: number }[]) => void;
  onDropOp: (op: string, at: XY) => void;
  onMoved: (positions: Map<string, XY>) => void;
  /** The view changed, and it is one the person chose (not the opening view, which is recomputed on reopening). */
  onViewportChange: (v: Viewport) => void;
}

/** The connection a drag from `fromHandle` to `toHandle` means, as (from node, to node, port). */
function normalise(c: Connection): { from: string; to: string; port: number } {
  return { from: c.source, to: c.target, port: portOfHandle(c.targetHandle) };
}

export function Canvas(props: CanvasProps) {
  const { flow, view, readOnly, colorMode, draggingRef, onConnectEdge, onRefused, onDelete, onDropOp, onMoved, onViewportChange } = props;
  const { screenToFlowPosition, setViewport } = useReactFlow();
  countRender('Canvas');

  // React Flow reads its viewport once, when it mounts: mount it once the canvas has a size and the nodes are
  // placed (both known in layout effects, before the first paint), with the remembered view or the opening one
  // (openingView.ts: fitted, or a readable part of a large graph).
  const canvasEl = useRef<HTMLDivElement>(null);
  const [initialView, setInitialView] = useState<Viewport | undefined>(props.defaultViewport);
  const placed = flow.nodes.length > 0 || view.nodes.length === 0;
  const follower = useRef(new OpeningViewFollower(props.defaultViewport !== undefined, 0, 0));
  // Any document after the one the graph opened with ends the following (a drop, an edit, new text).
  const openedWith = useRef(view);
  useEffect(() => {
    if (view !== openedWith.current) follower.current.graphChanged();
  }, [view]);
  useLayoutEffect(() => {
    const el = canvasEl.current;
    if (initialView || !el || !placed) return;
    follower.current = new OpeningViewFollower(false, el.clientWidth, el.clientHeight);
    setInitialView(openingViewport(flow.nodes, el.clientWidth, el.clientHeight));
  }, [initialView, placed, flow.nodes]);

  // Until the person moves the view, a resize (the window, a side bar opening, the training panel folding)
  // refits the opening view to the canvas's new size.
  const nodesRef = flow.nodesRef;
  useEffect(() => {
    const el = canvasEl.current;
    if (!initialView || !el) return;
    const observer = new ResizeObserver(() => {
      const [width, height] = [el.clientWidth, el.clientHeight];
      if (follower.current.resized(width, height)) follower.current.refit(() => void setViewport(openingViewport(nodesRef.current, width, height)));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [initialView, nodesRef, setViewport]);

  const isValidConnection = useCallback(
    (c: Connection | Edge) => {
      const { from, to, port } = normalise(c as Connection);
      return connectionProblem(view, from, to, port) === null;
    },
    [view],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      const { from, to, port } = normalise(c);
      const problem = connectionProblem(view, from, to, port);
      if (problem) onRefused(problem);
      else onConnectEdge(from, to, port);
    },
    [view, onConnectEdge, onRefused],
  );

  // A release over a handle that isValidConnection refused: say why.
  const onConnectEnd = useCallback(
    (_e: MouseEvent | TouchEvent, s: FinalConnectionState) => {
      if (s.isValid !== false || !s.fromHandle || !s.toHandle) return;
      if (s.fromHandle.type === s.toHandle.type) {
        onRefused(
          s.fromHandle.type === 'source'
            ? 'Connect an output (right side) to an input port (left side).'
            : 'Connect an input port to an output (right side of a node).',
        );
        return;
      }
      const [src, dst] = s.fromHandle.type === 'source' ? [s.fromHandle, s.toHandle] : [s.toHandle, s.fromHandle];
      const problem = connectionProblem(view, src.nodeId, dst.nodeId, portOfHandle(dst.id));
      if (problem) onRefused(problem);
    },
    [view, onRefused],
  );

  const onBeforeDelete = useCallback<OnBeforeDelete<OpFlowNode, ShapeFlowEdge>>(
    async ({ nodes, edges }) => {
      if (!readOnly) {
        onDelete(
          nodes.map((n) => n.id),
          edges.filter((e) => e.data).map((e) => ({ from: e.data!.view.from, to: e.data!.view.to, port: e.data!.view.port })),
        );
      }
      return false; // the document, not React Flow, removes them
    },
    [readOnly, onDelete],
  );

  const dragStart = useCallback(() => {
    draggingRef.current = true;
  }, [draggingRef]);
  const dragStop = useCallback(
    (_e: unknown, _n: unknown, nodes: OpFlowNode[]) => {
      draggingRef.current = false;
      onMoved(new Map(nodes.map((n) => [n.id, n.position])));
    },
    [draggingRef, onMoved],
  );
  const selectionDragStop = useCallback(
    (_e: unknown, nodes: OpFlowNode[]) => {
      draggingRef.current = false;
      onMoved(new Map(nodes.map((n) => [n.id, n.position])));
    },
    [draggingRef, onMoved],
  );

  const onDragOver = useCallback(
    (e: DragEvent) => {
      if (readOnly || !e.dataTransfer.types.includes(PALETTE_MIME)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    },
    [readOnly],
  );
  const onDrop = useCallback(
    (e: DragEvent) => {
      const op = e.dataTransfer.getData(PALETTE_MIME);
      if (readOnly || !op) return;
      e.preventDefault();
      onDropOp(op, screenToFlowPosition({ x: e.clientX, y: e.clientY }));
    },
    [readOnly, onDropOp, screenToFlowPosition],
  );

  // While the view is dragged, a transparent shield covers the canvas, so each mouse move hit-tests one element
  // rather than 5 000 (nodes, 250 edge paths, labels). Shown through its own style, not a class on the canvas:
  // restyling every node and edge when a pan starts costs a frame of its own. Wheel zooms keep no shield (their
  // events must reach React Flow's pane). Nothing here goes through React state: moving the view re-renders nothing of ours.
  const shieldEl = useRef<HTMLDivElement>(null);
  const zoomAtStart = useRef(1);
  const onMoveStart = useCallback((e: MouseEvent | TouchEvent | null, v: Viewport) => {
    follower.current.viewMoved();
    zoomAtStart.current = v.zoom;
    if (shieldEl.current && (e?.type === 'mousedown' || e?.type === 'pointerdown' || e?.type === 'touchstart')) shieldEl.current.style.display = 'block';
    setHover(null);
    setNodeHover(null);
  }, []);
  const onMoveEnd = useCallback(
    (_e: unknown, v: Viewport) => {
      const el = canvasEl.current;
      if (shieldEl.current) shieldEl.current.style.display = '';
      if (el && v.zoom !== zoomAtStart.current) {
        // Re-rasterise the composited layer at the new zoom (else text stays blurry after zooming in).
        el.classList.add('rescale');
        requestAnimationFrame(() => requestAnimationFrame(() => el.classList.remove('rescale')));
      }
      if (!follower.current.isFollowing) onViewportChange(v);
    },
    [onViewportChange],
  );

  // The edge under the pointer, for the gradient tooltip (a store of its own: hovering re-renders the tooltip only).
  const hoverAt = useCallback((e: ReactMouseEvent, edge: ShapeFlowEdge) => {
    const v = edge.data?.view;
    const r = canvasEl.current?.getBoundingClientRect();
    if (!v || !r) return;
    setHover({ edgeId: edge.id, index: v.index, from: v.from, to: v.to, x: e.clientX - r.left, y: e.clientY - r.top, width: r.width, height: r.height });
  }, []);
  const hoverEnd = useCallback(() => setHover(null), []);
  // The node under the pointer, for the node hover card (a store of its own, like the edge's).
  const nodeHoverAt = useCallback((_e: ReactMouseEvent, node: OpFlowNode) => setNodeHover(node.id), []);
  const nodeHoverEnd = useCallback(() => setNodeHover(null), []);

  return (
    <div className="canvas" ref={canvasEl} onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
      {initialView && (
        <ReactFlow<OpFlowNode, ShapeFlowEdge>
          nodes={flow.nodes}
          edges={flow.edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodesChange={flow.onNodesChange}
          onEdgesChange={flow.onEdgesChange}
          onConnect={onConnect}
          onConnectEnd={onConnectEnd}
          isValidConnection={isValidConnection}
          onBeforeDelete={onBeforeDelete}
          onNodeDragStart={dragStart}
          onNodeDragStop={dragStop}
          onSelectionDragStart={dragStart}
          onSelectionDragStop={selectionDragStop}
          onMoveStart={onMoveStart}
          onMoveEnd={onMoveEnd}
          onEdgeMouseEnter={hoverAt}
          onEdgeMouseMove={hoverAt}
          onEdgeMouseLeave={hoverEnd}
          onNodeMouseEnter={nodeHoverAt}
          onNodeMouseLeave={nodeHoverEnd}
          nodesDraggable={!readOnly}
          nodesConnectable={!readOnly}
          edgesReconnectable={false}
          deleteKeyCode={readOnly ? null : DELETE_KEYS}
          multiSelectionKeyCode={MULTI_KEYS}
          colorMode={colorMode}
          defaultViewport={initialView}
          minZoom={MIN_ZOOM}
          maxZoom={MAX_ZOOM}
          onlyRenderVisibleElements
        />
      )}
      <EdgeTooltip />
      <HiddenWhileWalking>
        <NodeCard />
      </HiddenWhileWalking>
      <WalkCard />
      <WalkBar />
      <div className="move-shield" ref={shieldEl} aria-hidden="true" />
    </div>
  );
}
