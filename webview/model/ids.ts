// Node ids: unique, identifier-safe (the format's ^[A-Za-z_][A-Za-z0-9_]*$, at most 128 characters).
import { ID_PATTERN } from '../../engine/graph/analyze';

const SHORT: Record<string, string> = {
  CrossEntropyLoss: 'loss',
  MSELoss: 'loss',
  BCEWithLogitsLoss: 'loss',
};

/** The base of new ids for an op: `linear` for Linear (then linear1, linear2...), `loss` for a loss. */
export function idBaseForOp(op: string): string {
  return SHORT[op] ?? (op.toLowerCase().replace(/[^a-z0-9_]/g, '') || 'node');
}

/** The base of a copy's id: `fc1` → `fc` (the copy becomes fc2, fc3...). */
export function idBaseOf(id: string): string {
  const base = id.replace(/_?\d+$/, '');
  return ID_PATTERN.test(base) ? base : 'node';
}

/** The first of base1, base2... not in `taken` (base_1... when base ends in a digit); adds it to `taken`. */
export function uniqueId(base: string, taken: Set<string>): string {
  const b = (ID_PATTERN.test(base) ? base : 'node').slice(0, 100);
  const sep = /\d$/.test(b) ? '_' : '';
  for (let i = 1; ; i++) {
    const id = `${b}${sep}${i}`;
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

/** Why `id` cannot be the new id of node `current` (null when it can). */
export function renameProblem(id: string, taken: ReadonlySet<string>, current: string): string | null {
  if (id === '') return 'An id is required.';
  if (id.length > 128) return 'An id has at most 128 characters.';
  if (!ID_PATTERN.test(id)) return 'An id uses letters, digits and _, and does not start with a digit.';
  if (id !== current && taken.has(id)) return `Another node is already called "${id}".`;
  return null;
}
