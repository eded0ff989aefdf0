// The decision boundary of a 2-D model, as TensorFlow Playground shows it: the prediction on the host's grid
// over [-extent, extent]² (a classifier's P(class 1), or a regression's predicted value), drawn one pixel a
// cell into a small canvas that the browser smooths as it scales it up, with the run's training points (filled)
// and validation points (rings) on a second canvas over it at the device's pixel ratio, and a colour key.
// The heatmap redraws on every boundary message; the points only when they, the extent, the theme or the size
// change. Drawing: boundaryDraw.ts.
import { memo, useLayoutEffect, useRef, useState } from 'react';
import type { DatasetPointsMessage } from '../../protocol/messages';
import { countRender } from '../debug/renders';
import { savedState, saveState } from '../host';
import { Icon } from '../ui/Icon';
import { useColorMode } from '../ui/useColorMode';
import { drawBoundary, drawPoints } from './boundaryDraw';
import type { SessionView } from './sessionStore';
import { useSession } from './stores';

const selectBoundary = (s: SessionView) => s.boundary;
const selectPoints = (s: SessionView) => s.points;

interface PointsProps {
  points: DatasetPointsMessage;
  extent: number;
  /** The heatmap canvas the points lie over (its displayed box, inside its border). */
  under: React.RefObject<HTMLCanvasElement | null>;
}

/** The points' canvas, placed exactly over the heatmap's content box and sized to it times the pixel ratio. */
const BoundaryPoints = memo(function BoundaryPoints({ points, extent, under }: PointsProps) {
  countRender('BoundaryPoints');
  const mode = useColorMode();
  const ref = useRef<HTMLCanvasElement>(null);
  useLayoutEffect(() => {
    const canvas = ref.current;
    const heat = under.current;
    if (!canvas || !heat) return;
    const draw = () => {
      const w = heat.clientWidth;
      const h = heat.clientHeight;
      // From the boxes as laid out (fractional), not offsetLeft (rounded): the points land on the cells.
      const frame = canvas.offsetParent ?? heat.parentElement!;
      const a = heat.getBoundingClientRect();
      const f = frame.getBoundingClientRect();
      canvas.style.left = `${a.left - f.left - frame.clientLeft + heat.clientLeft}px`;
      canvas.style.top = `${a.top - f.top - frame.clientTop + heat.clientTop}px`;
      canvas.style.width = `${w}px`;
      canvas.style.height = `${h}px`;
      drawPoints(canvas, points, extent, w, h, window.devicePixelRatio || 1);
    };
    draw();
    // The box can change without a new message (the panel wraps, the page zooms).
    const observer = new ResizeObserver(draw);
    observer.observe(heat);
    if (heat.parentElement) observer.observe(heat.parentElement);
    return () => observer.disconnect();
  }, [points, extent, mode, under]);
  return (
    <canvas
      ref={ref}
      className="boundary-points"
      data-testid="boundary-points"
      data-kind={points.kind}
      data-points={points.train.label.length}
      data-val-points={points.validation.label.length}
      aria-hidden="true"
    />
  );
});

/** The colour key under the plot: the scale's two ends and its middle. */
function BoundaryKey({ kind }: { kind: 'probability' | 'regression' }) {
  const labels = kind === 'regression' ? ['−1', '0', '1'] : ['0', '0.5', '1'];
  return (
    <div className="boundary-key" data-testid="boundary-key" data-kind={kind} title={kind === 'regression' ? 'Predicted value' : 'P(class 1)'}>
      <span className="boundary-key-bar" />
      <span className="boundary-key-labels">
        {labels.map((l) => (
          <span key={l}>{l}</span>
        ))}
      </span>
    </div>
  );
}

function BoundaryHeatmapImpl() {
  countRender('BoundaryHeatmap');
  const b = useSession(selectBoundary);
  const points = useSession(selectPoints);
  const mode = useColorMode();
  const ref = useRef<HTMLCanvasElement>(null);
  const [showPoints, setShowPoints] = useState(() => savedState().boundaryPoints ?? true);
  useLayoutEffect(() => {
    if (ref.current && b) drawBoundary(ref.current, b);
  }, [b, mode]);
  if (!b) {
    return (
      <figure className="chart boundary">
        <figcaption>Decision boundary</figcaption>
        <div className="boundary-empty hint">
          Shown while a 2-D model trains: a classifier (circle, xor, gaussians, spiral) or a regression (plane, gaussians).
        </div>
      </figure>
    );
  }
  const kind = b.kind ?? 'probability';
  const e = Number(b.extent.toPrecision(3));
  const drawn = showPoints && points ? points : null;
  const togglePoints = () => {
    saveState({ boundaryPoints: !showPoints });
    setShowPoints(!showPoints);
  };
  return (
    <figure className="chart boundary">
      <figcaption>
        Decision boundary{' '}
        <span className="hint">
          {kind === 'regression' ? 'prediction' : 'P(class 1)'}, step {b.step}
        </span>
        {points && (
          <button
            type="button"
            className="boundary-points-toggle"
            aria-pressed={showPoints}
            aria-label={showPoints ? 'Hide the data points' : 'Show the data points'}
            title={showPoints ? 'Hide the data points' : 'Show the data points (training filled, validation hollow)'}
            onClick={togglePoints}
            data-testid="boundary-points-toggle"
          >
            <Icon name={showPoints ? 'eye' : 'eye-closed'} />
          </button>
        )}
      </figcaption>
      <div className="boundary-frame">
        <span className="boundary-y-max">{e}</span>
        <canvas
          ref={ref}
          width={b.grid}
          height={b.grid}
          className="boundary-canvas"
          data-testid="decision-boundary"
          data-step={b.step}
          data-grid={b.grid}
          data-extent={b.extent}
          data-kind={kind}
          data-points={drawn ? drawn.train.label.length : 0}
          data-val-points={drawn ? drawn.validation.label.length : 0}
          role="img"
          aria-label={`Decision boundary (${kind === 'regression' ? 'predicted value' : 'P(class 1)'}) at step ${b.step} over [-${e}, ${e}]²${drawn ? `, with ${drawn.train.label.length} training and ${drawn.validation.label.length} validation points` : ''}`}
        />
        {drawn && <BoundaryPoints points={drawn} extent={b.extent} under={ref} />}
        <span className="boundary-y-min">−{e}</span>
        <span className="boundary-x">
          <span>−{e}</span>
          <span>{e}</span>
        </span>
        <BoundaryKey kind={kind} />
      </div>
    </figure>
  );
}

export const BoundaryHeatmap = memo(BoundaryHeatmapImpl);
