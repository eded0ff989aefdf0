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
//
// The opening view follows the canvas's size (OpeningViewFollower) until the person moves the view: a window
// resize or a side bar opening refits it, so a graph that opened fitted stays fitted.
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
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
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

/**
 * Whether a resize of the canvas refits the opening view. It does while the view is still the one the graph
 * opened at: not when the graph opened at a view the person left it in (remembered), and never again after any
 * other change of the view (a pan or zoom, by mouse, wheel, minimap or zoom buttons; Fit View; a jump to a node).
 * React Flow reports every change of the view, its own and ours alike, as a move (onMoveStart): the refit itself
 * is told apart by running inside `refit`.
 */
export class OpeningViewFollower {
  private following: boolean;
  private refitting = false;
  private width: number;
  private height: number;

  /** `remembered`: the graph opened at a view the person chose earlier, which is theirs to keep. */
  constructor(remembered: boolean, width: number, height: number) {
    this.following = !remembered;
    this.width = width;
    this.height = height;
  }

  /** Whether the view is still the opening one (so it is not worth remembering either). */
  get isFollowing(): boolean {
    return this.following;
  }

  /** A change of the view began (React Flow's onMoveStart): any but the refit's own ends the following. */
  viewMoved(): void {
    if (!this.refitting) this.following = false;
  }

  /**
   * The graph changed (a drop from the palette, a drag, an attribute, any new text): the view the person works in
   * must not jump under them when the panels around the canvas change size (the problems list grows with each
   * error of a half-built graph), so the following ends.
   */
  graphChanged(): void {
    this.following = false;
  }

  /**
   * The canvas now measures width × height: whether to refit. Not for a size of zero (a hidden editor: the view
   * is refitted when it shows again at its new size) nor for a size it already had.
   */
  resized(width: number, height: number): boolean {
    if (width <= 0 || height <= 0) return false;
    const changed = Math.abs(width - this.width) >= 1 || Math.abs(height - this.height) >= 1;
    this.width = width;
    this.height = height;
    return changed && this.following;
  }

  /** Runs `apply` (which moves the view to the opening view) as the refit, not as a move of the person's. */
  refit(apply: () => void): void {
    this.refitting = true;
    try {
      apply();
    } finally {
      this.refitting = false;
    }
  }
}
