// An edge labelled with the tensor it carries (`N×128`, from the engine's shape inference); an edge at fault is
// drawn in the error colour with the engine's message. Memoised like the nodes.
//
// While training streams gradients, the line (GradientPath) takes its colour and width from the overlay's
// mode: the edge's RMS gradient, or the update ratio or weight RMS of the parameterised node it leaves, each on
// its log scale (training/scale.ts), dashed and marked in the label when its gradient is flagged vanishing or
// exploding. GradientPath and the label's flag read the overlay store themselves, with selectors that change only
// when the edge's colour step or flag does: an update re-renders those few paths, not this edge, and never a node. The
// exact value goes to the React Flow edge element as `data-grad` (and `data-grad-flag`) straight from the store.
// The step walk-through's highlight and gradient label are components of their own too (walkthrough/WalkEdge.tsx).
import { memo, useLayoutEffect, useRef } from 'react';
import { EdgeLabelRenderer, getBezierPath, useStoreApi, type EdgeProps } from '@xyflow/react';
import type { EdgeFlag } from '../../protocol/messages';
import { countRender } from '../debug/renders';
import { FLAG_ICON, FLAG_DETAIL } from '../training/GradientLegend';
import type { OverlayStore } from '../training/overlayStore';
import { edgeLook, type EdgeLook } from '../training/scale';
import { overlay, useOverlay } from '../training/stores';
import { Icon } from '../ui/Icon';
import { WalkEdgeMark, WalkEdgePath } from '../walkthrough/WalkEdge';
import type { ShapeFlowEdge } from './flowTypes';

const INTERACTION_WIDTH = 20;

/** Writes the edge's exact magnitude and flag on the React Flow edge element (`g.react-flow__edge`). */
function writeGradAttributes(g: Element, index: number): void {
  const cell = overlay.cell(index);
  if (!cell) {
    g.removeAttribute('data-grad');
    g.removeAttribute('data-grad-flag');
    return;
  }
  g.setAttribute('data-grad', String(cell.value));
  if (cell.flag) g.setAttribute('data-grad-flag', cell.flag);
  else g.removeAttribute('data-grad-flag');
}

interface GradientPathProps {
  id: string;
  path: string;
  index: number;
  hasError: boolean;
  markerEnd?: string;
}

function GradientPathImpl({ id, path, index, hasError, markerEnd }: GradientPathProps) {
  const key = useOverlay((o: OverlayStore) => o.styleKey(index));
  countRender('GradientPath');
  const ref = useRef<SVGPathElement>(null);
  useLayoutEffect(() => {
    const g = ref.current?.parentElement;
    if (!g) return;
    writeGradAttributes(g, index);
    const off = overlay.subscribe(() => writeGradAttributes(g, index));
    return () => {
      off();
      g.removeAttribute('data-grad');
      g.removeAttribute('data-grad-flag');
    };
  }, [index]);

  const look: EdgeLook = hasError ? { className: 'edge-error' } : edgeLook(key);
  const className = look.className ? `react-flow__edge-path ${look.className}` : 'react-flow__edge-path';
  return (
    <>
      <path
        ref={ref}
        id={id}
        d={path}
        fill="none"
        className={className}
        style={look.style}
        markerEnd={markerEnd}
        data-look={key ? key.split('|')[0] : undefined}
      />
      <path d={path} fill="none" strokeOpacity={0} strokeWidth={INTERACTION_WIDTH} className="react-flow__edge-interaction" />
    </>
  );
}

const GradientPath = memo(GradientPathImpl);

/** The flag's symbol in the edge's label, while the overlay flags the edge. */
function EdgeFlagMark({ index }: { index: number }) {
  const flag = useOverlay((o: OverlayStore) => o.flag(index)) as EdgeFlag | null;
  if (!flag) return null;
  return (
    <span className={`edge-flag grad-${flag}`} title={`Gradient ${FLAG_DETAIL[flag]}`} data-flag={flag}>
      <Icon name={FLAG_ICON[flag]} />
    </span>
  );
}

function ShapeEdgeImpl({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd }: EdgeProps<ShapeFlowEdge>) {
  countRender('ShapeEdge');
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const v = data?.view;
  const hasError = !!v && v.errors.length > 0;
  const store = useStoreApi();
  // A click on the label selects the edge, as a click on its line does.
  const select = () => {
    const { addSelectedEdges, unselectNodesAndEdges, multiSelectionActive } = store.getState();
    if (!multiSelectionActive) unselectNodesAndEdges();
    addSelectedEdges([id]);
  };
  return (
    <>
      <GradientPath id={id} path={path} index={v?.index ?? -1} hasError={hasError} markerEnd={markerEnd} />
      {v && <WalkEdgePath path={path} index={v.index} from={v.from} to={v.to} />}
      {v && (
        <EdgeLabelRenderer>
          <div
            className={`edge-label nodrag nopan${hasError ? ' has-error' : ''}${selected ? ' selected' : ''}${v.label === '?' ? ' unknown' : ''}`}
            data-edge-id={id}
            title={hasError ? v.errors.join('\n') : `${v.from} → ${v.to} (port ${v.port}): ${v.label}`}
            style={{ transform: `translate(-50%, -100%) translate(${labelX}px, ${labelY - 2}px)` }}
            onClick={select}
          >
            {hasError && <Icon name="error" />}
            <span className="edge-shape">{v.label}</span>
            <EdgeFlagMark index={v.index} />
            <WalkEdgeMark index={v.index} from={v.from} to={v.to} />
            {hasError && selected && <div className="edge-message">{v.errors[0]}</div>}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const ShapeEdge = memo(ShapeEdgeImpl);
