/**
 * Reading many scalars at once. The views want dozens of one-number reductions a step (each edge's gradient RMS,
 * each layer's gradient, weight and update norms): on a GPU every read is a round trip that waits for the queue,
 * so they are gathered into one tensor on the device and read back together.
 */
import { backend, type Storage } from './backend';

/** The first value of each one-element storage, in one read. */
export async function readScalars(parts: readonly Storage[]): Promise<number[]> {
  if (!parts.length) return [];
  const b = backend();
  const all = parts.length === 1 ? parts[0] : b.concat(parts, 1, parts.map(() => 1), 1);
  return Array.from(await b.read(all));
}
