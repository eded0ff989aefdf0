// The containment rule for files a model names (common/containment.ts), on the text and on real paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readlinkSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATASET_FILE, SIDECAR_FILE, resolveContainedPath } from '../../common/containment';

const ws = realpathSync(mkdtempSync(join(tmpdir(), 'bps-contain-')));
const outside = realpathSync(mkdtempSync(join(tmpdir(), 'bps-outside-')));
mkdirSync(join(ws, 'models', 'w'), { recursive: true });
const model = join(ws, 'models', 'm.nn.json');
writeFileSync(model, '{}');
writeFileSync(join(outside, 'secret.csv'), 'a,b\n1,2\n');
// Links inside the root: one to a folder outside, one to a file outside, one to a folder inside.
symlinkSync(outside, join(ws, 'models', 'out'));
symlinkSync(join(outside, 'secret.csv'), join(ws, 'models', 'data.csv'));
symlinkSync(join(outside, 'gone.safetensors'), join(ws, 'models', 'dangling.safetensors'));
symlinkSync(join(ws, 'models', 'w'), join(ws, 'models', 'inner'));

const rp = { realpath: (p: string) => realpathSync(p), readlink: (p: string) => readlinkSync(p) };

test('the text rule: relative, of the right type, not climbing past the root', () => {
  const ok = (v: string) => resolveContainedPath(model, v, ws, SIDECAR_FILE);
  assert.deepEqual(ok('m.safetensors'), { path: `${ws}/models/m.safetensors` });
  assert.deepEqual(ok('../m.safetensors'), { path: `${ws}/m.safetensors` });
  assert.deepEqual(ok('w\\m.safetensors'), { path: `${ws}/models/w/m.safetensors` });
  assert.match((ok('notes.txt') as { error: string }).error, /"weights" must name a \.safetensors file, found "notes\.txt"/);
  assert.match((ok('/etc/x.safetensors') as { error: string }).error, /must be a path relative to the model file/);
  assert.match((ok('C:/x.safetensors') as { error: string }).error, /relative/);
  assert.match((ok('../../x.safetensors') as { error: string }).error, /points outside/);
  assert.match((ok('../../../../../../../../x.safetensors') as { error: string }).error, /points outside/);
  // The root is the model's own folder tree on the command line.
  assert.match((resolveContainedPath(model, '../x.safetensors', join(ws, 'models'), SIDECAR_FILE) as { error: string }).error, /points outside/);
  // A dataset path has no file-type rule.
  assert.deepEqual(resolveContainedPath(model, 'w/data.txt', ws, DATASET_FILE), { path: `${ws}/models/w/data.txt` });
});

test('real paths: a symbolic link inside the root cannot lead out of it', () => {
  const r = (v: string, file = SIDECAR_FILE) => resolveContainedPath(model, v, ws, file, rp);
  // Through a linked folder, to a file that does not exist yet (a sidecar before its first save).
  assert.match((r('out/new.safetensors') as { error: string }).error, /leads outside .* through a symbolic link/);
  // A linked file.
  assert.match((r('data.csv', DATASET_FILE) as { error: string }).error, /training\.dataset\.path .* symbolic link/);
  // A dangling link whose target is outside: writing through it would create the file outside.
  assert.match((r('dangling.safetensors') as { error: string }).error, /symbolic link/);
  // The text rule alone lets these through; that is the hole the real-path check closes.
  assert.ok('path' in resolveContainedPath(model, 'out/new.safetensors', ws, SIDECAR_FILE));
  // Links that stay inside are followed, and the real path is returned.
  assert.deepEqual(r('inner/m.safetensors'), { path: `${ws}/models/w/m.safetensors` });
  assert.deepEqual(r('m.safetensors'), { path: `${ws}/models/m.safetensors` });
});

test('real paths: a root reached through a link is compared as its real path', () => {
  const linkedWs = join(outside, 'ws-link');
  symlinkSync(ws, linkedWs);
  const viaLink = join(linkedWs, 'models', 'm.nn.json');
  assert.deepEqual(resolveContainedPath(viaLink, 'm.safetensors', linkedWs, SIDECAR_FILE, rp), { path: `${ws}/models/m.safetensors` });
  assert.ok('error' in resolveContainedPath(viaLink, 'out/x.safetensors', linkedWs, SIDECAR_FILE, rp));
});
