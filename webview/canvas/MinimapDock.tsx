// The minimap and the zoom buttons (Fit View is on the toolbar), docked in a side column (Editor.tsx) rather than floating over the graph,
// so neither can cover a node. A header bar folds the minimap away (the `minimapOpen` view preference, kept
// per workspace) and keeps the zoom buttons. React Flow's MiniMap needs only the ReactFlowProvider's store, not
// to sit inside <ReactFlow>; it is still pannable and zoomable. Its size follows the column's width.
import { memo, useCallback, useLayoutEffect, useRef, useState } from 'react';
import { MiniMap, useReactFlow } from '@xyflow/react';
import { FoldButton } from '../ui/FoldButton';
import { Icon } from '../ui/Icon';
import { Button } from '../ui/toolkit';
import { useUiPref } from '../ui/uiPrefs';
import { categoryClass } from './categories';
import type { OpFlowNode } from './flowTypes';

const ZOOM_DURATION_MS = 150;
/** The minimap's height for its width: about the shape of the canvas, within these bounds. */
const minimapHeight = (width: number) => Math.round(Math.min(112, Math.max(72, width * 0.64)));

const minimapClass = (n: OpFlowNode) => `minimap-node ${categoryClass(n.data.view.category)}${n.data.view.errors.length ? ' has-error' : ''}`;

/** The width the minimap can take in its column (measured: the column narrows in a narrow editor). */
function useContentWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.floor(el.clientWidth));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}

function MinimapDockImpl() {
  const [open, setOpen] = useUiPref('minimapOpen', true);
  const rf = useReactFlow();
  const [frameRef, width] = useContentWidth();
  const toggle = useCallback(() => setOpen(!open), [open, setOpen]);
  const zoomIn = useCallback(() => void rf.zoomIn({ duration: ZOOM_DURATION_MS }), [rf]);
  const zoomOut = useCallback(() => void rf.zoomOut({ duration: ZOOM_DURATION_MS }), [rf]);
  return (
    <section className={`minimap-dock${open ? ' open' : ''}`} aria-label="Minimap and zoom" data-testid="minimap-dock">
      <div className="dock-header">
        <FoldButton open={open} onToggle={toggle} what="the minimap" className="dock-toggle" testId="minimap-toggle">
          <span className="dock-title">Minimap</span>
        </FoldButton>
        <div className="dock-actions" role="group" aria-label="Zoom">
          <Button appearance="icon" title="Zoom out" onClick={zoomOut} data-testid="zoom-out">
            <Icon name="zoom-out" />
          </Button>
          <Button appearance="icon" title="Zoom in" onClick={zoomIn} data-testid="zoom-in">
            <Icon name="zoom-in" />
          </Button>
        </div>
      </div>
      <div className="minimap-body" hidden={!open}>
        <div className="minimap-frame" ref={frameRef}>
          {open && width > 0 && (
            <MiniMap<OpFlowNode> pannable zoomable nodeClassName={minimapClass} ariaLabel="Minimap" style={{ width, height: minimapHeight(width) }} />
          )}
        </div>
      </div>
    </section>
  );
}

export const MinimapDock = memo(MinimapDockImpl);
