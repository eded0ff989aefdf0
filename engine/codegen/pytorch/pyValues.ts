/** Values written as Python source, for the PyTorch export's generated scripts. */

/** A Python string literal (JSON's escapes are Python's). */
export function pyStr(s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A Python number literal: the shortest round-trip form, as a float when `float` is set. */
export function pyNum(v: number, float = false): string {
  if (!Number.isFinite(v)) throw new Error(`cannot write ${v} as a Python literal`);
  const s = Object.is(v, -0) ? '0' : String(v);
  return float && /^-?\d+$/.test(s) ? `${s}.0` : s;
}

/** A JSON-like value as a Python literal (None, True/False, lists, dicts with string keys). */
export function pyLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pyNum(v);
  if (typeof v === 'string') return pyStr(v);
  if (Array.isArray(v)) return `[${v.map(pyLiteral).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyStr(k)}: ${pyLiteral(x)}`).join(', ')}}`;
  throw new Error(`cannot write ${typeof v} as a Python literal`);
}

/** A list literal wrapped to lines of at most `width` characters, indented by four spaces. */
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

/** Text safe in a `#` comment: one line. */
export function pyComment(s: string): string {
  return s.replace(/[\r\n\u2028\u2029\u0085\u000b\u000c]+/g, ' ');
}
