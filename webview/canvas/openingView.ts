// The view the canvas opens at, computed before the first paint from the sizes the nodes are given (geometry.ts),
// so the first frame already shows it. (No JSX here: Node tests use it.)
//
// Two ways to open, by what the whole graph would look like fitted:
// - It fits at FIT_FLOOR or more: it opens fitted, as the Fit View button places it. Every template does in an
//   ordinary window; the whole structure is in view even where the small text needs a zoom to read.
// - It does not: fitted, its nodes would be specks (a 200-node graph fits at about 0.2, where a node's 10 px text
//   is 2 px). It opens at READING_ZOOM on its inputs instead, the left end of the left-to-right graph, centred
//   vertically when its height fits, else from its top, as a long file opens at its first line. The minimap shows
//   the whole graph, and Fit View is one click (or the toolbar) away.
// The canvas draws only the nodes and edges in view (onlyRenderVisibleElements), so the first frame of a large
// graph costs what the view shows, not what the file holds (docs/benchmarks.md).
import { getViewportForBounds, type Viewport } from '@xyflow/react';
import type { XY } from '../model/layout';

/** What Fit View (toolbar, zoom controls, after an auto layout) passes to React Flow's fitView. */
export const FIT_VIEW = { padding: 0.15, maxZoom: 1.25 };

/** The smallest zoom a graph opens fitted at (the canvas itself zooms out to 0.1, and Fit View fits at any zoom). */
export const FIT_FLOOR = 0.4;

/** The zoom a graph too large to fit at FIT_FLOOR opens at: a node's 10–11 px text is 7.5–8 px on screen. */
export const READING_ZOOM = 0.75;

/** Screen pixels between the canvas's top left corner and a graph that opens at READING_ZOOM. */
export const OPEN_MARGIN = 40;

export interface PlacedBox {
  position: XY;
  initialWidth?: number;
  initialHeight?: number;
}

export function openingViewport(nodes: readonly PlacedBox[], width: number, height: number): Viewport {
  if (nodes.length === 0 || width <= 0 || height <= 0) return { x: 0, y: 0, zoom: 1 };
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const n of nodes) {
    x0 = Math.min(x0, n.position.x);
    y0 = Math.min(y0, n.position.y);
    x1 = Math.max(x1, n.position.x + (n.initialWidth ?? 0));
    y1 = Math.max(y1, n.position.y + (n.initialHeight ?? 0));
  }
  const bounds = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  const fitted = getViewportForBounds(bounds, width, height, 0, FIT_VIEW.maxZoom, FIT_VIEW.padding);
  if (fitted.zoom >= FIT_FLOOR) return fitted;
  const zoom = READING_ZOOM;
  const tallerThanView = bounds.height * zoom > height - 2 * OPEN_MARGIN;
  return {
    zoom,
    x: OPEN_MARGIN - x0 * zoom,
    y: tallerThanView ? OPEN_MARGIN - y0 * zoom : (height - bounds.height * zoom) / 2 - y0 * zoom,
  };
}
