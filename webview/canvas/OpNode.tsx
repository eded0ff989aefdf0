// One node on the canvas: op, id, key attributes, a labelled target handle per input port, the output type and
// parameter count with the output handle beside them, and the engine's errors for the node. Row heights are fixed
// (see geometry.ts). Memoised: React Flow hands it the
// same `data` object while the node's view is unchanged, so editing one node re-renders only that node.
// `nopan`: a press on a node never pans the view, so a click selects it even where nodes cannot be dragged
// (read-only documents).
// Training data stays out of the node's props: the node reads only whether a NaN/Inf stop names it (a boolean
// selected from the training store) and its mark in the step walk-through (a string), so gradient and progress
// updates never re-render a node, and a walk-through frame only the nodes whose mark changes. A parameterised
// node holds the overlay's badge (training/NodeBadge.tsx), which reads the overlay store itself.
import { memo, useCallback } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { countRender } from '../debug/renders';
import type { SessionView } from '../training/sessionStore';
import { useSession } from '../training/stores';
import { NodeBadge } from '../training/NodeBadge';
import { useWalk } from '../walkthrough/walk';
import type { WalkStore } from '../walkthrough/walkStore';
import { Icon } from '../ui/Icon';
import { CATEGORY_ICON, categoryClass } from './categories';
import { inHandle, OUT_HANDLE, type OpFlowNode } from './flowTypes';
import { groupDigits } from '../model/format';

function OpNodeImpl({ data, selected }: NodeProps<OpFlowNode>) {
  const v = data.view;
  countRender('OpNode');
  const nonFinite = useSession((s: SessionView) => s.status === 'nonFinite' && s.nodeId === v.id);
  // The walk-through's mark for this node (a string): a frame re-renders only the nodes whose mark changes.
  const walkMark = useWalk(useCallback((s: WalkStore) => s.nodeMark(v.id), [v.id]));
  const hasError = v.errors.length > 0;
  return (
    <div
      className={`op-node nopan ${categoryClass(v.category)}${hasError ? ' has-error' : ''}${selected ? ' selected' : ''}${nonFinite ? ' nonfinite' : ''}${walkMark ? ` walk-${walkMark}` : ''}`}
      data-node-id={v.id}
      data-walk={walkMark ?? undefined}
      data-nonfinite={nonFinite ? 'true' : undefined}
      title={hasError ? v.errors.join('\n') : undefined}
    >
      {v.paramCount > 0 && <NodeBadge id={v.id} />}
      {nonFinite && (
        <div className="op-node-nonfinite" role="note" title="Training stopped here: the first non-finite value (NaN or Inf) appeared in this node">
          <Icon name="warning" /> NaN
        </div>
      )}
      <div className="op-node-header">
        <Icon name={CATEGORY_ICON[v.category]} className="op-node-icon" />
        <span className="op-node-op">{v.op}</span>
        <span className="op-node-id">{v.id}</span>
      </div>
      {v.keyAttrs.length > 0 && (
        <div className="op-node-attrs">
          {v.keyAttrs.map((a) => (
            <div key={a}>{a}</div>
          ))}
        </div>
      )}
      {v.ports.length > 0 && (
        <div className="op-node-ports">
          {v.ports.map((p) => (
            <div key={p.index} className={`op-node-port${p.source === undefined ? ' free' : ''}`} data-port={p.index}>
              <Handle type="target" position={Position.Left} id={inHandle(p.index)} className="op-handle-in" title={`input ${p.index}: ${p.name}`} />
              <span className="op-node-port-name">{p.name}</span>
            </div>
          ))}
        </div>
      )}
      <div className="op-node-footer">
        <span className="op-node-type" title="output shape">
          {v.type}
        </span>
        {v.paramCount > 0 && <span className="op-node-params">{groupDigits(v.paramCount)} params</span>}
        <Handle type="source" position={Position.Right} id={OUT_HANDLE} className="op-handle-out" title="output" />
      </div>
      {hasError && (
        <div className="op-node-error" role="note">
          <Icon name="error" /> {v.errors[0]}
          {v.errors.length > 1 ? ` (+${v.errors.length - 1} more)` : ''}
        </div>
      )}
    </div>
  );
}

export const OpNode = memo(OpNodeImpl);
