// One tensor's summary (protocol TensorSummary): mean, std, a histogram of its values from min to max, and for a
// tiny tensor the values themselves (for a single value, the value alone). Presentational only (no store): the
// node hover card shows a node's output and the gradient arriving at it with it, and the backprop walk-through
// reuses it for its previews.
import type { ReactNode } from 'react';
import type { TensorSummary } from '../../protocol/messages';
import { formatShape, formatStat } from './statFormat';

const HIST_W = 204;
const HIST_H = 34;

export interface TensorStatsViewProps {
  summary: TensorSummary;
  /** What the tensor is ("Output", "Gradient ∂ℓ/∂y"). */
  title: ReactNode;
  /** The tensor's concrete shape, batch included, when known. */
  shape?: readonly number[];
  /** Colours the histogram: a value, or a gradient. */
  tone?: 'value' | 'gradient';
  testId?: string;
}

export function TensorStatsView({ summary, title, shape, tone = 'value', testId }: TensorStatsViewProps) {
  const s = summary;
  const total = shape ? shape.reduce((p, d) => p * d, 1) : s.count;
  const nonFinite = total - s.count;
  return (
    <section className={`tensor-stats tone-${tone}`} data-testid={testId} data-count={s.count}>
      <div className="tensor-stats-head">
        <span className="tensor-stats-title">{title}</span>
        <span className="hint">
          {shape ? `${formatShape(shape)} · ` : ''}
          {s.count} value{s.count === 1 ? '' : 's'}
          {nonFinite > 0 ? ` · ${nonFinite} non-finite left out` : ''}
        </span>
      </div>
      {s.count === 0 ? (
        <div className="hint">No finite values.</div>
      ) : s.count === 1 ? (
        // One number (a loss, a micrograd-sized node): its value says everything a histogram would.
        <div className="tensor-stats-figures">
          <Figure name="value" value={s.mean} />
        </div>
      ) : (
        <>
          <div className="tensor-stats-figures">
            <Figure name="mean" value={s.mean} />
            <Figure name="std" value={s.std} />
          </div>
          <Histogram summary={s} />
          <div className="tensor-stats-range">
            <Figure name="min" value={s.min} />
            <Figure name="max" value={s.max} />
          </div>
          {s.values && (
            <div className="tensor-stats-values" data-testid="tensor-values" title="every value, row-major">
              {s.values.map(formatStat).join(', ')}
            </div>
          )}
        </>
      )}
    </section>
  );
}

function Figure({ name, value }: { name: string; value: number }) {
  return (
    <span className="tensor-stats-figure">
      <span className="hint">{name}</span> <b data-stat={name}>{formatStat(value)}</b>
    </span>
  );
}

/** One bar per bin from min to max, linear in count; a bin with any value keeps at least a sliver; 0 marked. */
function Histogram({ summary }: { summary: TensorSummary }) {
  const { histogram, min, max, count } = summary;
  const peak = Math.max(1, ...histogram);
  const bw = HIST_W / Math.max(1, histogram.length);
  const zero = min < 0 && max > 0 ? Math.round(((0 - min) / (max - min)) * HIST_W * 10) / 10 : null;
  return (
    <svg
      className="tensor-histogram"
      width={HIST_W}
      height={HIST_H}
      viewBox={`0 0 ${HIST_W} ${HIST_H}`}
      data-testid="tensor-histogram"
      role="img"
      aria-label={`histogram of ${count} values from ${formatStat(min)} to ${formatStat(max)}`}
    >
      {histogram.map((c, i) => {
        const h = c > 0 ? Math.max(1.5, (c / peak) * (HIST_H - 1)) : 0;
        return <rect key={i} className="tensor-histogram-bar" x={i * bw + 0.5} y={HIST_H - h} width={Math.max(1, bw - 1)} height={h} data-count={c} />;
      })}
      {zero !== null && <line className="tensor-histogram-zero" x1={zero} x2={zero} y1={0} y2={HIST_H} />}
    </svg>
  );
}
