// The view the canvas opens at (webview/canvas/openingView.ts): fitted when the whole graph fits at FIT_FLOOR or
// more, otherwise READING_ZOOM on the graph's inputs. Checked by where the nodes land on screen, not by the formula.
// And when a resize refits it (OpeningViewFollower): until the view is moved, never for a remembered view.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Viewport } from '@xyflow/react';
import { FIT_FLOOR, OPEN_MARGIN, OpeningViewFollower, READING_ZOOM, openingViewport, type PlacedBox } from '../../webview/canvas/openingView';
import { benchModel } from '../browser/benchModel';
import { mlp } from '../browser/models';
import { templates } from '../../extension/templates';

const W = 136;
const H = 60;
const boxes = (ui: { x?: number; y?: number }[]): PlacedBox[] => ui.map((p) => ({ position: { x: p.x ?? 0, y: p.y ?? 0 }, initialWidth: W, initialHeight: H }));

/** A node's rectangle on screen under viewport `v`. */
const onScreen = (b: PlacedBox, v: Viewport) => ({
  left: b.position.x * v.zoom + v.x,
  top: b.position.y * v.zoom + v.y,
  right: (b.position.x + W) * v.zoom + v.x,
  bottom: (b.position.y + H) * v.zoom + v.y,
});
const inside = (r: ReturnType<typeof onScreen>, width: number, height: number) => r.left >= 0 && r.top >= 0 && r.right <= width && r.bottom <= height;
const overlaps = (r: ReturnType<typeof onScreen>, width: number, height: number) => r.right > 0 && r.bottom > 0 && r.left < width && r.top < height;

describe('opening view', () => {
  it('fits a graph that fits at FIT_FLOOR or more: every node inside the canvas, with a margin, centred', () => {
    const nodes = boxes(mlp().nodes.map((n) => n.ui!));
    const [width, height] = [900, 500];
    const v = openingViewport(nodes, width, height);
    assert.ok(v.zoom >= FIT_FLOOR && v.zoom <= 1.25, `zoom ${v.zoom}`);
    const rects = nodes.map((n) => onScreen(n, v));
    assert.ok(
      rects.every((r) => inside(r, width, height)),
      'a node lies outside the canvas',
    );
    const left = Math.min(...rects.map((r) => r.left));
    const right = width - Math.max(...rects.map((r) => r.right));
    assert.ok(left > 10 && Math.abs(left - right) < 1, `not centred with a margin: ${left} px left, ${right} px right`);
  });

  it('never zooms a small graph beyond 1.25', () => {
    const v = openingViewport(boxes([{ x: 0, y: 0 }]), 1200, 800);
    assert.equal(v.zoom, 1.25);
    assert.ok(inside(onScreen(boxes([{ x: 0, y: 0 }])[0], v), 1200, 800));
  });

  it('fits the templates in a small editor, even below the reading zoom', () => {
    // The MLP template is 1216 flow pixels wide: in a 700 px canvas it fits at about 0.5.
    const nodes = boxes(mlp().nodes.map((n) => n.ui!));
    const v = openingViewport(nodes, 700, 400);
    assert.ok(v.zoom < READING_ZOOM && v.zoom >= FIT_FLOOR, `zoom ${v.zoom}`);
    assert.ok(nodes.every((n) => inside(onScreen(n, v), 700, 400)));
  });

  it('opens every New Model template fitted in a 900 × 500 canvas, the ten-layer ones included', () => {
    for (const t of templates.filter((x) => x.model.nodes.length > 0)) {
      const nodes = boxes(t.model.nodes.map((n) => n.ui!));
      const v = openingViewport(nodes, 900, 500);
      assert.ok(v.zoom >= FIT_FLOOR, `${t.id} opens at ${v.zoom}`);
      assert.ok(
        nodes.every((n) => inside(onScreen(n, v), 900, 500)),
        `${t.id}: a node lies outside the canvas`,
      );
    }
  });

  it('opens a graph too large to fit at FIT_FLOOR at the reading zoom, on its inputs', () => {
    const model = benchModel(200, 250);
    const nodes = boxes(model.nodes.map((n) => n.ui!));
    const [width, height] = [960, 600];
    const v = openingViewport(nodes, width, height);
    assert.equal(v.zoom, READING_ZOOM);
    const rects = nodes.map((n) => onScreen(n, v));
    // The input (the model's first node, top left of its grid) is in view, a margin from the canvas's corner.
    const input = rects[model.nodes.findIndex((n) => n.op === 'Input')];
    assert.equal(input.left, OPEN_MARGIN);
    assert.equal(input.top, OPEN_MARGIN);
    // Nothing is left of or above the input's side of the graph: the view starts where the graph starts.
    assert.equal(Math.min(...rects.map((r) => r.left)), OPEN_MARGIN);
    const seen = rects.filter((r) => overlaps(r, width, height)).length;
    assert.ok(seen > 10 && seen < 60, `${seen} of 200 nodes in view`);
  });

  it('centres a wide but low graph vertically when it opens unfitted', () => {
    const nodes = boxes(Array.from({ length: 40 }, (_, i) => ({ x: i * 200, y: 100 })));
    const [width, height] = [800, 600];
    const v = openingViewport(nodes, width, height);
    assert.equal(v.zoom, READING_ZOOM);
    const r = onScreen(nodes[0], v);
    assert.equal(r.left, OPEN_MARGIN);
    assert.ok(Math.abs(r.top - (height - r.bottom)) < 1e-9, `not centred: ${r.top} above, ${height - r.bottom} below`);
  });

  it('opens an empty graph or an unsized canvas at the origin, unzoomed', () => {
    assert.deepEqual(openingViewport([], 800, 600), { x: 0, y: 0, zoom: 1 });
    assert.deepEqual(openingViewport(boxes([{ x: 5, y: 5 }]), 0, 0), { x: 0, y: 0, zoom: 1 });
  });
});

