/**
 * File helpers for the Node side (command line, extension host).
 *
 * writeFileAtomic: a reader, or a crash, sees either the old file or the new one, never a partial
 * write. The data goes to a temporary file in the target's directory (same file system, so the rename
 * is atomic), is fsync'ed, and is renamed over the target; the directory is then fsync'ed where the
 * platform allows, so the rename itself survives a crash. On any failure the temporary file is removed
 * and the target is left as it was. A run killed mid-write (SIGKILL, power loss) can still leave its
 * temporary file; the next write of the same target removes those of dead processes (removeStaleTemps).
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/** The temporary file's name: hidden, next to the target, unique per process and call. */
function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove the temporary files a killed run of ours left beside `target`: our naming (tempPathFor, and the
 * writability probe's `.probe.tmp`), a process id that is no longer running, and a plain file. Files of
 * any other naming, and those of a run still going, are never touched. Best effort.
 */
export function removeStaleTemps(target: string): string[] {
  const dir = path.dirname(target);
  const ours = new RegExp(`^\\.${escapeRegExp(path.basename(target))}\\.(\\d+)\\.[0-9a-f]{12}(?:\\.probe)?\\.tmp$`);
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = ours.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    const p = path.join(dir, name);
    try {
      if (!fs.lstatSync(p).isFile()) continue;
      fs.unlinkSync(p);
      removed.push(p);
    } catch {
      /* gone already, or not ours to remove */
    }
  }
  return removed;
}

/** Write through a symlink to the file it points at, as a plain write would; a dangling link is replaced. */
function resolveTarget(target: string): string {
  try {
    return fs.realpathSync(target);
  } catch {
    return target;
  }
}

function toBytes(data: Uint8Array | string): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return data;
  throw new TypeError('writeFileAtomic: data must be a Uint8Array or a string');
}

/** The mode of an existing target, so replacing a file keeps its permissions. */
function existingMode(target: string): number | undefined {
  try {
    return fs.statSync(target).mode & 0o7777;
  } catch {
    return undefined;
  }
}

export function writeFileAtomic(target: string, data: Uint8Array | string): void {
  const bytes = toBytes(data);
  const file = resolveTarget(target);
  const mode = existingMode(file);
  removeStaleTemps(file);
  const tmp = tempPathFor(file);
  let fd: number | undefined;
  let created = false;
  try {
    fd = fs.openSync(tmp, 'wx', mode ?? 0o666);
    created = true;
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    if (mode !== undefined) fs.fchmodSync(fd, mode); // the umask may have narrowed it at creation
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
    created = false;
  } catch (err) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    if (created) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        /* already failing */
      }
    }
    throw err;
  }
  syncDirectory(path.dirname(file));
}

export async function writeFileAtomicAsync(target: string, data: Uint8Array | string): Promise<void> {
  const bytes = toBytes(data);
  const file = resolveTarget(target);
  const mode = existingMode(file);
  removeStaleTemps(file);
  const tmp = tempPathFor(file);
  let handle: fsp.FileHandle | undefined;
  let created = false;
  try {
    handle = await fsp.open(tmp, 'wx', mode ?? 0o666);
    created = true;
    let off = 0;
    while (off < bytes.length) off += (await handle.write(bytes, off, bytes.length - off)).bytesWritten;
    if (mode !== undefined) await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fsp.rename(tmp, file);
    created = false;
  } catch (err) {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    if (created) await fsp.unlink(tmp).catch(() => undefined);
    throw err;
  }
  syncDirectory(path.dirname(file));
}

/** Best effort: Windows cannot open a directory for fsync, and some file systems refuse it. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* not supported here */
  } finally {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* ignore */
      }
    }
  }
}
