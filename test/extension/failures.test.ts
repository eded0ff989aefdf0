// A failure in a command or in work the extension starts without waiting for it (the training panel's buttons,
// a closing document) reaches the user as "Backprop Studio: <what> failed: <message>", with no stack, and the
// log (Output → Backprop Studio) with its stack; never an unhandled promise rejection (host-harness.ts fails
// the file on any). The real bundle in the host harness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { encodeSafetensors } from '../../engine';
import { FakeUri, startHost, type Host } from './host-harness';

const WS = FakeUri.file('/ws');
const XOR = readFileSync('examples/xor.nn.json', 'utf8');
const errors = (host: Host) => host.rec.messages.filter((m) => m.level === 'error').map((m) => m.text);
const boom = () => Object.assign(new Error("EACCES: permission denied, unlink '/ws/xor.safetensors'"), { code: 'NoPermissions' });
const sidecar = () => encodeSafetensors({ 'fc1.bias': { dtype: 'F32', shape: [8], data: new Float32Array(8) } });

test('Reset weights from the training panel that fails after the user confirms says so, and logs it', async () => {
  const host = await startHost({ workspaceFolder: WS });
  (host.vscode.window as Record<string, unknown>).showWarningMessage = async () => 'Reset';
  const fs = (host.vscode.workspace as { fs: Record<string, unknown> }).fs;
  fs.delete = async () => {
    throw boom();
  };
  host.files.set('file:///ws/xor.safetensors', sidecar());
  const editor = await host.open(FakeUri.file('/ws/xor.nn.json'), XOR);
  editor.send({ type: 'trainingControl', action: 'reset' });
  await host.settle();
  assert.deepEqual(errors(host), ["Backprop Studio: Reset weights failed: EACCES: permission denied, unlink '/ws/xor.safetensors'"]);
  const logged = host.rec.log.filter((l) => l.startsWith('[error]'));
  assert.equal(logged.length, 1, host.rec.log.join('\n'));
  assert.match(logged[0]!, /^\[error\] Backprop Studio: Reset weights failed: Error: EACCES: permission denied.*\n\s+at /s);
});

test('every command reports its own failure by its title, and its promise resolves', async () => {
  const host = await startHost({ workspaceFolder: WS });
  const window = host.vscode.window as Record<string, unknown>;
  // What every handler reaches first fails: the active tab (no resource given), the template picker.
  Object.defineProperty(window, 'tabGroups', {
    get: () => {
      throw new Error('the tabs are gone');
    },
    configurable: true,
  });
  window.showQuickPick = async () => {
    throw new Error('the picker is gone');
  };
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { commands: { command: string; title: string }[] } };
  const titles = new Map(pkg.contributes.commands.map((c) => [c.command, c.title]));
  assert.deepEqual([...host.rec.commands.keys()].sort(), [...titles.keys()].sort());
  for (const [id, handler] of host.rec.commands) {
    host.rec.messages.length = 0;
    await assert.doesNotReject(Promise.resolve(handler()), id);
    // Show Node in Graph Editor (the Problems panel's link) is never run without its arguments: it says so first.
    const expected =
      id === 'backpropStudio.newModel'
        ? 'the picker is gone'
        : id === 'backpropStudio.revealNode'
          ? 'it needs the model file as its first argument'
          : 'the tabs are gone';
    assert.deepEqual(errors(host), [`Backprop Studio: ${titles.get(id)} failed: ${expected}`], id);
    assert.ok(
      host.rec.log.some((l) => l.startsWith(`[error] Backprop Studio: ${titles.get(id)} failed: Error: ${expected}\n`)),
      id,
    );
  }
});

test('a training-panel button whose work fails reports it (Train on a document that cannot be read)', async () => {
  const host = await startHost({ workspaceFolder: WS });
  const editor = await host.open(FakeUri.file('/ws/xor.nn.json'), XOR);
  // The document's text cannot be had (a broken file system provider, say).
  editor.doc.getText = () => {
    throw new Error('the document is unavailable');
  };
  editor.send({ type: 'trainingControl', action: 'start' });
  await host.settle();
  assert.deepEqual(errors(host), ['Backprop Studio: Train failed: the document is unavailable']);
});
