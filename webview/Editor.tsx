// The graph editor for one document: palette, canvas, inspector, training panel, problems strip. It turns user
// actions into GraphEdits (one per action) and sends them with the document version they were made against; the
// host applies them and sends the new text back, which re-renders the graph.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import { useReactFlow, type ColorMode, type Viewport } from '@xyflow/react';
import type { GraphAnalysis } from '../engine/graph/analyze';
import { getOp } from '../engine/graph/registry';
import type { ModelJson } from '../engine/graph/types';
import type { GraphEdit } from '../protocol/messages';
import { Canvas } from './canvas/Canvas';
import { MinimapDock } from './canvas/MinimapDock';
import { FIT_VIEW } from './canvas/openingView';
import { useFlowState } from './canvas/useFlowState';
import { useShortcuts } from './canvas/useShortcuts';
import { ProblemsStrip } from './chrome/ProblemsStrip';
import { Toolbar } from './chrome/Toolbar';
import type { Notify } from './chrome/useStatus';
import { postEdit, savedState, saveState } from './host';
import { Inspector } from './inspector/Inspector';
import { copyNodes, pasteNodes, type ClipPayload } from './model/clipboard';
import { addOpEdit, deleteEdit, freeSpot, moveEdit } from './model/edits';
import { buildGraphView } from './model/graphView';
import { layeredLayout, type XY } from './model/layout';
import { Palette } from './palette/Palette';
import { countRender } from './debug/renders';
import { OverlayDock } from './training/OverlayDock';
import { overlay } from './training/stores';
import { TrainingPanel } from './training/TrainingPanel';

export interface EditorProps {
  model: ModelJson;
  analysis: GraphAnalysis;
  version: number;
  /** Bumped by every document message, even one with unchanged text (after a refused edit). */
  revision: number;
  readOnly: boolean;
  colorMode: ColorMode;
  notify: Notify;
  onOpenAsText: () => void;
  /** A node to reveal (from the host), with a counter so the same node can be revealed twice. */
  revealRequest: { nodeId: string; seq: number } | null;
}

const KEYBOARD_MOVE_DELAY_MS = 400;

