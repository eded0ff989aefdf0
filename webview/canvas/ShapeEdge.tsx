// An edge labelled with the tensor it carries (`N×128`, from the engine's shape inference); an edge at fault is
// drawn in the error colour with the engine's message. Memoised like the nodes.
import { memo } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, useStoreApi, type EdgeProps } from '@xyflow/react';
import { Icon } from '../ui/Icon';
import type { ShapeFlowEdge } from './flowTypes';

function ShapeEdgeImpl({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd }: EdgeProps<ShapeFlowEdge>) {
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
      <BaseEdge id={id} path={path} markerEnd={markerEnd} className={hasError ? 'edge-error' : undefined} />
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
            {hasError && selected && <div className="edge-message">{v.errors[0]}</div>}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const ShapeEdge = memo(ShapeEdgeImpl);
