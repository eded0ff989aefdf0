// Writes a model the way the examples are written: one line per node and per edge, so diffs stay small.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One-line JSON with a space after ':' and ',' (`{ "id": "x", "op": "Input" }`). */
export function compactJson(value: unknown): string {
  const v = value as Json;
  if (Array.isArray(v)) return `[${v.map(compactJson).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, x]) => `${JSON.stringify(k)}: ${compactJson(x)}`).join(', ')} }`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** The text of a *.nn.json file: top-level keys on their own lines, `nodes` and `edges` one item a line. */
export function formatModel(model: object): string {
  const entries = Object.entries(model).filter(([, v]) => v !== undefined);
  const lines = entries.map(([key, value]) => {
    const k = JSON.stringify(key);
    if ((key === 'nodes' || key === 'edges') && Array.isArray(value) && value.length > 0) {
      return `  ${k}: [\n${value.map((item) => `    ${compactJson(item)}`).join(',\n')}\n  ]`;
    }
    return `  ${k}: ${compactJson(value)}`;
  });
  return `{\n${lines.join(',\n')}\n}\n`;
}