export function Editor({ model, analysis, version, revision, readOnly, colorMode, notify, onOpenAsText, revealRequest }: EditorProps) {
  countRender('Editor');
  const view = useMemo(() => buildGraphView(model, analysis), [model, analysis]);
  const rf = useReactFlow();

  // The overlay's values are keyed by edge index: when the edges change shape, they no longer fit, so it clears.
  const edgeShape = useMemo(() => (model.edges ?? []).map((e) => `${e?.from}>${e?.to}:${e?.port ?? 0}`).join('|'), [model]);
  const edgeCount = model.edges?.length ?? 0;
  useLayoutEffect(() => overlay.setShape(edgeShape, edgeCount), [edgeShape, edgeCount]);
  const versionRef = useRef(version);
  versionRef.current = version;
  const readOnlyRef = useRef(readOnly);
  readOnlyRef.current = readOnly;
  const viewRef = useRef(view);
  viewRef.current = view;

  // One user action sends one edit: the same edit against the same version again within a second (a key event
  // and the change event it causes, say) is dropped.
  const lastSent = useRef({ version: -1, json: '', at: 0 });
  const send = useCallback((edit: GraphEdit | null) => {
    if (!edit || readOnlyRef.current) return;
    const json = JSON.stringify(edit);
    const now = performance.now();
    const last = lastSent.current;
    if (last.version === versionRef.current && last.json === json && now - last.at < 1000) return;
    lastSent.current = { version: versionRef.current, json, at: now };
    postEdit(versionRef.current, edit);
  }, []);

  // Arrow keys move focused nodes without a drag: one moveNodes edit once the keys stop.
  const draggingRef = useRef(false);
  const keyboardMoved = useRef(new Set<string>());
  const keyboardTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const positionsOf = (ids: Iterable<string>): Map<string, XY> => {
    const want = new Set(ids);
    return new Map(flowRef.current.nodesRef.current.filter((n) => want.has(n.id)).map((n) => [n.id, n.position]));
  };
  const onKeyboardMove = useCallback(
    (ids: string[]) => {
      for (const id of ids) keyboardMoved.current.add(id);
      clearTimeout(keyboardTimer.current);
      keyboardTimer.current = setTimeout(() => {
        send(moveEdit(positionsOf(keyboardMoved.current)));
        keyboardMoved.current.clear();
      }, KEYBOARD_MOVE_DELAY_MS);
    },
    [send],
  );
  useEffect(() => () => clearTimeout(keyboardTimer.current), []);

  const flow = useFlowState(view, revision, onKeyboardMove, draggingRef);
  // A stable callback; `flow` itself is a new object every render, so the callbacks below depend on this alone.
  const { selectWhenPresent } = flow;
  const flowRef = useRef(flow);
  flowRef.current = flow;

  // The remembered viewport, if any; otherwise the canvas opens fitted to the graph (Canvas.tsx).
  const saved = useMemo(() => savedState().viewport, []);
  const fitAfterNextDocument = useRef(false);
  useEffect(() => {
    if (!fitAfterNextDocument.current) return;
    fitAfterNextDocument.current = false;
    requestAnimationFrame(() => void rf.fitView({ ...FIT_VIEW, duration: 200 }));
  }, [view, rf]);

  // ---- actions -------------------------------------------------------------------------------------------
  const ids = () => new Set(viewRef.current.nodes.map((n) => n.id));

  const addAt = useCallback(
    (op: string, at: XY) => {
      if (!getOp(op)) return;
      const { edit, id } = addOpEdit(op, at, ids());
      selectWhenPresent([id]);
      send(edit);
    },
    [selectWhenPresent, send],
  );

  const addAtCentre = useCallback(
    (op: string) => {
      const el = document.querySelector('.canvas .react-flow');
      const r = el?.getBoundingClientRect();
      const centre = r ? rf.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 }) : { x: 0, y: 0 };
      const spot = freeSpot(
        { x: centre.x - 80, y: centre.y - 40 },
        flowRef.current.nodesRef.current.map((n) => n.position),
      );
      addAt(op, spot);
    },
    [rf, addAt],
  );

  const connectEdge = useCallback(
    (from: string, to: string, port: number) => {
      const spec = getOp(viewRef.current.byId.get(to)?.op ?? '');
      const multi = !!spec && (!('ports' in spec.inputs) || spec.inputs.ports.length > 1);
      send({ kind: 'connect', edge: { from, to, ...(multi || port > 0 ? { port } : {}) } });
    },
    [send],
  );

  const onRefused = useCallback((reason: string) => notify(`Connection refused: ${reason}`, 'warning'), [notify]);

  const onDelete = useCallback((nodeIds: string[], edges: { from: string; to: string; port: number }[]) => send(deleteEdit(nodeIds, edges)), [send]);

  const onMoved = useCallback(
    (positions: Map<string, XY>) => {
      const changed = new Map(
        [...positions].filter(([id, p]) => {
          const ui = viewRef.current.byId.get(id)?.ui;
          return !ui || Math.round(p.x) !== ui.x || Math.round(p.y) !== ui.y;
        }),
      );
      send(moveEdit(changed));
    },
    [send],
  );

  const autoLayout = useCallback(() => {
    const nodes = flowRef.current.nodesRef.current.map((n) => ({ id: n.id, width: n.measured?.width ?? 136, height: n.measured?.height ?? 80 }));
    if (nodes.length === 0) return;
    fitAfterNextDocument.current = true;
    send(moveEdit(layeredLayout(nodes, viewRef.current.edges)));
  }, [send]);

  const fitView = useCallback(() => void rf.fitView({ ...FIT_VIEW, duration: 200 }), [rf]);

  const reveal = useCallback(
    (nodeId: string) => {
      const node = flowRef.current.nodesRef.current.find((n) => n.id === nodeId);
      if (!node) return;
      flowRef.current.selectNodes([nodeId]);
      const w = node.measured?.width ?? 136;
      const h = node.measured?.height ?? 80;
      void rf.setCenter(node.position.x + w / 2, node.position.y + h / 2, { zoom: Math.max(rf.getZoom(), 1), duration: 250 });
    },
    [rf],
  );
  useEffect(() => {
    if (revealRequest) reveal(revealRequest.nodeId);
  }, [revealRequest, reveal]);

  const onViewportChange = useCallback((v: Viewport) => saveState({ viewport: v }), []);

  // ---- clipboard and shortcuts ---------------------------------------------------------------------------
  const copy = useCallback((selected: string[]): ClipPayload | null => copyNodes(model, selected, positionsOf(selected)), [model]);
  const paste = useCallback(
    (payload: ClipPayload, times: number) => {
      const { nodes, edges } = pasteNodes(payload, ids(), { x: 40 * times, y: 40 * times });
      selectWhenPresent(nodes.map((n) => n.id));
      send({ kind: 'addNodes', nodes, edges });
    },
    [selectWhenPresent, send],
  );
  const selectedIds = () => flowRef.current.nodesRef.current.filter((n) => n.selected).map((n) => n.id);
  useShortcuts({
    readOnly,
    selectedIds,
    selectAll: () => flow.selectNodes(view.nodes.map((n) => n.id)),
    clearSelection: () => flow.selectNodes([]),
    copy,
    paste,
    remove: (removeIds) => send(deleteEdit(removeIds, [])),
    duplicate: (dupIds) => {
      const payload = copy(dupIds);
      if (payload) paste(payload, 1);
    },
    focusRename: () => (document.querySelector('#inspector-id') as HTMLElement | null)?.focus(),
  });

  const selection = useMemo(
    () =>
      flow.nodes
        .filter((n) => n.selected)
        .map((n) => n.id)
        .join(' '),
    [flow.nodes],
  );

  return (
    <div className={`editor${readOnly ? ' read-only' : ''}`}>
      <Toolbar name={model.name || 'Untitled model'} readOnly={readOnly} onAutoLayout={autoLayout} onFitView={fitView} onOpenAsText={onOpenAsText} />
      <div className="editor-main">
        {/* The side columns hold what used to float over the graph (docked: no panel covers a node). The minimap
            sits under the palette, or, in a read-only view (no palette), under the inspector. */}
        {!readOnly && (
          <div className="side-column side-left">
            <Palette onAdd={addAtCentre} />
            <MinimapDock />
          </div>
        )}
        <Canvas
          flow={flow}
          view={view}
          readOnly={readOnly}
          colorMode={colorMode}
          defaultViewport={saved}
          draggingRef={draggingRef}
          onConnectEdge={connectEdge}
          onRefused={onRefused}
          onDelete={onDelete}
          onDropOp={addAt}
          onMoved={onMoved}
          onViewportChange={onViewportChange}
        />
        <div className="side-column side-right">
          <div className="overlay-dock-slot" data-testid="overlay-dock">
            <OverlayDock />
          </div>
          <Inspector selection={selection} model={model} analysis={analysis} view={view} readOnly={readOnly} send={send} />
          {readOnly && <MinimapDock />}
        </div>
      </div>
      <TrainingPanel training={model.training} readOnly={readOnly} send={send} onReveal={reveal} analysis={analysis} />
      <ProblemsStrip problems={view.problems} onReveal={reveal} />
    </div>
  );
}
