// The inline dataset (training.dataset.rows): rows stored in the model file, checked like a CSV file's cells,
// capped, bound to the Input and Target like every other source, and trained without a validation split by default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GraphModel,
  buildDataset,
  buildJsonSchema,
  readDatasetSpec,
  readTrainingSettings,
  splitDataset,
  INLINE_MAX_ROWS,
  INLINE_MAX_VALUES,
  type DatasetJson,
} from '../../engine';

const XOR_ROWS = [
  [0, 0, 0],
  [0, 1, 1],
  [1, 0, 1],
  [1, 1, 0],
];

/** Input x [inputs] → Linear → the loss on Target y: CrossEntropyLoss (int32 classes), BCEWithLogitsLoss or MSELoss. */
function model(dataset: Record<string, unknown>, opts: { loss?: string; inputs?: number[]; classes?: number; extra?: Record<string, unknown> } = {}) {
  const loss = opts.loss ?? 'CrossEntropyLoss';
  const classify = loss === 'CrossEntropyLoss';
  return {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: opts.inputs ?? [2] } },
      ...(opts.inputs && opts.inputs.length > 1 ? [{ id: 'flat', op: 'Flatten' }] : []),
      { id: 'fc', op: 'Linear', attrs: { outFeatures: classify ? (opts.classes ?? 2) : 1 } },
      { id: 'y', op: 'Target', attrs: classify ? { shape: [], dtype: 'int32' } : { shape: [1] } },
      { id: 'loss', op: loss },
    ],
    edges: [
      ...(opts.inputs && opts.inputs.length > 1
        ? [
            { from: 'x', to: 'flat' },
            { from: 'flat', to: 'fc' },
          ]
        : [{ from: 'x', to: 'fc' }]),
      { from: 'fc', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: { seed: 0, dataset: { source: 'inline', ...dataset }, ...opts.extra },
  };
}

function build(json: ReturnType<typeof model>) {
  const { spec, problems } = readDatasetSpec(json.training);
  assert.deepEqual(problems, []);
  return buildDataset(GraphModel.create(JSON.stringify(json)), spec!);
}

const problemsOf = (dataset: Record<string, unknown>) => readDatasetSpec({ dataset: { source: 'inline', ...dataset } }).problems;

