/**
 * Reading back what the views show, in as few round trips as possible. On a GPU every read waits for the queue, so
 * reads are gathered: many one-number reductions into one tensor (readScalars), every tensor summary into one
 * result buffer (Backend.summaries), several tensors' values into one concatenation (ReadBatch.values).
 */
import { backend, type HostData, type Storage } from './backend';
import { HISTOGRAM_BINS, type TensorSummary } from './summary';

/** The first value of each one-element storage, in one read. */
export async function readScalars(parts: readonly Storage[]): Promise<number[]> {
  if (!parts.length) return [];
  const b = backend();
  const all =
    parts.length === 1
      ? parts[0]
      : b.concat(
          parts,
          1,
          parts.map(() => 1),
          1,
        );
  return Array.from(await b.read(all));
}

/**
 * Whether each of `parts` holds only finite values, and the values of `values` (as readMany reads them): in one read
 * where the backend can (Backend.allFiniteEach), so a GPU training step's NaN guard, loss and outputs are one round
 * trip. Where reads are free (the CPU): allFinite one by one, the values straight from memory.
 */
export async function allFiniteEach(parts: readonly Part[], values: readonly Part[] = []): Promise<{ finite: boolean[]; values: HostData[] }> {
  const b = backend();
  if (b.allFiniteEach) return parts.length || values.length ? b.allFiniteEach(parts, values) : { finite: [], values: [] };
  const finite: boolean[] = [];
  for (const p of parts) finite.push(await b.allFinite(p.x, p.size));
  return { finite, values: await readMany(values) };
}

/** A tensor's first `size` values in backend memory. */
export interface Part {
  x: Storage;
  size: number;
}

/**
 * The first `size` values of several float tensors in one read (only those values cross to the host: a part may be
 * the first rows of a larger tensor); straight from memory where the backend reads synchronously (the CPU).
 */
export async function readMany(parts: readonly Part[]): Promise<HostData[]> {
  if (!parts.length) return [];
  const b = backend();
  const cut = (d: HostData, size: number) => (d.length === size ? d : d.subarray(0, size));
  const direct = parts.map((p) => b.readSync(p.x));
  if (direct.every((d) => d !== null)) return direct.map((d, k) => cut(d!, parts[k].size));
  // Concatenated even when there is one part: concat copies each part's first `size` values, no more.
  const data = await b.read(
    b.concat(
      parts.map((p) => p.x),
      1,
      parts.map((p) => p.size),
      1,
    ),
  );
  let at = 0;
  return parts.map((p) => data.subarray(at, (at += p.size)));
}

/**
 * Reads asked for while something is built (the walk-through's trace), done together by run(): every summary in
 * one Backend.summaries call (a tensor asked for twice is summarised once), every set of values in one readMany.
 */
export class ReadBatch {
  private readonly summaries: Part[] = [];
  private readonly byStorage = new Map<Storage, number>();
  private readonly summaryPuts: ((s: TensorSummary) => void)[][] = [];
  private readonly values: { parts: readonly Part[]; put: (data: HostData[]) => void }[] = [];

  constructor(private readonly bins = HISTOGRAM_BINS) {}

  /** `put` gets the summary of x's first `size` values once run() has read it. */
  summary(x: Storage, size: number, put: (s: TensorSummary) => void): void {
    let k = this.byStorage.get(x);
    if (k === undefined) {
      k = this.summaries.push({ x, size }) - 1;
      this.byStorage.set(x, k);
      this.summaryPuts.push([]);
    }
    this.summaryPuts[k].push(put);
  }

  /** `put` gets the parts' values, in order, once run() has read them. */
  read(parts: readonly Part[], put: (data: HostData[]) => void): void {
    this.values.push({ parts, put });
  }

  async run(): Promise<void> {
    const summaries = this.summaries.length ? await backend().summaries(this.summaries, this.bins) : [];
    summaries.forEach((s, k) => this.summaryPuts[k].forEach((put) => put(s)));
    const data = await readMany(this.values.flatMap((v) => v.parts));
    let at = 0;
    for (const v of this.values) v.put(data.slice(at, (at += v.parts.length)));
  }
}

/**
 * A storage's values as they are now, for reading later: the CPU's copied at once, a GPU's copy queued behind the
 * work recorded so far (its read is submitted before this returns). Steps taken before the promise resolves do not
 * change what it gives: a checkpoint is taken without waiting for the GPU.
 */
export function readNow(s: Storage): Promise<Float32Array> {
  const b = backend();
  const host = b.readSync(s);
  if (host) return Promise.resolve(Float32Array.from(host));
  return b.read(s).then((d) => (d instanceof Float32Array ? d : Float32Array.from(d)));
}
