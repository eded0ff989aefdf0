// The model npm run bench:editor opens (200 nodes, 250 edges by default), and where the editor draws a model
// (drawingOf). The model: valid, laid out on a grid; a chain of
// Linear / ReLU / LayerNorm nodes where every Add also takes a skip edge from three nodes back.
import type { EdgeJson, ModelJson, NodeJson } from '../../engine/graph/types';
import { nodeGeometry } from '../../webview/canvas/geometry';
import { readDocument } from '../../webview/model/document';
import { buildGraphView } from '../../webview/model/graphView';

export function benchModel(nodeCount = 200, edgeCount = 250): ModelJson {
  const nodes: NodeJson[] = [{ id: 'x', op: 'Input', attrs: { shape: [32] }, ui: { x: 0, y: 0 } }];
  const edges: EdgeJson[] = [];
  const adds = edgeCount - (nodeCount - 1); // each Add brings one edge beyond the chain's
  const addEvery = Math.max(1, Math.floor((nodeCount - 1) / Math.max(adds, 1)));
  const cols = 20;
  let addsLeft = adds;
  for (let i = 1; i < nodeCount; i++) {
    const prev = nodes[i - 1].id;
    const ui = { x: (i % cols) * 200, y: Math.floor(i / cols) * 160 };
    let node: NodeJson;
    if (addsLeft > 0 && i % addEvery === 0 && i >= 3) {
      node = { id: `add${i}`, op: 'Add', ui };
      edges.push({ from: prev, to: node.id, port: 0 }, { from: nodes[i - 3].id, to: node.id, port: 1 });
      addsLeft--;
    } else {
      const kind = i % 3;
      node =
        kind === 0
          ? { id: `norm${i}`, op: 'LayerNorm', ui }
          : kind === 1
            ? { id: `fc${i}`, op: 'Linear', attrs: { outFeatures: 32 }, ui }
            : { id: `act${i}`, op: 'ReLU', ui };
      edges.push({ from: prev, to: node.id });
    }
    nodes.push(node);
  }
  return { format: 'nn-graph', version: 1, name: `Bench ${nodeCount} nodes`, nodes, edges };
}

export interface DrawnBox {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Where the editor puts `model`'s nodes (its `ui` position and the size canvas/geometry.ts gives it) and which nodes
 * each edge joins: what a test or the bench needs to work out which nodes and edges are in view.
 */
export function drawingOf(model: ModelJson): { nodes: DrawnBox[]; edges: { id: string; from: string; to: string }[] } {
  const doc = readDocument(JSON.stringify(model));
  if (doc.kind !== 'graph') throw new Error(`model not shown as a graph: ${doc.messages.join('; ')}`);
  const view = buildGraphView(doc.model, doc.analysis);
  return {
    nodes: view.nodes.map((v) => {
      const g = nodeGeometry(v);
      return { id: v.id, x: v.ui?.x ?? 0, y: v.ui?.y ?? 0, w: g.initialWidth, h: g.initialHeight };
    }),
    edges: view.edges.map((e) => ({ id: e.id, from: e.from, to: e.to })),
  };
}
