// A tensor summary on one line, for the walk-through's lists (gradients sent to each input, a primitive's gradient, a
// parameter before and after): its values when it has a few, else mean, std and range.
import type { TensorSummary } from '../../protocol/messages';
import { formatShape, formatStat } from '../training/statFormat';

/** The root-mean-square of the summarised values: √(mean² + std²). */
export const rmsOf = (s: TensorSummary): number => Math.sqrt(s.mean * s.mean + s.std * s.std);

export function CompactStats({ summary, shape, testId }: { summary?: TensorSummary; shape?: readonly number[]; testId?: string }) {
  if (!summary)
    return (
      <span className="hint" data-testid={testId}>
        none
      </span>
    );
  const s = summary;
  return (
    <span className="compact-stats" data-testid={testId} data-mean={s.mean} data-count={s.count}>
      {shape && <span className="hint">{formatShape(shape)} </span>}
      {s.values && s.values.length <= 8 ? (
        <b data-testid="compact-values">{s.values.map(formatStat).join(', ')}</b>
      ) : (
        <>
          <span className="hint">mean</span> <b>{formatStat(s.mean)}</b> <span className="hint">std</span> <b>{formatStat(s.std)}</b>{' '}
          <span className="hint">
            [{formatStat(s.min)}, {formatStat(s.max)}]
          </span>
        </>
      )}
    </span>
  );
}
