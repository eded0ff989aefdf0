// A card beside a node of the canvas (the hover card, the walk-through's card): the node as React Flow has it now,
// and a ref for the card, which is moved beside the node, inside the canvas (cardPlacement.ts), after every render:
// from its measured size, before the frame is painted, and again when the node or the view moves.
import { useLayoutEffect, useRef, type RefObject } from 'react';
import { useInternalNode, useStore, type InternalNode, type ReactFlowState } from '@xyflow/react';
import type { OpFlowNode } from '../canvas/flowTypes';
import { placeCard } from './cardPlacement';

const selectTransform = (s: ReactFlowState) => s.transform;

export function useCardBesideNode(nodeId: string): { node: InternalNode<OpFlowNode> | undefined; ref: RefObject<HTMLDivElement | null> } {
  const node = useInternalNode<OpFlowNode>(nodeId);
  const [tx, ty, zoom] = useStore(selectTransform);
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const card = ref.current;
    const canvas = card?.parentElement;
    if (!card || !canvas || !node) return;
    const anchor = {
      x: node.internals.positionAbsolute.x * zoom + tx,
      y: node.internals.positionAbsolute.y * zoom + ty,
      width: (node.measured.width ?? 0) * zoom,
      height: (node.measured.height ?? 0) * zoom,
    };
    const at = placeCard(anchor, { width: card.offsetWidth, height: card.offsetHeight }, { width: canvas.clientWidth, height: canvas.clientHeight });
    card.style.transform = `translate(${at.left}px, ${at.top}px)`;
  });
  return { node, ref };
}
