// Check Gradients through the extension host (fake VS Code, the real bundled extension and its check worker): the
// palette command and the Inspector's message run the check off the host's thread on the model's dataset batch, and
// the result comes back as a notification, the table in the log, and gradCheck messages to the graph editor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeUri, startHost, type OpenEditor } from './host-harness';

const WS = FakeUri.file('/ws');
const model = (training: Record<string, unknown> = { seed: 0, batchSize: 8, dataset: { source: 'xor', size: 64 } }) =>
  JSON.stringify(
    {
      format: 'nn-graph',
      version: 1,
      nodes: [
        { id: 'x', op: 'Input', attrs: { shape: [2] } },
        { id: 'fc', op: 'Linear', attrs: { outFeatures: 4 } },
        { id: 'act', op: 'Tanh' },
        { id: 'head', op: 'Linear', attrs: { outFeatures: 2 } },
        { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
        { id: 'loss', op: 'CrossEntropyLoss' },
      ],
      edges: [
        { from: 'x', to: 'fc' },
        { from: 'fc', to: 'act' },
        { from: 'act', to: 'head' },
        { from: 'head', to: 'loss' },
        { from: 'y', to: 'loss', port: 1 },
      ],
      training,
    },
    null,
    2,
  );

type Check = {
  status: string;
  nodeId?: string;
  message?: string;
  progress?: { done: number; total: number };
  result?: {
    passed: boolean;
    tensors: { name: string; nodeId: string; status: string; checked: number }[];
    forwardPasses: number;
    checked: number;
    gradients: number;
  };
};
const checks = (e: OpenEditor) => e.posts('gradCheck') as Check[];

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(check(), what);
}

test('the palette command checks every tensor on the dataset batch: a notification, the table in the log, the result in the editor', async () => {
  const host = await startHost({ workspaceFolder: WS });
  const uri = FakeUri.file('/ws/m.nn.json');
  const editor = await host.open(uri, model());
  const result = (await host.rec.commands.get('backpropStudio.checkGradients')!(uri)) as { passed: boolean; tensors: { name: string }[] };
  assert.ok(result?.passed);
  assert.deepEqual(
    result.tensors.map((t) => t.name),
    ['x', 'fc.weight', 'fc.bias', 'head.weight', 'head.bias'],
  );
  const posted = checks(editor);
  assert.equal(posted[0].status, 'running');
  assert.ok(
    posted.some((m) => m.status === 'running' && m.progress && m.progress.done > 0),
    'progress after each tensor',
  );
  const done = posted.at(-1)!;
  assert.equal(done.status, 'done');
  assert.equal(done.nodeId, undefined);
  assert.deepEqual(
    done.result!.tensors.map((t) => [t.name, t.status]),
    [
      ['x', 'pass'],
      ['fc.weight', 'pass'],
      ['fc.bias', 'pass'],
      ['head.weight', 'pass'],
      ['head.bias', 'pass'],
    ],
  );
  // x is the batch of training.batchSize = 8 points: [8, 2], 16 entries, 16 checked (20 per tensor at most).
  assert.equal(done.result!.tensors[0].checked, 16);
  assert.equal(done.result!.forwardPasses, 2 * done.result!.checked);
  const note = host.rec.messages.at(-1)!;
  assert.equal(note.level, 'info');
  assert.match(
    note.text,
    /^Backprop Studio: Check Gradients on m\.nn\.json: all 5 tensors pass\. Backprop: 1 backward pass \([0-9.]+ ms\) for all 38 gradient values; finite differences: \d+ forward passes for \d+ of them, \d+× the time\.$/,
  );
  assert.ok(
    host.rec.log.some((l) => /gradient check of m\.nn\.json, \d+ ms:/.test(l) && /fc\.weight +fc +\[4, 2\] +8 /.test(l)),
    host.rec.log.join('\n'),
  );
  // An editor that opens later is shown the last result.
  const later = await host.openAnother(editor.doc);
  assert.equal(checks(later).at(-1)?.status, 'done');
});

test("the Inspector's message checks one node's tensors; a malformed one is refused", async () => {
  const host = await startHost({ workspaceFolder: WS });
  const uri = FakeUri.file('/ws/n.nn.json');
  const editor = await host.open(uri, model());
  editor.send({ type: 'checkGradients', nodeId: 'head' });
  await until(() => checks(editor).at(-1)?.status === 'done', 'the check is done');
  const done = checks(editor).at(-1)!;
  assert.equal(done.nodeId, 'head');
  assert.deepEqual(
    done.result!.tensors.map((t) => t.name),
    ['head.weight', 'head.bias'],
  );
  assert.match(host.rec.messages.at(-1)!.text, /Check Gradients on node "head" of n\.nn\.json: all 2 tensors pass/);

  editor.send({ type: 'checkGradients', nodeId: 'act' });
  await until(() => checks(editor).at(-1)?.status === 'failed', 'refused');
  assert.match(String(checks(editor).at(-1)!.message), /node "act" \(Tanh\) has no parameters or float input to check/);
  assert.match(host.rec.messages.at(-1)!.text, /^Backprop Studio: cannot check gradients: node "act"/);

  editor.send({ type: 'checkGradients', nodeId: '1 bad' });
  assert.match(String(editor.posts('editRejected').at(-1)?.reason), /checkGradients\.nodeId: "1 bad" is not a valid node id/);
  editor.send({ type: 'checkGradients', extra: 1 });
  assert.match(String(editor.posts('editRejected').at(-1)?.reason), /checkGradients: unexpected key "extra"/);
});

test('a model without a dataset is refused with a clear message, in a notification and in the editor', async () => {
  const host = await startHost({ workspaceFolder: WS });
  const uri = FakeUri.file('/ws/d.nn.json');
  const editor = await host.open(uri, model({ seed: 0 }));
  assert.equal(await host.rec.commands.get('backpropStudio.checkGradients')!(uri), undefined);
  assert.match(
    host.rec.messages.at(-1)!.text,
    /^Backprop Studio: cannot check gradients: d\.nn\.json has no dataset to take a batch from: choose one in the training panel \(training\.dataset\)$/,
  );
  assert.equal(host.rec.messages.at(-1)!.level, 'error');
  assert.equal(checks(editor).at(-1)?.status, 'failed');
});

test('cancelling the progress notification ends the check and says so', async () => {
  const host = await startHost({ workspaceFolder: WS });
  const uri = FakeUri.file('/ws/c.nn.json');
  const editor = await host.open(uri, model());
  // The notification's Cancel, pressed as soon as it shows.
  Object.assign(host.vscode.window as object, {
    withProgress: (_opts: unknown, task: (p: unknown, token: unknown) => Promise<unknown>) =>
      task(
        { report() {} },
        {
          onCancellationRequested: (cancel: () => void) => {
            cancel();
            return { dispose() {} };
          },
        },
      ),
  });
  assert.equal(await host.rec.commands.get('backpropStudio.checkGradients')!(uri), undefined);
  assert.deepEqual(
    checks(editor).map((m) => m.status),
    ['running', 'failed'],
  );
  assert.equal(checks(editor).at(-1)!.message, 'The check was cancelled.');
  // A new check runs after it.
  Object.assign(host.vscode.window as object, { withProgress: async () => undefined });
  assert.ok(((await host.rec.commands.get('backpropStudio.checkGradients')!(uri)) as { passed: boolean }).passed);
});
