// Bad CSV input and a bad stored training.dataset get one clear line (exit 1) that names the culprit:
// the CSV row (header = row 1) and column, or the model key. Issue 11, items 9 to 11.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDatasetSpec, tableToDataset, CsvError } from '../../engine';
import { parseCsvText } from '../../common/csv';

const BIN = join(__dirname, '..', '..', 'bin', 'backprop-studio.js');
const dir = mkdtempSync(join(tmpdir(), 'bps-csvin-'));
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

/** Input x [2] from columns a, b; label "label": classes (int32 Target) or a regression value (float32). */
function model(dataset: Record<string, unknown>, regression = false) {
  return {
    format: 'nn-graph',
    version: 1,
    nodes: regression
      ? [
          { id: 'x', op: 'Input', attrs: { shape: [2] } },
          { id: 'fc', op: 'Linear', attrs: { outFeatures: 1 } },
          { id: 'y', op: 'Target', attrs: { shape: [1] } },
          { id: 'loss', op: 'MSELoss' },
        ]
      : [
          { id: 'x', op: 'Input', attrs: { shape: [2] } },
          { id: 'fc', op: 'Linear', attrs: { outFeatures: 2 } },
          { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
          { id: 'loss', op: 'CrossEntropyLoss' },
        ],
    edges: [
      { from: 'x', to: 'fc' },
      { from: 'fc', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: {
      seed: 0,
      optimizer: { type: 'Adam', lr: 0.01 },
      batchSize: 4,
      epochs: 1,
      dataset: { source: 'csv', path: 'data.csv', features: ['a', 'b'], label: 'label', ...dataset },
    },
  };
}

let serial = 0;
/** Write the CSV and the model to a fresh folder, train, and expect exit 1 with one line, no stack, no sidecar. */
function refused(csv: string, dataset: Record<string, unknown> = {}, regression = false): string {
  const sub = join(dir, `m${serial++}`);
  spawnSync('mkdir', ['-p', sub]);
  writeFileSync(join(sub, 'data.csv'), csv);
  const m = join(sub, 'm.nn.json');
  writeFileSync(m, JSON.stringify(model(dataset, regression)));
  const r = cli('train', m);
  assert.equal(r.status, 1, `exit ${r.status}: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, r.stderr);
  assert.doesNotMatch(lines[0], /\n|^\s+at |internal error/);
  assert.equal(existsSync(join(sub, 'm.safetensors')), false);
  return lines[0];
}

const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');
const good = (i: number) => `${i % 5},${(i * 3) % 7},${i % 2 ? 'cat' : 'dog'}`;

test('values beyond float32 are refused naming the row and column (a feature, and a regression label)', () => {
  for (const big of ['1e39', '1e308', '-3.5e38']) {
    const line = refused(`a,b,label\n1,2,dog\n3,${big},cat\n4,5,dog\n`);
    assert.match(line, new RegExp(`data\\.csv: row 3, column "b": "${big.replace(/[.+]/g, '\\$&')}" is beyond the float32 range`));
  }
  // 3.4e38 is just inside float32: accepted.
  const t = tableToDataset(
    {
      header: ['a', 'b', 'label'],
      rows: [
        ['3.4e38', '1', 'x'],
        ['0', '2', 'y'],
      ],
    },
    { source: 'csv', path: 'p.csv', label: 'label' },
  );
  assert.ok(Number.isFinite(t.features[0]));
  const reg = refused(`a,b,label\n1,2,0.5\n3,4,1e39\n5,6,2\n`, {}, true);
  assert.match(reg, /row 3, column "label": "1e39" is beyond the float32 range/);
  const reg2 = refused(`a,b,label\n1,2,0.5\n3,4,1.5\n5,6,1e308\n`, {}, true);
  assert.match(reg2, /row 4, column "label": "1e308" is beyond the float32 range/);
});

test('only ordinary decimal numbers are read: hexadecimal, binary, octal, underscores, NaN and Infinity are refused', () => {
  const line = refused(`a,b,label\n1,2,dog\n0x10,2,cat\n`);
  assert.match(line, /row 3, column "a": "0x10" is not a decimal number/);
  const cell = (v: string) => {
    try {
      tableToDataset(
        {
          header: ['a', 'label'],
          rows: [
            ['1', 'x'],
            [v, 'y'],
          ],
        },
        { source: 'csv', path: 'p.csv', label: 'label' },
      );
      return 'accepted';
    } catch (e) {
      assert.ok(e instanceof CsvError);
      return e.message;
    }
  };
  for (const v of ['0x10', '0b101', '0o7', '-0x10', '1_000', '1e', '.', '1.2.3', '--1', '١'])
    assert.match(cell(v), new RegExp(`^p\\.csv: row 3, column "a": ".*" is not (a decimal number|a number)$`), v);
  for (const v of ['NaN', 'Infinity', ' Infinity', '-Infinity', 'inf'])
    assert.match(cell(v), /^p\.csv: row 3, column "a": "[-\w]+" is not a finite number$/, v);
  for (const v of ['-1.5e3', '.5', '5.', '+2', '007', ' 3 ', '1E-3', '-0']) assert.equal(cell(v), 'accepted', v);
  // A regression column with a NaN in it is a bad value, not a column of 3 class names.
  const reg = refused(`a,b,label\n1,2,0.5\n3,4,NaN\n5,6,2\n`, {}, true);
  assert.match(reg, /row 3, column "label": "NaN" is not a finite number/);
  const hex = refused(`a,b,label\n1,2,0.5\n3,4,0x10\n5,6,2\n`, {}, true);
  assert.match(hex, /row 3, column "label": "0x10" is not a decimal number/);
});

test('rows with too many or too few fields are reported as such, before their cells', () => {
  const long = refused(`a,b,label\n1,2,dog\n3,4,cat,extra\n`);
  assert.match(long, /data\.csv: row 3 has 4 fields, expected 3 \(extra field "extra" after column "label"\)/);
  // A short row: the label slides into b, which read before as '"dog" is not a number'.
  const short = refused(`a,b,label\n${rows(5, good)}\n1,dog\n2,3,cat\n`);
  assert.match(short, /data\.csv: row 7 has 2 fields, expected 3 \(no value for column "label"\)/);
});

test('a header naming a column twice is refused', () => {
  const line = refused(`a,b,a,label\n1,2,3,dog\n4,5,6,cat\n`);
  assert.match(line, /data\.csv: the header names column "a" twice \(columns 1 and 3\)/);
});

test('blank lines are skipped without shifting the row numbers', () => {
  const line = refused(`a,b,label\n1,2,dog\n\n3,oops,cat\n`);
  assert.match(line, /row 4, column "b": "oops" is not a number/);
  const t = parseCsvText('a,b\n\n1,2\n ,\n3,4\n\n', 'p.csv');
  assert.deepEqual(t.rows, [
    ['1', '2'],
    ['3', '4'],
  ]);
});

test('a missing column in a very wide header gives a short message', () => {
  const header = Array.from({ length: 10_000 }, (_, i) => `column_${i}`);
  const line = refused(`${header.join(',')},label\n${header.map(() => '1').join(',')},dog\n`);
  assert.match(line, /column "a" is not in the CSV header/);
  assert.match(line, /"column_0", "column_1", .*"column_9" and 9991 more/);
  assert.ok(line.length < 500, `${line.length} characters`);
});

test('control characters from the file are escaped and long cells cut short in messages', () => {
  const line = refused(`a,b,label\n1,2,dog\n3,\u0007\u001b[31mred\u009b\u202e,cat\n`);
  assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u202e]/);
  assert.match(line, /row 3, column "b": "\\u0007\\u001b\[31mred\\u009b\\u202e" is not a number/);
  const long = refused(`a,b,label\n1,2,dog\n3,${'x'.repeat(5000)},cat\n`);
  assert.match(long, /"x{40}…" is not a number$/);
  const hdr = refused(`a\u001b[2J,b,label\n1,2,dog\n`);
  assert.match(hdr, /column "a" is not in the CSV header, which has "a\\u001b\[2J", "b", "label"/);
  // NUL bytes: a binary file or UTF-16 text, said so rather than echoed.
  const bin = refused(`a,b,label\n\u0000\u0007\u001b[31m,2,dog\n`);
  assert.match(bin, /data\.csv: not a UTF-8 text file \(it contains NUL bytes/);
  assert.doesNotMatch(bin, /[\u0000-\u001f]/);
});

test('a malformed stored normalization is a bad model file: exit 1 naming the key, not exit 3', () => {
  const csv = `a,b,label\n${rows(8, good)}\n`;
  const cases: [unknown, RegExp][] = [
    [{ mean: [0, 0, 0], std: [1, 1, 1] }, /training\.dataset\.normalization\.mean has 3 values but the dataset has 2 features \("a", "b"\)/],
    [{ mean: [0], std: [1] }, /training\.dataset\.normalization\.mean has 1 value but the dataset has 2 features/],
    [{ mean: [0, 'x'], std: [1, 1] }, /training\.dataset\.normalization\.mean\[1\] must be a finite number, found "x"/],
    [{ mean: [0, 0], std: [1, 0] }, /training\.dataset\.normalization\.std\[1\] must be a positive finite number, found 0/],
    [{ mean: [0, 0], std: [-2, 1] }, /training\.dataset\.normalization\.std\[0\] must be a positive finite number, found -2/],
    [{ mean: [0, 0], std: ['1', 1] }, /training\.dataset\.normalization\.std\[0\] must be a positive finite number, found "1"/],
    [{ mean: [0, 0] }, /training\.dataset\.normalization\.std is missing/],
    [{ mean: [0, 0], std: [1] }, /training\.dataset\.normalization\.mean and \.std must have the same length, found 2 and 1/],
    [{ mean: 0, std: [1, 1] }, /training\.dataset\.normalization\.mean must be a list of finite numbers, one per feature, found 0/],
    [[1, 2], /training\.dataset\.normalization must be an object/],
  ];
  for (const [normalization, re] of cases) {
    const line = refused(csv, { normalization });
    assert.match(line, re, JSON.stringify(normalization));
    assert.doesNotMatch(line, /Input "x"/);
  }
  // A non-finite std (1e999 in the model text reads as Infinity).
  const sub = join(dir, 'inf');
  spawnSync('mkdir', ['-p', sub]);
  writeFileSync(join(sub, 'data.csv'), csv);
  writeFileSync(join(sub, 'm.nn.json'), JSON.stringify(model({ normalization: { mean: [0, 0], std: [1, 2] } })).replace('"std":[1,2]', '"std":[1,1e999]'));
  const r = cli('train', join(sub, 'm.nn.json'));
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /training\.dataset\.normalization\.std\[1\] must be a positive finite number, found Infinity/);
});

test('malformed stored classes are refused naming the key', () => {
  const csv = `a,b,label\n${rows(8, good)}\n`;
  assert.match(refused(csv, { classes: ['dog', 3] }), /training\.dataset\.classes\[1\] must be a string, found 3/);
  assert.match(refused(csv, { classes: ['dog', 'cat', 'dog'] }), /training\.dataset\.classes\[2\] repeats "dog" \(already at \[0\]\)/);
  assert.match(refused(csv, { classes: 'dog' }), /training\.dataset\.classes must be a non-empty list of class names/);
  assert.match(refused(csv, { classes: [] }), /training\.dataset\.classes must be a non-empty list of class names/);
  // The problems are found by readDatasetSpec itself, for the editor too.
  const { problems } = readDatasetSpec({ dataset: { source: 'csv', path: 'p.csv', label: 'y', classes: ['a', 'a'], normalization: { mean: [1], std: [0] } } });
  assert.deepEqual(problems, [
    'training.dataset.classes[1] repeats "a" (already at [0])',
    'training.dataset.normalization.std[0] must be a positive finite number, found 0',
  ]);
});

test('a constant feature column stores std 1, which a later run reads back', () => {
  const t = tableToDataset(
    {
      header: ['a', 'b', 'label'],
      rows: [
        ['1', '5', 'x'],
        ['2', '5', 'y'],
        ['3', '5', 'x'],
      ],
    },
    { source: 'csv', path: 'p.csv', label: 'label' },
  );
  assert.equal(t.normalization.std[1], 1);
  assert.deepEqual(
    readDatasetSpec({ dataset: { source: 'csv', path: 'p.csv', label: 'label', normalization: t.normalization, classes: t.classes } }).problems,
    [],
  );
});
