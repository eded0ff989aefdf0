// Where a node's handles are, computed from its view instead of measured on screen, so React Flow can draw every
// node and edge in the first frame (it still measures nodes afterwards, for their size). The numbers mirror the
// fixed sizes in styles/canvas.css (.op-node and its rows); a browser test checks them against the DOM.
import { Position, type NodeHandle } from '@xyflow/react';
import type { NodeView } from '../model/graphView';

export const NODE_WIDTH = 136;
const BORDER_TOP = 1;
const HEADER = 20;
const ATTR_LINE = 14;
const ATTRS_PAD = 2;
const PORT = 16;
const FOOTER = 17;
/** A rough height of the error block (up to three lines); the node is measured anyway. */
const ERROR_BLOCK = 48;
const HANDLE = 10;

export type HandleGeometry = NodeHandle & { id: string; width: number; height: number };

export interface NodeGeometry {
  initialWidth: number;
  initialHeight: number;
  handles: HandleGeometry[];
}

export function nodeGeometry(v: Pick<NodeView, 'keyAttrs' | 'ports' | 'errors'>): NodeGeometry {
  const attrs = v.keyAttrs.length ? v.keyAttrs.length * ATTR_LINE + ATTRS_PAD : 0;
  const portsTop = BORDER_TOP + HEADER + attrs;
  const footerTop = portsTop + v.ports.length * PORT;
  const handles: HandleGeometry[] = v.ports.map((p, i) => ({
    id: `in${p.index}`,
    type: 'target',
    position: Position.Left,
    // centred on the 3px left border (left: -1.5px in the port row)
    x: -3.5,
    y: portsTop + i * PORT + (PORT - HANDLE) / 2,
    width: HANDLE,
    height: HANDLE,
  }));
  // centred on the right border, beside the output type in the footer (below its 1px top border)
  handles.push({
    id: 'out',
    type: 'source',
    position: Position.Right,
    x: NODE_WIDTH - HANDLE / 2,
    y: footerTop + 1 + (FOOTER - 1 - HANDLE) / 2,
    width: HANDLE,
    height: HANDLE,
  });
  const height = footerTop + FOOTER + 1 + (v.errors.length ? ERROR_BLOCK : 0);
  return { initialWidth: NODE_WIDTH, initialHeight: height, handles };
}
