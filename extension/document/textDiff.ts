/**
 * The smallest replacements that turn one text into another, so a WorkspaceEdit touches only what changed:
 * an open text editor beside the graph keeps its cursor, folds and selections, and the undo stop covers
 * exactly the edit. Lines are compared first (Myers' O(ND) diff), then each changed run of lines is trimmed
 * to the characters that differ. Pure: no `vscode` import.
 */
import type { TextEdit } from './jsonText';

/** Past this many differing lines a single replacement of the changed span is used (still correct, less tight). */
const MAX_EDIT_DISTANCE = 1000;

function splitLines(text: string): string[] {
  // Keep the line endings on the lines, so joining gives the text back exactly.
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Trims the common prefix and suffix of one replaced range. */
function tighten(oldText: string, offset: number, length: number, content: string): TextEdit | undefined {
  const old = oldText.slice(offset, offset + length);
  if (old === content) return undefined;
  let p = 0;
  const max = Math.min(old.length, content.length);
  while (p < max && old.charCodeAt(p) === content.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && old.charCodeAt(old.length - 1 - s) === content.charCodeAt(content.length - 1 - s)) s++;
  // Never split a CRLF pair or a surrogate pair.
  while (p > 0 && (isLow(old.charCodeAt(p)) || (old[p] === '\n' && old[p - 1] === '\r'))) p--;
  while (s > 0 && (isLow(old.charCodeAt(old.length - s)) || (old[old.length - s] === '\n' && old[old.length - s - 1] === '\r'))) s--;
  return { offset: offset + p, length: old.length - p - s, content: content.slice(p, content.length - s) };
}

const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** Myers' diff over lines: the runs of old lines [a0, a1) replaced by new lines [b0, b1). */
function lineHunks(a: readonly string[], b: readonly string[]): { a0: number; a1: number; b0: number; b1: number }[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    if (found >= 0) break;
  }
  if (found < 0) return undefined;
  // Walk back through the trace, collecting the diagonal-free steps as hunks.
  const hunks: { a0: number; a1: number; b0: number; b1: number }[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = vd[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
    }
    // One insertion (x unchanged) or deletion (y unchanged) step.
    const step = { a0: prevX, a1: x, b0: prevY, b1: y };
    const last = hunks[hunks.length - 1];
    if (last && last.a0 === step.a1 && last.b0 === step.b1) {
      last.a0 = step.a0;
      last.b0 = step.b0;
    } else {
      hunks.push(step);
    }
    x = prevX;
    y = prevY;
  }
  return hunks.reverse();
}

/** Non-overlapping replacements (in order) that turn `oldText` into `newText`. */
export function diffTexts(oldText: string, newText: string): TextEdit[] {
  if (oldText === newText) return [];
  const a = splitLines(oldText);
  const b = splitLines(newText);
  // Common leading and trailing lines first: most edits touch a few lines of a long file.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const starts: number[] = [0];
  for (const line of a) starts.push(starts[starts.length - 1]! + line.length);
  const hunks = lineHunks(a.slice(head, a.length - tail), b.slice(head, b.length - tail));
  const edits: TextEdit[] = [];
  if (!hunks) {
    const from = starts[head]!;
    const to = starts[a.length - tail]!;
    const content = b.slice(head, b.length - tail).join('');
    const e = tighten(oldText, from, to - from, content);
    return e ? [e] : [];
  }
  for (const h of hunks) {
    if (h.a1 - h.a0 === h.b1 - h.b0) {
      // As many lines in as out (moved nodes, a renamed id): each line is its own, tighter, edit.
      for (let i = 0; i < h.a1 - h.a0; i++) {
        const from = starts[head + h.a0 + i]!;
        const e = tighten(oldText, from, a[head + h.a0 + i]!.length, b[head + h.b0 + i]!);
        if (e) edits.push(e);
      }
      continue;
    }
    const from = starts[head + h.a0]!;
    const to = starts[head + h.a1]!;
    const e = tighten(oldText, from, to - from, b.slice(head + h.b0, head + h.b1).join(''));
    if (e) edits.push(e);
  }
  return edits;
}
