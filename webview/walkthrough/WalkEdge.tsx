// What an edge shows during the walk-through: its line highlighted while a value flows along it (forward) or a
// gradient comes back along it (backward), and in its label the gradient it carried, once its consumer's backward has
// sent one (the engine's edge gradient: its value for a single number, else its RMS). Each selects its own edge's
// mark, so moving a frame re-renders only the edges whose mark changes.
import { memo, useCallback } from 'react';
import type { WalkStore } from './walkStore';
import { useWalk } from './walk';
import { rmsOf } from './CompactStats';
import { formatStat } from '../training/statFormat';

interface EdgeRef {
  index: number;
  from: string;
  to: string;
}

export const WalkEdgePath = memo(function WalkEdgePath({ path, index, from, to }: EdgeRef & { path: string }) {
  const mark = useWalk(useCallback((s: WalkStore) => s.edgeMark(index, from, to), [index, from, to]));
  if (!mark) return null;
  return <path d={path} fill="none" className={`walk-edge walk-edge-${mark}`} data-walk={mark} />;
});

export const WalkEdgeMark = memo(function WalkEdgeMark({ index, from, to }: EdgeRef) {
  const edge = useWalk(useCallback((s: WalkStore) => s.edgeGrad(index, from, to), [index, from, to]));
  const mark = useWalk(useCallback((s: WalkStore) => s.edgeMark(index, from, to), [index, from, to]));
  if (!edge?.grad) return null;
  const g = edge.grad;
  const single = g.count === 1;
  const shown = single ? g.mean : rmsOf(g);
  return (
    <span
      className={`walk-grad-label${mark === 'grad' ? '' : ' now'}`}
      data-testid="walk-edge-grad"
      data-edge-index={index}
      data-mark={mark}
      data-value={shown}
      title={`the gradient this edge carried back from ${edge.to} to ${edge.from}: ${single ? 'its value' : `RMS over ${g.count} values; mean ${formatStat(g.mean)}, range [${formatStat(g.min)}, ${formatStat(g.max)}]`}`}
    >
      ∂ {single ? '' : 'rms '}
      {formatStat(shown)}
    </span>
  );
});
