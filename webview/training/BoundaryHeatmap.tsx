// The decision boundary of a 2-D classifier, as TensorFlow Playground shows it: P(class 1) on the host's
// grid over [-extent, extent]², drawn one pixel a cell into a small canvas (the browser smooths it when it
// scales it up), blending the theme's two class colours through the background at 0.5. Redrawn on every
// boundary message and when the theme changes.
import { memo, useLayoutEffect, useRef } from 'react';
import type { BoundaryMessage } from '../../protocol/messages';
import { countRender } from '../debug/renders';
import { useColorMode } from '../ui/useColorMode';
import { useSession } from './stores';

type RGB = [number, number, number];

/** A CSS colour as RGB, normalised by a canvas context (which understands every CSS colour syntax). */
function rgbOf(ctx: CanvasRenderingContext2D, css: string, fallback: RGB): RGB {
  if (!css) return fallback;
  ctx.fillStyle = '#000000';
  ctx.fillStyle = css;
  const s = String(ctx.fillStyle);
  const hex = /^#([0-9a-f]{6})$/i.exec(s);
  if (hex) {
    const n = parseInt(hex[1], 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  const rgb = /rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)/.exec(s);
  return rgb ? [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])] : fallback;
}

export function drawBoundary(canvas: HTMLCanvasElement, b: BoundaryMessage): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const style = getComputedStyle(canvas);
  const c0 = rgbOf(ctx, style.getPropertyValue('--boundary-0').trim(), [209, 134, 22]);
  const c1 = rgbOf(ctx, style.getPropertyValue('--boundary-1').trim(), [55, 148, 255]);
  const mid = rgbOf(ctx, style.getPropertyValue('--boundary-mid').trim(), [31, 31, 31]);
  const img = ctx.createImageData(b.grid, b.grid);
  for (let i = 0; i < b.grid * b.grid; i++) {
    const p = Math.min(1, Math.max(0, b.values[i]));
    const target = p >= 0.5 ? c1 : c0;
    const a = Math.abs(p - 0.5) * 2 * 0.85;
    for (let k = 0; k < 3; k++) img.data[4 * i + k] = Math.round(mid[k] + (target[k] - mid[k]) * a);
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

const selectBoundary = (s: { boundary: BoundaryMessage | null }) => s.boundary;

function BoundaryHeatmapImpl() {
  countRender('BoundaryHeatmap');
  const b = useSession(selectBoundary);
  const mode = useColorMode();
  const ref = useRef<HTMLCanvasElement>(null);
  useLayoutEffect(() => {
    if (ref.current && b) drawBoundary(ref.current, b);
  }, [b, mode]);
  if (!b) {
    return (
      <figure className="chart boundary">
        <figcaption>Decision boundary</figcaption>
        <div className="boundary-empty hint">Shown while a 2-D classifier trains (circle, xor, gaussians, spiral).</div>
      </figure>
    );
  }
  const e = Number(b.extent.toPrecision(3));
  return (
    <figure className="chart boundary">
      <figcaption>
        Decision boundary <span className="hint">P(class 1), step {b.step}</span>
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
          role="img"
          aria-label={`Decision boundary at step ${b.step} over [-${e}, ${e}]²`}
        />
        <span className="boundary-y-min">−{e}</span>
        <span className="boundary-x">
          <span>−{e}</span>
          <span>{e}</span>
        </span>
      </div>
    </figure>
  );
}

export const BoundaryHeatmap = memo(BoundaryHeatmapImpl);
