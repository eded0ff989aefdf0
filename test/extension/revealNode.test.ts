// The Problems panel's link to a node: a diagnostic about a node carries a `command:` URI of
// backpropStudio.revealNode as its code's target; following it opens the graph editor and sends the webview a
// revealNode for that node, held back until the webview is ready. The bundled extension, VS Code faked
// (host-harness.ts); test/vscode/suite/problems.test.ts follows the same link in a real VS Code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FakeUri, startHost, type Host } from './host-harness';

const XOR = readFileSync('examples/xor.nn.json', 'utf8');
/** fc2's input edge removed: "input port 0 of fc2 is not connected". */
const UNWIRED = XOR.replace('{ "from": "act1", "to": "fc2" },', '');
const URI = FakeUri.file('/ws/xor.nn.json');
const COMMAND = 'backpropStudio.revealNode';

interface Link {
  value: string;
  target: FakeUri;
}

/** The diagnostics of `uri` whose code is a link, and where their links lead. */
function links(host: Host, uri: FakeUri): { code: string; command: string; args: unknown[] }[] {
  return (host.diagnostics.get(uri.toString()) ?? []).flatMap((d) => {
    if (typeof d.code !== 'object' || d.code === null) return [];
    const { value, target } = d.code as Link;
    assert.equal(target.scheme, 'command');
    return [{ code: value, command: target.path, args: JSON.parse(target.query) as unknown[] }];
  });
}

test('a diagnostic about a node links to backpropStudio.revealNode with the model and the node', async () => {
  const host = await startHost();
  await host.open(URI, UNWIRED);
  const [link, ...more] = links(host, URI);
  assert.deepEqual(more, []);
  assert.equal(link!.code, 'missing-input');
  assert.equal(link!.command, COMMAND);
  // The model goes as its parts (a URI string would not survive the link's decoding).
  const [model, nodeId] = link!.args as [{ scheme: string; path: string }, string];
  assert.deepEqual([model.scheme, model.path, nodeId], ['file', '/ws/xor.nn.json', 'fc2']);
});

test('a diagnostic about no node keeps a plain code', async () => {
  const host = await startHost();
  await host.open(URI, XOR.replace('"lr": 0.01', '"lr": "fast"'));
  const [d] = host.diagnostics.get(URI.toString())!;
  assert.ok(d, 'the bad learning rate is reported');
  assert.equal(typeof d.code, 'string');
});

test('following the link opens the graph editor and reveals the node once the webview is ready', async () => {
  const host = await startHost();
  const e = await host.open(URI, UNWIRED);
  const [link] = links(host, URI);
  const run = host.rec.commands.get(link!.command)!;
  // Before the webview has loaded, the reveal waits for it.
  assert.equal(await run(...link!.args), 1, 'one graph editor was told');
  assert.deepEqual(host.rec.executed.at(-1), { command: 'vscode.openWith', args: [URI, 'backpropStudio.graphEditor', undefined] });
  assert.deepEqual(e.posts('revealNode'), []);
  e.send({ type: 'ready' });
  assert.deepEqual(e.posts('revealNode'), [{ type: 'revealNode', nodeId: 'fc2' }]);
  const types = e.webview.posted.map((m) => m.type);
  assert.ok(types.lastIndexOf('document') < types.indexOf('revealNode'), 'the document goes first');
  // A ready webview gets it at once; a Uri or a URI string works as well as the link's parts.
  await run(URI, 'fc1');
  await run(URI.toString(), 'fc1');
  assert.deepEqual(e.posts('revealNode').slice(1), [
    { type: 'revealNode', nodeId: 'fc1' },
    { type: 'revealNode', nodeId: 'fc1' },
  ]);
  assert.deepEqual(host.rec.messages, []);
});

test('every graph editor on the model is told; one on another model is not', async () => {
  const host = await startHost();
  const a = await host.open(URI, XOR);
  const b = await host.openAnother(a.doc);
  const other = await host.open(FakeUri.file('/ws/other.nn.json'), XOR);
  for (const e of [a, b, other]) e.send({ type: 'ready' });
  assert.equal(await host.rec.commands.get(COMMAND)!(URI.toString(), 'act1'), 2);
  assert.deepEqual(
    [a, b, other].map((e) => e.posts('revealNode').length),
    [1, 1, 0],
  );
});

test('a node the model no longer has is named in a message and not sent; bad arguments fail with a reason', async () => {
  const host = await startHost();
  const e = await host.open(URI, XOR);
  e.send({ type: 'ready' });
  const run = host.rec.commands.get(COMMAND)!;
  assert.equal(await run(URI.toString(), 'gone'), 0);
  assert.match(host.rec.messages.at(-1)!.text, /xor\.nn\.json has no node "gone"/);
  await run();
  assert.match(host.rec.messages.at(-1)!.text, /^Backprop Studio: Show Node in Graph Editor failed: it needs the model file/);
  await run(URI.toString(), 42);
  assert.match(host.rec.messages.at(-1)!.text, /failed: it needs the id of a node/);
  assert.deepEqual(e.posts('revealNode'), []);
});

test('a graph editor hidden since it was ready waits for the webview to load again', async () => {
  const host = await startHost();
  const e = await host.open(URI, XOR);
  e.send({ type: 'ready' });
  e.setVisible(false);
  await host.rec.commands.get(COMMAND)!(URI.toString(), 'fc1');
  assert.deepEqual(e.posts('revealNode'), [], 'posted to an unloaded webview, it would be lost');
  e.setVisible(true);
  e.send({ type: 'ready' });
  assert.deepEqual(e.posts('revealNode'), [{ type: 'revealNode', nodeId: 'fc1' }]);
});
