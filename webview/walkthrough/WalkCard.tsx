// The walk-through's card beside the active node: in the forward pass, what the node computed (its formula and its
// output: values for a tiny tensor, a heatmap for a 2-D one, a histogram otherwise); in the backward pass, its
// chain-rule step (the gradient that came in, summed over its consumers, the local derivative its op applies, the
// gradients it sent to each input, its parameters' gradients, and on request the primitive ops of the tape it
// recorded); in the update, each parameter before → after. Placed like the hover card (cardPlacement.ts), it reads
// the walk-through store alone: moving a frame re-renders the card, not the canvas.
import { memo, useCallback } from 'react';
import { getOp } from '../../engine/graph/registry';
import type { BackwardTrace, ForwardTrace, StepTrace, UpdateTrace, WeightImage } from '../../protocol/messages';
import { countRender } from '../debug/renders';
import { formatShape, formatStat } from '../training/statFormat';
import { TensorStatsView } from '../training/TensorStatsView';
import { useCardBesideNode } from '../training/useCardBesideNode';
import { WeightHeatmap } from '../weights/WeightHeatmap';
import { CompactStats, rmsOf } from './CompactStats';
import { useWalk } from './walk';
import type { Frame, WalkStore } from './walkStore';

const selectFrame = (s: WalkStore) => s.frame;

function WalkCardImpl() {
  const frame = useWalk(selectFrame);
  return frame ? <WalkCardBody frame={frame} /> : null;
}

function WalkCardBody({ frame }: { frame: Frame }) {
  const trace = useWalk(useCallback((s: WalkStore) => s.trace, []))!;
  const { ref: el } = useCardBesideNode(frame.node);
  countRender('WalkCard');
  let body;
  if (frame.phase === 'forward') body = <ForwardCard f={trace.forward[frame.index]} />;
  else if (frame.phase === 'backward') body = <BackwardCard b={trace.backward[frame.index]} trace={trace} />;
  else body = <UpdateCard u={trace.update[frame.index]} trace={trace} />;
  return (
    <div
      className={`walk-card phase-${frame.phase}`}
      ref={el}
      data-testid="walk-card"
      data-phase={frame.phase}
      data-node-id={frame.node}
      role="region"
      aria-label={`Walk-through: ${frame.phase} of ${frame.node}`}
    >
      {body}
    </div>
  );
}

function Head({ op, id, what }: { op: string; id: string; what: string }) {
  return (
    <div className="walk-card-head">
      <span className="walk-card-what">{what}</span>
      <span className="node-card-op">{op}</span>
      <span className="node-card-id">{id}</span>
    </div>
  );
}

/** An output heatmap as an image of its matrix: rows are samples, columns features (averaged in blocks when many). */
function heatmapImage(f: ForwardTrace): WeightImage | null {
  const h = f.heatmap;
  if (!h || !f.output) return null;
  return {
    shape: [h.sourceRows, h.sourceCols],
    layout: 'matrix',
    rows: h.rows,
    cols: h.cols,
    rowBlock: 1,
    colBlock: h.colBlock,
    values: h.values,
    min: f.output.min,
    max: f.output.max,
  };
}

function ForwardCard({ f }: { f: ForwardTrace }) {
  const spec = getOp(f.op);
  const image = heatmapImage(f);
  const isLoss = !!spec?.isLoss;
  return (
    <>
      <Head op={f.op} id={f.node} what="Forward" />
      {spec && (
        <div className="node-card-formula" data-testid="walk-formula">
          {spec.formula}
        </div>
      )}
      <div className="hint">
        output <b data-testid="walk-shape">{formatShape(f.shape)}</b> · {formatStat(f.ms)} ms
      </div>
      {f.output ? (
        <TensorStatsView summary={f.output} title={isLoss ? 'Loss ℓ' : 'Output y'} shape={f.shape} testId="walk-output" />
      ) : (
        <div className="hint">Integer values: not summarised.</div>
      )}
      {image && !f.output?.values && (
        <WeightHeatmap
          image={image}
          title="Output"
          symbol="y"
          maxCell={8}
          testId="walk-output-heatmap"
          note={`row: sample${image.rows < image.shape[0] ? ` (the first ${image.rows} of ${image.shape[0]})` : ''}, column: feature${image.colBlock > 1 ? ` (means of ${image.colBlock})` : ''}`}
        />
      )}
    </>
  );
}

