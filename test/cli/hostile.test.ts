// Hostile and broken inputs to the command line (issue 11): every refusal is exit 1 with one line naming
// the culprit, no stack trace, nothing on standard output, and nothing written outside the model's folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors } from '../../engine';
import { writeOrRescue, InputError } from '../../cli/files';

const BIN = join(__dirname, '..', '..', 'bin', 'backprop-studio.js');
const root = mkdtempSync(join(tmpdir(), 'bps-hostile-'));
let n = 0;
/** A fresh folder per test, so that files one test leaves cannot make another pass. */
const folder = () => {
  const d = join(root, `t${n++}`);
  mkdirSync(d);
  return d;
};

function cli(args: string[], opts: { input?: string; shell?: string } = {}) {
  const r = opts.shell
    ? spawnSync('bash', ['-c', opts.shell], { encoding: 'utf8', timeout: 60_000 })
    : spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input: opts.input, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exit 1, one line on standard error matching `pattern`, nothing on standard output. */
function refused(r: ReturnType<typeof cli>, pattern: RegExp) {
  assert.equal(r.code, 1, `exit ${r.code}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, found:\n${r.stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/);
  assert.equal(r.stdout, '');
}

const write = (dir: string, name: string, v: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof v === 'string' ? v : JSON.stringify(v));
  return p;
};

/** x [N,2] → Linear(2) → CrossEntropyLoss against y; ids may be chosen to be hostile. */
function classifier(x = 'x', y = 'y', extra: Record<string, unknown> = {}) {
  return {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: x, op: 'Input', attrs: { shape: [2] } },
      { id: 'fc', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: y, op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    edges: [
      { from: x, to: 'fc' },
      { from: 'fc', to: 'loss', port: 0 },
      { from: y, to: 'loss', port: 1 },
    ],
    training: { seed: 0, optimizer: { type: 'SGD', lr: 0.1 }, epochs: 2, batchSize: 16 },
    ...extra,
  };
}
const feedOf = (x = 'x', y = 'y', labels = [0, 1]) => ({ [x]: { shape: [2, 2], data: [1, 2, 3, 4] }, [y]: { shape: [2], data: labels } });
const withDataset = (extra: Record<string, unknown> = {}) =>
  classifier('x', 'y', {
    training: { seed: 0, optimizer: { type: 'SGD', lr: 0.1 }, epochs: 2, batchSize: 16, dataset: { source: 'xor', size: 40 } },
    ...extra,
  });

test('1. every command checks the feed first, the same way: a missing Input is named, not a TypeError', () => {
  const d = folder();
  const model = write(d, 'm.nn.json', classifier());
  const feed = write(d, 'f.json', { y: { shape: [2], data: [0, 1] } });
  for (const args of [
    ['grad', model, '--feed', feed],
    ['train', model, '--feed', feed, '--steps', '2'],
    ['predict', model, '--feed', feed],
  ]) {
    refused(cli(args), /f\.json: feed "x" is missing \(Input \[N, 2\] float32\)/);
  }
  // grad and train need the Target too; predict does not.
  const xOnly = write(d, 'x.json', { x: { shape: [2, 2], data: [1, 2, 3, 4] } });
  refused(cli(['grad', model, '--feed', xOnly]), /feed "y" is missing/);
  refused(cli(['train', model, '--feed', xOnly, '--steps', '1']), /feed "y" is missing/);
  assert.equal(cli(['predict', model, '--feed', xOnly]).code, 0);
});

test('2. ids are never object keys with a prototype: nodes named __proto__ and constructor are fed and reported', () => {
  const d = folder();
  const model = write(d, 'm.nn.json', classifier('__proto__', 'constructor'));
  const feed = write(d, 'f.json', feedOf('__proto__', 'constructor'));
  const r = cli(['grad', model, '--feed', feed]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  for (const id of ['__proto__', 'constructor', 'fc', 'loss']) assert.ok(Object.hasOwn(out.outputs, id), `outputs has "${id}"`);
  assert.ok(Object.hasOwn(out.grads, '__proto__'), 'the float32 Input named __proto__ has its gradient');
  assert.deepEqual(out.outputs.__proto__.shape, [2, 2]);
  const p = cli(['predict', model, '--feed', feed]);
  assert.equal(p.code, 0, p.stderr);
  assert.ok(Object.hasOwn(JSON.parse(p.stdout).outputs, 'fc'));
});

test('3. int32 feeds outside the int32 range are refused naming the key and the flat index', () => {
  const d = folder();
  const model = write(d, 'm.nn.json', classifier());
  refused(
    cli(['grad', model, '--feed', write(d, 'a.json', feedOf('x', 'y', [0, 2 ** 32]))]),
    /feed "y"\.data\[1\] must be an int32 integer .*found 4294967296/,
  );
  refused(
    cli(['train', model, '--feed', write(d, 'b.json', feedOf('x', 'y', [-(2 ** 31) - 1, 0])), '--steps', '1']),
    /feed "y"\.data\[0\] must be an int32 integer/,
  );
  const emb = {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'tok', op: 'Input', attrs: { shape: [3], dtype: 'int32' } },
      { id: 'emb', op: 'Embedding', attrs: { numEmbeddings: 10, embeddingDim: 2 } },
    ],
    edges: [{ from: 'tok', to: 'emb' }],
  };
  const m2 = write(d, 'e.nn.json', emb);
  refused(
    cli(['predict', m2, '--feed', write(d, 'c.json', { tok: { shape: [1, 3], data: [1, 2 ** 31, 3] } })]),
    /feed "tok"\.data\[1\] must be an int32 integer .*found 2147483648/,
  );
  // In range, an index the table does not have is still the engine's error naming the index.
  assert.equal(cli(['predict', m2, '--feed', write(d, 'ok.json', { tok: { shape: [1, 3], data: [1, 2, 3] } })]).code, 0);
});

test('4. an output that cannot be written is refused before the work starts', () => {
  const d = folder();
  const model = write(d, 'm.nn.json', classifier());
  const feed = write(d, 'f.json', feedOf());
  refused(
    cli(['grad', model, '--feed', feed, '--out', join(d, 'missing', 'r.json')]),
    /cannot write --out .*missing\/r\.json: the folder .*missing does not exist/,
  );
  mkdirSync(join(d, 'adir'));
  refused(cli(['train', model, '--feed', feed, '--steps', '1', '--out', join(d, 'adir')]), /cannot write --out .*adir: it is a directory/);
  // A place nobody may create files in, root included.
  refused(cli(['predict', model, '--feed', feed, '--out', '/proc/result.json']), /cannot write --out \/proc\/result\.json: E[A-Z]+/);
  refused(
    cli(['export', model, '--target', 'standalone', '--out', join(d, 'nowhere', 'm.ts')]),
    /cannot write the export .*nowhere\/m\.ts: the folder .* does not exist/,
  );
  // train MODEL.nn.json: the sidecar's folder is checked before the first epoch.
  const ds = write(d, 'ds.nn.json', withDataset({ weights: 'w/missing/ds.safetensors' }));
  const r = cli(['train', ds]);
  refused(r, /cannot write the weights file .*w\/missing\/ds\.safetensors: the folder .* does not exist/);
  assert.doesNotMatch(r.stderr, /epoch/);
});

test('4. a write that still fails after the work keeps what was computed and says where', () => {
  const d = folder();
  const target = join(d, 'gone', 'm.safetensors');
  const bytes = new Uint8Array([1, 2, 3, 4]);
  let error: Error | undefined;
  try {
    writeOrRescue(target, bytes, 'the weights file');
  } catch (e) {
    error = e as Error;
  }
  assert.ok(error instanceof InputError, 'an InputError (exit 1)');
  const m = /cannot write the weights file .*gone\/m\.safetensors: ENOENT; it was saved to (\S+\.safetensors) instead/.exec(error.message);
  assert.ok(m, error.message);
  assert.deepEqual([...readFileSync(m[1])], [1, 2, 3, 4]);
  assert.equal(existsSync(target), false);
});

test('5. devices, directories and pipes are refused by name; a feed may come from standard input or a pipe', () => {
  const d = folder();
  const model = write(d, 'm.nn.json', classifier());
  const feedText = JSON.stringify(feedOf());
  const feed = write(d, 'f.json', feedText);
  refused(cli(['grad', '/dev/zero', '--feed', feed]), /cannot read model \/dev\/zero: it is a character device, not a file/);
  refused(cli(['grad', model, '--feed', '/dev/zero']), /cannot read feed \/dev\/zero: it is a character device, not a file/);
  refused(cli(['grad', d, '--feed', feed]), /cannot read model .*: it is a directory/);
  refused(cli(['grad', model, '--feed', d]), /cannot read feed .*: it is a directory/);
  // A model that is a pipe with no writer: refused at once, never waited on.
  const fifo = join(d, 'pipe.nn.json');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  refused(cli(['grad', fifo, '--feed', feed]), /cannot read model .*pipe\.nn\.json: it is a pipe, not a file/);
  // The weights: an absolute path is refused by the containment rule, a link to a device by its real path.
  refused(cli(['grad', write(d, 'abs.nn.json', classifier('x', 'y', { weights: '/dev/zero' })), '--feed', feed]), /"weights" must name a \.safetensors file/);
  symlinkSync('/dev/zero', join(d, 'zero.safetensors'));
  refused(
    cli(['grad', write(d, 'z.nn.json', classifier('x', 'y', { weights: 'zero.safetensors' })), '--feed', feed]),
    /"weights" \("zero\.safetensors"\) leads outside .* through a symbolic link/,
  );
  // The dataset: a CSV path that is a device, through a link.
  symlinkSync('/dev/zero', join(d, 'zero.csv'));
  const csvModel = withDataset();
  (csvModel.training as Record<string, unknown>).dataset = { source: 'csv', path: 'zero.csv', label: 'y' };
  refused(cli(['train', write(d, 'csv.nn.json', csvModel)]), /training\.dataset\.path \("zero\.csv"\) leads outside .* through a symbolic link/);
  // A file over the cap is refused from its size, without reading it.
  const big = join(d, 'big.nn.json');
  writeFileSync(big, '');
  truncateSync(big, 257 * 2 ** 20);
  refused(cli(['grad', big, '--feed', feed]), /cannot read model .*big\.nn\.json: it is 257 MiB; at most 256 MiB are read/);
  // Standard input and pipes.
  for (const via of ['-', '/dev/stdin']) {
    const r = cli(['grad', model, '--feed', via], { input: feedText });
    assert.equal(r.code, 0, `--feed ${via}: ${r.stderr}`);
    assert.ok(Number.isFinite(JSON.parse(r.stdout).loss));
  }
  const sub = cli([], {
    shell: `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} grad ${JSON.stringify(model)} --feed <(cat ${JSON.stringify(feed)})`,
  });
  assert.equal(sub.code, 0, `process substitution: ${sub.stderr}`);
  refused(cli(['grad', model, '--feed', '-'], { input: '{"x": ' }), /standard input: not valid JSON/);
});

test('6. the sidecar stays inside the model’s folder tree, on real paths', () => {
  const d = folder();
  const sub = join(d, 'models');
  mkdirSync(sub);
  const outside = folder();
  symlinkSync(outside, join(sub, 'out'));
  const cases: [unknown, RegExp][] = [
    ['../outside.safetensors', /"weights" \("\.\.\/outside\.safetensors"\) points outside/],
    [join(outside, 'abs.safetensors'), /"weights" must be a path relative to the model file/],
    ['notes.txt', /"weights" must name a \.safetensors file, found "notes\.txt"/],
    ['out/escape.safetensors', /"weights" \("out\/escape\.safetensors"\) leads outside .* through a symbolic link/],
  ];
  for (const [weights, pattern] of cases) {
    const model = write(sub, 'm.nn.json', withDataset({ weights }));
    refused(cli(['train', model]), pattern);
  }
  assert.deepEqual(readdirSync(outside), [], 'nothing written outside');
  assert.deepEqual(readdirSync(d).sort(), ['models']);
  // Inside the tree, a sub-folder is fine.
  mkdirSync(join(sub, 'w'));
  const ok = write(sub, 'ok.nn.json', withDataset({ weights: 'w/ok.safetensors' }));
  const r = cli(['train', ok]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Object.keys(decodeSafetensors(readFileSync(join(sub, 'w', 'ok.safetensors'))).tensors).includes('fc.weight'));
});

test('8. temporary files of killed runs are removed by the next write; others are never touched', () => {
  const d = folder();
  const model = write(d, 'm.nn.json', withDataset());
  const dead = '.m.safetensors.2147483646.0123456789ab.tmp';
  const deadProbe = '.m.safetensors.2147483645.0123456789ab.probe.tmp';
  const live = `.m.safetensors.${process.pid}.0123456789ab.tmp`;
  const foreign = [
    '.m.safetensors.tmp',
    '.other.safetensors.2147483646.0123456789ab.tmp',
    'm.safetensors.2147483646.0123456789ab.tmp',
    '.m.safetensors.2147483646.xyz.tmp',
  ];
  for (const f of [dead, deadProbe, live, ...foreign]) writeFileSync(join(d, f), 'partial');
  const r = cli(['train', model]);
  assert.equal(r.code, 0, r.stderr);
  const left = readdirSync(d);
  assert.ok(!left.includes(dead) && !left.includes(deadProbe), `stale files removed: ${left.join(', ')}`);
  for (const f of [live, ...foreign]) assert.ok(left.includes(f), `${f} kept`);
});

test('8. runs killed at any moment leave no temporary file of their own', async () => {
  const d = folder();
  const model = write(
    d,
    'm.nn.json',
    classifier('x', 'y', {
      training: { seed: 0, optimizer: { type: 'SGD', lr: 0.1 }, epochs: 3, batchSize: 8, dataset: { source: 'xor', size: 200 } },
    }),
  );
  const once = (delay: number, signal: NodeJS.Signals) =>
    new Promise<void>((done) => {
      const p = spawn(process.execPath, [BIN, 'train', model], { stdio: 'ignore' });
      const t = setTimeout(() => p.kill(signal), delay);
      p.on('exit', () => {
        clearTimeout(t);
        done();
      });
    });
  for (let i = 0; i < 12; i++) await once(150 + 40 * i, i % 2 ? 'SIGINT' : 'SIGTERM');
  const temps = readdirSync(d).filter((f) => f.endsWith('.tmp'));
  assert.deepEqual(temps, []);
});

test('15. a model without a weights key uses NAME.safetensors beside it, as the editor does: train writes it, the other commands load it', () => {
  const d = folder();
  const model = write(d, 'net.nn.json', withDataset());
  const feed = write(d, 'f.json', feedOf());
  const before = JSON.parse(cli(['predict', model, '--feed', feed]).stdout).outputs.fc.data;
  const r = cli(['train', model]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /weights written to .*net\.safetensors\n/);
  assert.doesNotMatch(readFileSync(model, 'utf8'), /weights/, 'the model file is not edited');
  const trained = decodeSafetensors(readFileSync(join(d, 'net.safetensors'))).tensors['fc.bias']!.data;
  const after = JSON.parse(cli(['grad', model, '--feed', feed]).stdout);
  assert.deepEqual(after.outputs.fc.data.length, 4);
  assert.notDeepEqual(JSON.parse(cli(['predict', model, '--feed', feed]).stdout).outputs.fc.data, before, 'predict loads the trained weights');
  // grad reports the trained bias through the loaded parameters: fc = x·Wᵀ + b, so the bias is fc at x = 0.
  const zero = write(d, 'z.json', { x: { shape: [1, 2], data: [0, 0] }, y: { shape: [1], data: [0] } });
  const atZero = JSON.parse(cli(['grad', model, '--feed', zero]).stdout).outputs.fc.data;
  assert.deepEqual(atZero.map(Math.fround), [...trained]);
});
