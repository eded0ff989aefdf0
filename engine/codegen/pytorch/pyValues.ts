/** JSON-like values as Python literals, over the target's own literal writers (python.ts), for train.py. */
import { pyFloat, pyNum, pyStr } from './python';

export { pyComment, pyStr } from './python';

/** A number literal; a float (`1.0`, `1e-8`) when `float` is set. */
export const pyNumber = (v: number, float = false): string => (float ? pyFloat(v) : pyNum(v));

/** A JSON-like value as a Python literal (None, True/False, lists, dicts with string keys). */
export function pyLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pyNum(v);
  if (typeof v === 'string') return pyStr(v);
  if (Array.isArray(v)) return `[${v.map(pyLiteral).join(', ')}]`;
  if (typeof v === 'object')
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${pyStr(k)}: ${pyLiteral(x)}`)
      .join(', ')}}`;
  throw new Error(`cannot write ${typeof v} as a Python literal`);
}

/** A list literal of written items, wrapped to lines of at most `width` characters, indented by four spaces. */
export function pyList(items: readonly string[], width = 100): string {
  if (items.length === 0) return '[]';
  const one = `[${items.join(', ')}]`;
  if (one.length <= width - 20) return one;
  const lines: string[] = [];
  let line = '';
  for (const it of items) {
    const next = line ? `${line} ${it},` : `${it},`;
    if (line && next.length + 4 > width) {
      lines.push(`    ${line}`);
      line = `${it},`;
    } else line = next;
  }
  if (line) lines.push(`    ${line}`);
  return `[\n${lines.join('\n')}\n]`;
}
