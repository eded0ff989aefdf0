// Where a hover card goes: beside the thing it describes, never off the canvas (pure, so Node tests can check it).

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Size {
  width: number;
  height: number;
}

/** Space between the card and what it describes, and kept free along the canvas's edges. */
export const CARD_GAP = 10;
export const CARD_MARGIN = 6;

/**
 * The card's top-left corner in canvas coordinates for a node at `anchor` (canvas coordinates too): to the right
 * of the node, top-aligned, where it fits; else to its left; else below it; else above it; else (a canvas too small
 * for any) over it. Then moved inside the canvas, keeping CARD_MARGIN from its edges where the card fits at all
 * (a card wider or taller than the canvas starts at the margin, so its beginning stays visible).
 */
export function placeCard(anchor: Rect, card: Size, bounds: Size): { left: number; top: number } {
  const fitsX = (left: number) => left >= CARD_MARGIN && left + card.width <= bounds.width - CARD_MARGIN;
  const fitsY = (top: number) => top >= CARD_MARGIN && top + card.height <= bounds.height - CARD_MARGIN;
  const right = anchor.x + anchor.width + CARD_GAP;
  const left = anchor.x - CARD_GAP - card.width;
  const below = anchor.y + anchor.height + CARD_GAP;
  const above = anchor.y - CARD_GAP - card.height;
  let at: { left: number; top: number };
  if (fitsX(right)) at = { left: right, top: anchor.y };
  else if (fitsX(left)) at = { left, top: anchor.y };
  else if (fitsY(below)) at = { left: anchor.x, top: below };
  else if (fitsY(above)) at = { left: anchor.x, top: above };
  else at = { left: anchor.x, top: anchor.y };
  return { left: clamp(at.left, card.width, bounds.width), top: clamp(at.top, card.height, bounds.height) };
}

function clamp(start: number, size: number, room: number): number {
  return Math.round(Math.max(CARD_MARGIN, Math.min(start, room - CARD_MARGIN - size)));
}
