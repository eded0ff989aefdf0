import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import fsDefault from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic, writeFileAtomicAsync } from '../../cli/fs';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bps-fs-test-'));
}

const posix = process.platform !== 'win32';

for (const [name, write] of [
  ['writeFileAtomic', async (p: string, d: Uint8Array | string) => writeFileAtomic(p, d)],
  ['writeFileAtomicAsync', writeFileAtomicAsync],
] as const) {
  test(`${name}: creates a file, from a string or from bytes, and leaves no temporary file`, async () => {
    const dir = tempDir();
    try {
      const a = path.join(dir, 'model.nn.json');
      await write(a, '{"format":"nn-graph"} ✓');
      assert.equal(fs.readFileSync(a, 'utf8'), '{"format":"nn-graph"} ✓');
      const b = path.join(dir, 'w.safetensors');
      const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) & 255);
      await write(b, bytes);
      assert.deepEqual(new Uint8Array(fs.readFileSync(b)), bytes);
      const empty = path.join(dir, 'empty');
      await write(empty, new Uint8Array(0));
      assert.equal(fs.readFileSync(empty).length, 0);
      assert.deepEqual(fs.readdirSync(dir).sort(), ['empty', 'model.nn.json', 'w.safetensors']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: replaces an existing file whole, keeping its permissions`, async () => {
    const dir = tempDir();
    try {
      const p = path.join(dir, 'out.json');
      fs.writeFileSync(p, 'a much longer old content that must not survive in part');
      if (posix) fs.chmodSync(p, 0o640);
      await write(p, 'new');
      assert.equal(fs.readFileSync(p, 'utf8'), 'new');
      if (posix) assert.equal(fs.statSync(p).mode & 0o777, 0o640);
      assert.deepEqual(fs.readdirSync(dir), ['out.json']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: a write into a directory that does not exist fails and creates nothing`, async () => {
    const dir = tempDir();
    try {
      const p = path.join(dir, 'missing', 'out.json');
      await assert.rejects(
        async () => write(p, 'x'),
        (e: NodeJS.ErrnoException) => e.code === 'ENOENT',
      );
      assert.deepEqual(fs.readdirSync(dir), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: when the final rename fails, the target is untouched and the temporary file is removed`, async () => {
    const dir = tempDir();
    try {
      // The target is a non-empty directory: everything up to the rename succeeds, the rename fails.
      const p = path.join(dir, 'target');
      fs.mkdirSync(p);
      fs.writeFileSync(path.join(p, 'keep.txt'), 'keep');
      await assert.rejects(async () => write(p, 'x'));
      assert.ok(fs.statSync(p).isDirectory());
      assert.equal(fs.readFileSync(path.join(p, 'keep.txt'), 'utf8'), 'keep');
      assert.deepEqual(fs.readdirSync(dir), ['target']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(
    `${name}: an existing file survives a failed write unchanged`,
    { skip: !posix || process.getuid?.() === 0 ? 'needs a POSIX non-root user for a read-only directory' : false },
    async () => {
      const dir = tempDir();
      try {
        const p = path.join(dir, 'out.json');
        fs.writeFileSync(p, 'old');
        fs.chmodSync(dir, 0o500); // no new files in the directory: the temporary file cannot be created
        await assert.rejects(async () => write(p, 'new'));
        fs.chmodSync(dir, 0o700);
        assert.equal(fs.readFileSync(p, 'utf8'), 'old');
        assert.deepEqual(fs.readdirSync(dir), ['out.json']);
      } finally {
        fs.chmodSync(dir, 0o700);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test(`${name}: writes through a symlink to the file it points at`, { skip: !posix }, async () => {
    const dir = tempDir();
    try {
      const real = path.join(dir, 'real.json');
      const link = path.join(dir, 'link.json');
      fs.writeFileSync(real, 'old');
      fs.symlinkSync(real, link);
      await write(link, 'new');
      assert.ok(fs.lstatSync(link).isSymbolicLink());
      assert.equal(fs.readFileSync(real, 'utf8'), 'new');
      assert.deepEqual(fs.readdirSync(dir).sort(), ['link.json', 'real.json']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: rejects data that is neither a string nor bytes, creating nothing`, async () => {
    const dir = tempDir();
    try {
      await assert.rejects(async () => write(path.join(dir, 'x'), 42 as unknown as string), TypeError);
      assert.deepEqual(fs.readdirSync(dir), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('writeFileAtomic: a write that fails half way leaves the old file and no temporary file', (t) => {
  const dir = tempDir();
  try {
    const p = path.join(dir, 'out.safetensors');
    fs.writeFileSync(p, 'old');
    // The first chunk is written, the second fails as a full disk would.
    let calls = 0;
    const real = fsDefault.writeSync;
    t.mock.method(fsDefault, 'writeSync', (...args: unknown[]) => {
      if (++calls > 1) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      const [fd, buf, off] = args as [number, Uint8Array, number];
      return real(fd, buf, off, 3);
    });
    syncBuiltinESMExports();
    assert.throws(() => writeFileAtomic(p, 'new content'), /ENOSPC/);
    t.mock.restoreAll();
    syncBuiltinESMExports();
    assert.ok(calls >= 2);
    assert.equal(fs.readFileSync(p, 'utf8'), 'old');
    assert.deepEqual(fs.readdirSync(dir), ['out.safetensors']);
  } finally {
    t.mock.restoreAll();
    syncBuiltinESMExports();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('writeFileAtomicAsync: a failing rename leaves the old file and no temporary file', async (t) => {
  const dir = tempDir();
  try {
    const p = path.join(dir, 'out.json');
    fs.writeFileSync(p, 'old');
    t.mock.method(fsDefault.promises, 'rename', async () => {
      throw Object.assign(new Error('EXDEV: cross-device link not permitted, rename'), { code: 'EXDEV' });
    });
    syncBuiltinESMExports();
    await assert.rejects(writeFileAtomicAsync(p, 'new'), /EXDEV/);
    t.mock.restoreAll();
    syncBuiltinESMExports();
    assert.equal(fs.readFileSync(p, 'utf8'), 'old');
    assert.deepEqual(fs.readdirSync(dir), ['out.json']);
  } finally {
    t.mock.restoreAll();
    syncBuiltinESMExports();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
