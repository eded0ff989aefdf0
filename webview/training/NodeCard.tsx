// The node hover card: hovering a node shows what it computes (its op's formula from the registry), its output
// shape (the engine's shape inference, batch as N) and, once a run has reported them, the statistics of its
// output and of the gradient arriving at it (∂ℓ/∂y, summed over its consumers) at the reported step. It sits beside
// the node, inside the canvas, takes no pointer events, and goes away when the pointer leaves the node, when the
// view starts to move (Canvas.tsx clears the hover store) and on Escape.
// Only the card reads the statistics store, with a selector for the hovered node: an update re-renders the card
// and never a node.
import { memo, useCallback, useEffect } from 'react';
import { getOp } from '../../engine/graph/registry';
import { countRender } from '../debug/renders';
import { setNodeHover, useNodeHover } from './nodeHover';
import type { NodeStatsStore } from './nodeStatsStore';
import { useNodeStats } from './stores';
import { TensorStatsView } from './TensorStatsView';
import { useCardBesideNode } from './useCardBesideNode';

function NodeCardImpl() {
  const id = useNodeHover();
  return id === null ? null : <NodeCardBody id={id} />;
}

const selectStep = (s: NodeStatsStore) => s.step;

function NodeCardBody({ id }: { id: string }) {
  // The node as React Flow has it now: its view, and where it is (the card follows it if it moves).
  const { node, ref: el } = useCardBesideNode(id);
  const stats = useNodeStats(useCallback((s: NodeStatsStore) => s.get(id), [id]));
  const step = useNodeStats(selectStep);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setNodeHover(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (!node) return null; // deleted while hovered
  countRender('NodeCard');
  const view = node.data.view;
  const spec = getOp(view.op);
  return (
    <div className="node-card" ref={el} data-testid="node-card" data-node-id={id} data-step={stats ? step : undefined} role="tooltip">
      <div className="node-card-head">
        <span className="node-card-op">{view.op}</span>
        <span className="node-card-id">{view.id}</span>
      </div>
      {spec && (
        <div className="node-card-formula" data-testid="node-card-formula">
          {spec.formula}
        </div>
      )}
      {spec?.formulaNote && (
        <div className="node-card-formula-note hint" data-testid="node-card-formula-note">
          {spec.formulaNote}
        </div>
      )}
      <div className="node-card-shape">
        <span className="hint">output</span> <b data-testid="node-card-shape">{view.type}</b>
      </div>
      {stats ? (
        <>
          <div className="node-card-step hint">
            over the whole batch at step <b data-testid="node-card-step">{step}</b>
          </div>
          {stats.output ? (
            <TensorStatsView summary={stats.output} title={view.isLoss ? 'Loss ℓ' : 'Output y'} shape={stats.shape} testId="node-card-output" />
          ) : (
            <div className="hint">Integer values (class indices or token ids): not summarised.</div>
          )}
          {stats.grad ? (
            <TensorStatsView
              summary={stats.grad}
              title={view.isLoss ? 'Gradient ∂ℓ/∂ℓ' : 'Gradient arriving ∂ℓ/∂y'}
              shape={stats.shape}
              tone="gradient"
              testId="node-card-grad"
            />
          ) : (
            <div className="hint" data-testid="node-card-no-grad">
              {spec?.isSource ? 'No gradient: it is fed, not computed.' : 'No gradient reaches this node.'}
            </div>
          )}
        </>
      ) : (
        <div className="hint" data-testid="node-card-hint">
          Statistics of its output and of the gradient arriving at it appear once the model trains.
        </div>
      )}
    </div>
  );
}

export const NodeCard = memo(NodeCardImpl);