test("the XOR truth table as inline rows: each row is the Input's values then the label, used as written", () => {
  const d = build(model({ rows: XOR_ROWS }));
  assert.equal(d.n, 4);
  assert.deepEqual(d.inputShape, [2]);
  assert.deepEqual(Array.from(d.inputs), [0, 0, 0, 1, 1, 0, 1, 1], 'no normalisation: the values the file holds');
  assert.equal(d.targetDtype, 'int32');
  assert.deepEqual(Array.from(d.targets), [0, 1, 1, 0]);
  assert.deepEqual(d.classes, ['0', '1']);
  assert.equal(d.normalization, undefined);
  // An Input of any shape takes its values row-major; a float32 Target any finite value (regression).
  const grid = build(
    model(
      {
        rows: [
          [1, 2, 3, 4, -0.5],
          [5, 6, 7, 8, 1e3],
        ],
      },
      { loss: 'MSELoss', inputs: [2, 2] },
    ),
  );
  assert.deepEqual(Array.from(grid.inputs), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(Array.from(grid.targets), [-0.5, 1000]);
  assert.equal(grid.targetDtype, 'float32');
  assert.equal(grid.classes, undefined);
});

test('bad rows are refused with a message naming the key, the row and the value', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{}, /^training\.dataset\.rows is required for an inline dataset: a list of rows, each the Input's values then the label/],
    [{ rows: 'a.csv' }, /^training\.dataset\.rows must be a list of rows, .* found "a\.csv"/],
    [{ rows: [] }, /^training\.dataset\.rows is empty: an inline dataset needs at least one row/],
    [{ rows: [[0, 0, 0], 5] }, /^training\.dataset\.rows\[1\] must be a list of numbers \(the Input's values, then the label\), found 5/],
    [{ rows: [[1]] }, /^training\.dataset\.rows\[0\] has 1 value: a row needs at least one input value and then the label/],
    [
      {
        rows: [
          [0, 0, 0],
          [0, 1],
        ],
      },
      /^training\.dataset\.rows\[1\] has 2 values but training\.dataset\.rows\[0\] has 3: every row holds the Input's values, then the label/,
    ],
    [
      {
        rows: [
          [0, 0, 0],
          [0, '1', 1],
        ],
      },
      /^training\.dataset\.rows\[1\]\[1\] must be a finite number, found "1"/,
    ],
    [{ rows: [[0, null, 0]] }, /^training\.dataset\.rows\[0\]\[1\] must be a finite number, found null/],
    [{ rows: [[0, 0, 1e39]] }, /^training\.dataset\.rows\[0\]\[2\] is beyond the float32 range \(magnitudes up to about 3\.4e38\), found 1e\+39/],
  ];
  for (const [dataset, want] of cases) {
    const p = problemsOf(dataset);
    assert.equal(p.length, 1, `${JSON.stringify(dataset)}: ${p.join(' | ')}`);
    assert.match(p[0], want);
  }
  // JSON's 1e999 reads as Infinity.
  const parsed = JSON.parse('{"rows": [[0, 1e999, 1]]}') as Record<string, unknown>;
  assert.match(problemsOf(parsed)[0], /^training\.dataset\.rows\[0\]\[1\] must be a finite number, found Infinity/);
  // The same refusal reaches whoever builds the dataset without reading the spec first.
  const json = model({ rows: [[0, 'x', 0]] });
  assert.throws(
    () => buildDataset(GraphModel.create(JSON.stringify(json)), json.training.dataset as unknown as DatasetJson),
    /rows\[0\]\[1\] must be a finite number/,
  );
  // Rows left over from an inline set under another source are not its business.
  assert.deepEqual(readDatasetSpec({ dataset: { source: 'circle', rows: 'left over' } }).problems, []);
});

test('an inline dataset is capped at 1 000 rows and 10 000 values, refused above with the key named', () => {
  assert.equal(INLINE_MAX_ROWS, 1000);
  assert.equal(INLINE_MAX_VALUES, 10_000);
  assert.deepEqual(problemsOf({ rows: Array.from({ length: 1000 }, (_, i) => [i, i % 2]) }), []);
  assert.deepEqual(problemsOf({ rows: Array.from({ length: 1001 }, (_, i) => [i, i % 2]) }), [
    'training.dataset.rows has 1 001 rows; an inline dataset holds at most 1 000 (use a CSV file for more)',
  ]);
  // 500 rows of 21 values: under the row cap, over the value cap.
  assert.deepEqual(problemsOf({ rows: Array.from({ length: 500 }, () => Array(21).fill(0)) }), [
    'training.dataset.rows holds more than 10 000 values; an inline dataset holds at most 10 000 (use a CSV file for more)',
  ]);
  // The caps are checked before any value: a huge hostile row is refused without walking it.
  assert.match(problemsOf({ rows: [Array(2_000_000).fill('x')] })[0], /holds more than 10 000 values/);
});

test("rows are checked against the model: the Input's size, class indices for an int32 Target, probabilities for BCE", () => {
  const fails = (json: ReturnType<typeof model>, want: RegExp) => {
    const { spec, problems } = readDatasetSpec(json.training);
    assert.deepEqual(problems, []);
    assert.throws(() => buildDataset(GraphModel.create(JSON.stringify(json)), spec!), want);
  };
  fails(
    model({ rows: [[0, 0, 0, 1]] }),
    /^Error: training\.dataset\.rows have 4 values a row \(3 input values and the label\) but Input "x" has shape \[2\] \(2 values\): each row holds the Input's 2, then the label$/,
  );
  fails(
    model({ rows: [[0, 0, 1]] }, { inputs: [2, 2] }),
    /rows have 3 values a row \(2 input values and the label\) but Input "x" has shape \[2, 2\] \(4 values\)/,
  );
  fails(
    model({
      rows: [
        [0, 0, 0],
        [0, 1, 0.5],
      ],
    }),
    /^Error: training\.dataset\.rows\[1\]\[2\]: the label must be a class index \(0, 1, 2, …\) for the int32 Target "y", found 0\.5$/,
  );
  fails(model({ rows: [[0, 0, -1]] }), /rows\[0\]\[2\]: the label must be a class index .* found -1/);
  fails(
    model({
      rows: [
        [0, 0, 0],
        [1, 1, 2],
      ],
    }),
    /^Error: training\.dataset\.rows\[1\]\[2\]: class 2 is not one of the 2 classes \(0 to 1\) that "loss" \(CrossEntropyLoss\) scores$/,
  );
  fails(model({ rows: [[0, 0, 2]] }, { loss: 'BCEWithLogitsLoss' }), /rows\[0\]\[2\]: the label must be from 0 to 1 for "loss" \(BCEWithLogitsLoss\), found 2/);
  // The Target holds one value a sample, as for every source.
  const wideTarget = model({ rows: [[0, 0, 0]] }, { loss: 'MSELoss' });
  wideTarget.nodes.find((n) => n.id === 'fc')!.attrs = { outFeatures: 2 };
  wideTarget.nodes.find((n) => n.id === 'y')!.attrs = { shape: [2] };
  fails(wideTarget, /Target "y" must hold one value per sample \(shape \[\] or \[1\]\) for the inline dataset, found \[2\]/);
  // Three classes scored: label 2 is fine.
  assert.deepEqual(
    Array.from(
      build(
        model(
          {
            rows: [
              [0, 0, 2],
              [1, 1, 0],
            ],
          },
          { classes: 3 },
        ),
      ).targets,
    ),
    [2, 0],
  );
  assert.deepEqual(
    build(
      model(
        {
          rows: [
            [0, 0, 2],
            [1, 1, 0],
          ],
        },
        { classes: 3 },
      ),
    ).classes,
    ['0', '1', '2'],
  );
  // BCE on 0/1 (or soft) labels is classification.
  assert.deepEqual(
    build(
      model(
        {
          rows: [
            [0, 0, 0.25],
            [1, 1, 1],
          ],
        },
        { loss: 'BCEWithLogitsLoss' },
      ),
    ).classes,
    ['0', '1'],
  );
  // Input features are for the generated 2-D sets only.
  assert.match(readDatasetSpec({ dataset: { source: 'inline', rows: XOR_ROWS, inputFeatures: ['x1'] } }).problems[0], /inputFeatures/);
});

test('inline rows train on every row unless the model asks for a validation split', () => {
  // Absent: no split for inline rows, a fifth for every other source.
  assert.equal(readTrainingSettings({ dataset: { source: 'inline', rows: XOR_ROWS } }).validationSplit, 0);
  assert.equal(readTrainingSettings({ dataset: { source: 'circle' } }).validationSplit, 0.2);
  assert.equal(readTrainingSettings({}).validationSplit, 0.2);
  const four = build(model({ rows: XOR_ROWS }));
  const split = splitDataset(four, readTrainingSettings(model({ rows: XOR_ROWS }).training).validationSplit, 0);
  assert.equal(split.train.n, 4);
  assert.equal(split.validation, null);
  // An explicit split is honoured...
  const asked = model({ rows: XOR_ROWS }, { extra: { validationSplit: 0.25 } });
  const held = splitDataset(four, readTrainingSettings(asked.training).validationSplit, 0);
  assert.deepEqual([held.train.n, held.validation?.n], [3, 1]);
  // ...but never takes the last row: one row always trains.
  const one = build(model({ rows: [[2, 0, 1]] }, { loss: 'MSELoss' }));
  const s = splitDataset(one, 0.5, 0);
  assert.deepEqual([s.train.n, s.validation], [1, null]);
});

test("the JSON Schema knows the inline source, its rows and the model's description", () => {
  const schema = buildJsonSchema() as {
    properties: {
      description: { type: string };
      training: { properties: { dataset: { properties: { source: { enum: string[] }; rows: { maxItems: number; items: { items: { type: string } } } } } } };
    };
  };
  const ds = schema.properties.training.properties.dataset.properties;
  assert.ok(ds.source.enum.includes('inline') && ds.source.enum.includes('csv'));
  assert.equal(ds.rows.maxItems, 1000);
  assert.equal(ds.rows.items.items.type, 'number');
  assert.equal(schema.properties.description.type, 'string');
});