describe('refitting the opening view on resize', () => {
  it('refits a graph that opened fitted when the canvas narrows, so it is whole again', () => {
    // The MLP fits a 1000×500 canvas; the secondary side bar opens and leaves 640 px.
    const nodes = boxes(mlp().nodes.map((n) => n.ui!));
    const opened = openingViewport(nodes, 1000, 500);
    const follower = new OpeningViewFollower(false, 1000, 500);
    assert.ok(!nodes.every((n) => inside(onScreen(n, opened), 640, 500)), 'the old view already fits the narrower canvas: a poor test');
    assert.equal(follower.resized(640, 500), true);
    let view = opened;
    follower.refit(() => {
      view = openingViewport(nodes, 640, 500);
      follower.viewMoved(); // React Flow reports the refit as a move, from inside the call
    });
    assert.ok(
      nodes.every((n) => inside(onScreen(n, view), 640, 500)),
      'a node lies outside the refitted view',
    );
    assert.equal(follower.isFollowing, true, 'the refit is not a move of the person');
    assert.equal(follower.resized(1000, 500), true, 'and it follows the next resize too');
  });

  it('leaves the view alone after any move of the person', () => {
    const follower = new OpeningViewFollower(false, 900, 600);
    assert.equal(follower.resized(800, 600), true);
    follower.viewMoved(); // a pan, a wheel zoom, the zoom buttons, the minimap, Fit View, a jump to a node
    assert.equal(follower.isFollowing, false);
    assert.equal(follower.resized(700, 600), false);
    assert.equal(follower.resized(900, 500), false);
  });

  it('leaves the view alone once the graph changes: the problems list growing under a half-built graph moves nothing', () => {
    const follower = new OpeningViewFollower(false, 900, 600);
    follower.graphChanged(); // a node dropped from the palette, an attribute set, new text
    assert.equal(follower.isFollowing, false);
    assert.equal(follower.resized(900, 560), false);
  });

  it('never refits a remembered view: it is the one the person left the document in', () => {
    const follower = new OpeningViewFollower(true, 900, 600);
    assert.equal(follower.isFollowing, false);
    assert.equal(follower.resized(620, 600), false);
  });

  it('does not refit for a size it already had, nor while the editor is hidden (size zero)', () => {
    const follower = new OpeningViewFollower(false, 900, 600);
    assert.equal(follower.resized(900, 600), false, 'the first report of the size it opened at');
    assert.equal(follower.resized(900.4, 600), false, 'a sub-pixel change');
    assert.equal(follower.resized(0, 0), false, 'hidden');
    assert.equal(follower.resized(900, 600), false, 'shown again at the same size');
    assert.equal(follower.resized(0, 0), false, 'hidden again');
    assert.equal(follower.resized(930, 600), true, 'shown at a new size');
  });
});