function BackwardCard({ b, trace }: { b: BackwardTrace; trace: StepTrace }) {
  const spec = getOp(b.op);
  const isLoss = !!spec?.isLoss;
  return (
    <>
      <Head op={b.op} id={b.node} what="Backward" />
      <TensorStatsView summary={b.gradOut} title={isLoss ? 'Came in: ∂ℓ/∂ℓ' : 'Came in: ∂ℓ/∂y'} shape={b.shape} tone="gradient" testId="walk-grad-in" />
      {b.consumers.length > 1 && (
        <div className="walk-sum" data-testid="walk-consumers" data-count={b.consumers.length}>
          the sum of {b.consumers.length} contributions:{' '}
          {b.consumers.map((i) => {
            const e = trace.edges[i];
            return (
              <span key={i} className="walk-contribution" data-edge-index={i}>
                from {e.to} (rms {formatStat(e.grad ? rmsOf(e.grad) : 0)})
              </span>
            );
          })}
        </div>
      )}
      {b.derivative && (
        <div className="walk-derivative" data-testid="walk-derivative">
          <span className="hint">local derivative</span>
          <div className="node-card-formula">{b.derivative}</div>
        </div>
      )}
      {b.inputs.length > 0 && (
        <div className="walk-list" data-testid="walk-grads-out">
          <div className="walk-list-title">Sent to its inputs</div>
          {b.inputs.map((p) => (
            <div key={p.port} className="walk-list-row" data-port={p.port} data-edge-index={p.edge}>
              <span className="hint">∂ℓ/∂{p.from}</span> <CompactStats summary={p.grad} shape={p.shape} />
              {!p.grad && <span className="hint"> (fed: no gradient)</span>}
            </div>
          ))}
        </div>
      )}
      {b.params.length > 0 && (
        <div className="walk-list" data-testid="walk-param-grads">
          <div className="walk-list-title">Its parameters’ gradients</div>
          {b.params.map((p) => (
            <div key={p.key} className="walk-list-row" data-param={p.name}>
              <span className="hint">∂ℓ/∂{p.name}</span> <CompactStats summary={p.grad} shape={p.shape} />
            </div>
          ))}
        </div>
      )}
      {b.primitives.length > 0 && (
        <details className="walk-primitives" data-testid="walk-primitives">
          <summary>
            {b.primitives.length + b.primitivesOmitted} primitive op{b.primitives.length + b.primitivesOmitted === 1 ? '' : 's'} of the tape ·{' '}
            {formatStat(b.ms)} ms
          </summary>
          {b.primitives.map((p, i) => (
            <div key={i} className="walk-list-row" data-testid="walk-primitive" data-op={p.op}>
              <b>{p.op}</b>{' '}
              <span className="hint">
                {p.inputs.map(formatShape).join(', ')} → {formatShape(p.output)}
              </span>{' '}
              <span className="hint">got</span> <CompactStats summary={p.gradOut} />
            </div>
          ))}
          {b.primitivesOmitted > 0 && <div className="hint">and {b.primitivesOmitted} more</div>}
        </details>
      )}
    </>
  );
}

function UpdateCard({ u, trace }: { u: UpdateTrace; trace: StepTrace }) {
  return (
    <>
      <Head op={u.op} id={u.node} what="Update" />
      <div className="hint" data-testid="walk-optimizer">
        {trace.optimizer.name}
      </div>
      <div className="node-card-formula">{trace.optimizer.rule}</div>
      {u.params.map((p) => (
        <div key={p.key} className="walk-list" data-testid="walk-update" data-param={p.name}>
          <div className="walk-list-title">
            {p.name} <span className="hint">{formatShape(p.shape)}</span>
          </div>
          <div className="walk-list-row">
            <span className="hint">before</span> <CompactStats summary={p.before} testId="walk-before" />
          </div>
          <div className="walk-list-row">
            <span className="hint">after</span> <CompactStats summary={p.after} testId="walk-after" />
          </div>
          <div className="walk-list-row">
            <span className="hint">change</span> <CompactStats summary={p.delta} />
          </div>
        </div>
      ))}
      <div className="hint">Select the node to see its weights and gradients as heatmaps in the Inspector.</div>
    </>
  );
}

export const WalkCard = memo(WalkCardImpl);
