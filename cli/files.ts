/**
 * What the command line reads and writes, checked before any work starts (docs/cli.md, "Files"):
 *
 * - Inputs are regular files of at most a stated size. Directories and character or block devices
 *   (`/dev/zero`, `/dev/random`) are refused by name instead of being read for ever; a feed may also be a
 *   pipe or standard input (`--feed -`, `--feed /dev/stdin`, process substitution), read up to the same cap.
 * - Every destination is checked writable before the run (its folder exists, it is not a folder or a
 *   device, and a file can be created there), and a write that still fails afterwards keeps what was
 *   computed in the temporary folder and says where, rather than losing a training run.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from './fs';

/** A bad model, feed or file: exit 1 with this one line. */
export class InputError extends Error {}

const MiB = 1 << 20;

/** The most the command line reads of each kind of file. */
export const READ_LIMITS = {
  model: 256 * MiB,
  feed: 256 * MiB,
  csv: 256 * MiB,
  /** 2^28 parameter values (LIMITS.totalParamElements) in float32, and the header. */
  weights: 1024 * MiB + 16 * MiB,
} as const;

export type InputKind = keyof typeof READ_LIMITS;

const KIND_NAMES: Record<InputKind, string> = { model: 'model', feed: 'feed', csv: 'CSV file', weights: 'weights file' };

const mib = (n: number) => `${(n / MiB).toFixed(n % MiB === 0 ? 0 : 1)} MiB`;
const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** Standard input, named as the feed: `-` or `/dev/stdin`. */
const isStdin = (path: string) => path === '-' || path === '/dev/stdin';

/** Why a file of this type is not read, or undefined for a regular file (and, where streams are allowed, a pipe). */
function refusedType(st: fs.Stats, streams: boolean): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'it is a directory';
  if (st.isCharacterDevice() || st.isBlockDevice()) return `it is a ${st.isBlockDevice() ? 'block' : 'character'} device, not a file`;
  if ((st.isFIFO() || st.isSocket()) && streams) return undefined;
  if (st.isFIFO()) return 'it is a pipe, not a file';
  if (st.isSocket()) return 'it is a socket, not a file';
  return 'it is not a regular file';
}

/**
 * The bytes of an input file. `feed` may be standard input or a pipe; every kind is capped at
 * READ_LIMITS. Errors are one line naming the file.
 */
export function readInput(path: string, kind: InputKind): Uint8Array {
  const what = KIND_NAMES[kind];
  const limit = READ_LIMITS[kind];
  const streams = kind === 'feed';
  const stdin = streams && isStdin(path);
  const shown = stdin ? 'standard input' : path;
  // Stat before opening: opening a pipe with no writer would wait for one.
  if (!stdin) {
    let st: fs.Stats;
    try {
      st = fs.statSync(path);
    } catch (e) {
      throw new InputError(`cannot read ${what} ${path}: ${code(e)}`);
    }
    const refused = refusedType(st, streams);
    if (refused) throw new InputError(`cannot read ${what} ${path}: ${refused}`);
  }
  let fd: number;
  try {
    // Standard input is read from its descriptor: opening /dev/stdin fails when it is a socket.
    fd = stdin ? 0 : fs.openSync(path, 'r');
  } catch (e) {
    throw new InputError(`cannot read ${what} ${shown}: ${code(e)}`);
  }
  try {
    const st = fs.fstatSync(fd);
    // Standard input may be a terminal; anything else must be what the stat above saw.
    const refused = stdin && st.isCharacterDevice() ? undefined : refusedType(st, streams);
    if (refused) throw new InputError(`cannot read ${what} ${shown}: ${refused}`);
    if (st.isFile() && st.size > limit) throw new InputError(`cannot read ${what} ${shown}: it is ${mib(st.size)}; at most ${mib(limit)} are read`);
    return readCapped(fd, limit, () => new InputError(`cannot read ${what} ${shown}: it holds more than ${mib(limit)}; at most ${mib(limit)} are read`));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read ${what} ${shown}: ${code(e)}`);
  } finally {
    if (fd !== 0) fs.closeSync(fd);
  }
}

/** Read to the end, failing once more than `limit` bytes arrive (a file that grows, a pipe). */
function readCapped(fd: number, limit: number, tooLarge: () => Error): Uint8Array {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(limit + 1 - total, 1 << 20) || 1);
    let n: number;
    try {
      n = fs.readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      // Standard input opened non-blocking by the shell: wait a moment and read again.
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      throw e;
    }
    if (n === 0) break;
    total += n;
    if (total > limit) throw tooLarge();
    chunks.push(chunk.subarray(0, n));
  }
  return Buffer.concat(chunks, total);
}

/**
 * Check that `target` can be written, before the work that produces it: `what` names it in the message
 * (`--out`, `the weights file`). Creating and removing a probe file is the only check that holds for
 * permissions, read-only mounts and full quotas alike.
 */
export function checkWritable(target: string, what: string): void {
  const dir = dirname(resolve(target));
  const fail = (why: string) => new InputError(`cannot write ${what} ${target}: ${why}`);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(target);
  } catch {
    /* a new file */
  }
  if (st?.isDirectory()) throw fail('it is a directory');
  if (st && !st.isFile()) throw fail('it is not a regular file');
  let d: fs.Stats;
  try {
    d = fs.statSync(dir);
  } catch {
    throw fail(`the folder ${dirname(target)} does not exist`);
  }
  if (!d.isDirectory()) throw fail(`${dirname(target)} is not a folder`);
  const probe = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.probe.tmp`);
  try {
    fs.closeSync(fs.openSync(probe, 'wx'));
  } catch (e) {
    throw fail(`${code(e)}${code(e) === 'EACCES' || code(e) === 'EPERM' ? ' (permission denied)' : code(e) === 'EROFS' ? ' (read-only file system)' : ''}`);
  }
  fs.rmSync(probe, { force: true });
}

/**
 * Write `target` atomically; if that fails (the disk filled, the folder went away), write the bytes to
 * the temporary folder instead and throw an InputError saying where they are. Returns the path written.
 */
export function writeOrRescue(target: string, data: Uint8Array | string, what: string): string {
  try {
    writeFileAtomic(target, data);
    return target;
  } catch (e) {
    // The same name with the time in it, before the extension: m.safetensors → m.2026-12-04T23-10-05-000Z-1a2b3c.safetensors
    const name = basename(target).replace(/^\.+/, '') || 'output';
    const dot = name.lastIndexOf('.');
    const stamp = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
    const rescue = join(tmpdir(), dot > 0 ? `${name.slice(0, dot)}.${stamp}${name.slice(dot)}` : `${name}.${stamp}`);
    try {
      fs.writeFileSync(rescue, data, { flag: 'wx' });
    } catch {
      throw new InputError(`cannot write ${what} ${target}: ${code(e)}; nothing could be saved elsewhere either`);
    }
    throw new InputError(`cannot write ${what} ${target}: ${code(e)}; it was saved to ${rescue} instead`);
  }
}
