// Reads a *.nn.json text into what the minimal view shows. No DOM here, so tests can run it in Node.

export interface NodeSummary {
  id: string;
  op: string;
  attrs: string;
}

export type ModelView =
  | { ok: true; name: string; nodes: NodeSummary[]; edgeCount: number }
  | { ok: false; error: string };

function describeAttrs(attrs: unknown): string {
  if (attrs === null || typeof attrs !== 'object') return '';
  return Object.entries(attrs as Record<string, unknown>)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
}

/** The model's name, its nodes and edge count, or why the text is not a model. */
export function readModel(text: string): ModelView {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `This file is not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { ok: false, error: 'A model file holds a JSON object.' };
  const m = json as Record<string, unknown>;
  if (m.nodes !== undefined && !Array.isArray(m.nodes)) return { ok: false, error: '"nodes" must be an array.' };
  const nodes = ((m.nodes as unknown[] | undefined) ?? []).map((n, i): NodeSummary => {
    const node = (n ?? {}) as Record<string, unknown>;
    return {
      id: typeof node.id === 'string' ? node.id : `(node ${i} has no id)`,
      op: typeof node.op === 'string' ? node.op : '?',
      attrs: describeAttrs(node.attrs),
    };
  });
  return {
    ok: true,
    name: typeof m.name === 'string' && m.name ? m.name : '(unnamed model)',
    nodes,
    edgeCount: Array.isArray(m.edges) ? m.edges.length : 0,
  };
}
