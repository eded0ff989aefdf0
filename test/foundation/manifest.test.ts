// The manifest (package.json) agrees with what the bundled extension does, and the webview's CSP is strict.
// Needs the build (`npm test` builds first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildCsp, makeNonce, renderWebviewHtml } from '../../extension/editor/csp';
import { loadExtension } from './fake-vscode';

interface Manifest {
  name: string;
  publisher: string;
  main: string;
  icon: string;
  activationEvents?: string[];
  engines: { vscode: string };
  devDependencies: Record<string, string>;
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    customEditors: { viewType: string; selector: { filenamePattern: string }[]; priority?: string }[];
    jsonValidation: { fileMatch: string | string[]; url: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
  };
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;
const contributed = pkg.contributes.commands.map((c) => c.command);
const VIEW_TYPE = 'backpropStudio.graphEditor';

test('main points at the bundled host, which the build wrote', () => {
  assert.equal(pkg.main, './dist/extension.js');
  assert.ok(existsSync(resolve(pkg.main)), `${pkg.main} is missing: run npm run build`);
});

test('activation is lazy: no "*" and no onStartupFinished', () => {
  for (const e of pkg.activationEvents ?? []) {
    assert.notEqual(e, '*');
    assert.notEqual(e, 'onStartupFinished');
  }
});

test('every contributed command is in category "Backprop Studio" with a title', () => {
  assert.ok(contributed.length >= 5);
  for (const c of pkg.contributes.commands) {
    assert.equal(c.category, 'Backprop Studio', c.command);
    assert.ok(c.title, c.command);
    assert.match(c.command, /^backpropStudio\./);
  }
  for (const id of ['newModel', 'train', 'stopTraining', 'exportTypeScript', 'exportPyTorch', 'exportOnnx', 'openAsText']) {
    assert.ok(contributed.includes(`backpropStudio.${id}`), `backpropStudio.${id} is not contributed`);
  }
});

test('menus name only contributed commands', () => {
  for (const [menu, items] of Object.entries(pkg.contributes.menus ?? {})) {
    for (const item of items) assert.ok(contributed.includes(item.command), `${menu}: ${item.command} is not contributed`);
  }
});

test('the custom editor opens *.nn.json files', () => {
  const editor = pkg.contributes.customEditors.find((e) => e.viewType === VIEW_TYPE);
  assert.ok(editor, `${VIEW_TYPE} is not contributed`);
  assert.ok(editor.selector.some((s) => s.filenamePattern === '*.nn.json'));
  assert.equal(editor.priority, 'default');
});

test('engines.vscode and @types/vscode agree (vsce refuses a newer @types/vscode)', () => {
  const engine = pkg.engines.vscode
    .replace(/^[\^~]/, '')
    .split('.')
    .map(Number);
  const types = pkg.devDependencies['@types/vscode']!.replace(/^[\^~]/, '')
    .split('.')
    .map(Number);
  assert.ok(types[0]! < engine[0]! || (types[0] === engine[0] && types[1]! <= engine[1]!), `${types.join('.')} > ${engine.join('.')}`);
});

test('the icon is a 128×128 PNG', () => {
  const png = readFileSync(pkg.icon);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.readUInt32BE(16), 128);
  assert.equal(png.readUInt32BE(20), 128);
});

test("jsonValidation's schema is in dist after the build", (t) => {
  const v = pkg.contributes.jsonValidation.find((j) => [j.fileMatch].flat().includes('*.nn.json'));
  assert.ok(v, 'no jsonValidation entry for *.nn.json');
  assert.equal(v.url, './dist/nn-graph.schema.json');
  if (!existsSync('engine/graph/schema.ts')) {
    t.skip('engine/graph/schema.ts (which the build turns into the schema) does not exist yet');
    return;
  }
  assert.ok(existsSync(resolve(v.url)), `${v.url} is missing after the build`);
  const schema = JSON.parse(readFileSync(resolve(v.url), 'utf8')) as Record<string, unknown>;
  assert.equal(typeof schema, 'object');
});

test('activate() registers every contributed command and the custom editor, and nothing else', async () => {
  const { rec, context } = await loadExtension();
  assert.deepEqual([...rec.commands.keys()].sort(), [...contributed].sort());
  assert.ok(rec.customEditors.has(VIEW_TYPE), 'the graph editor provider is not registered');
  assert.deepEqual(
    [...rec.customEditors.keys()],
    pkg.contributes.customEditors.map((e) => e.viewType),
  );
  // Everything registered is disposed with the extension.
  assert.ok(context.subscriptions.length >= contributed.length + 1);
  for (const d of context.subscriptions) d.dispose();
  assert.equal(rec.commands.size, 0);
  assert.equal(rec.customEditors.size, 0);
});

test('the CSP: default-src none, nonce-only scripts, no unsafe-eval or unsafe-inline', () => {
  const nonce = makeNonce();
  const source = 'https://*.vscode-cdn.net';
  const csp = buildCsp(source, nonce);
  assert.doesNotMatch(csp, /unsafe-eval/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  const directives = new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  );
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  assert.deepEqual(directives.get('script-src'), [`'nonce-${nonce}'`]);
  assert.deepEqual(directives.get('style-src'), [source, `'nonce-${nonce}'`]);
  assert.deepEqual(directives.get('img-src'), [source, 'data:']);
  assert.deepEqual(directives.get('font-src'), [source]);
  // Workers only from blob: URLs (the WebGPU training worker): not from the extension, not from anywhere.
  assert.deepEqual(directives.get('worker-src'), ['blob:']);
  assert.equal(directives.size, 6, `no other directive: ${csp}`);
  assert.ok(!directives.has('connect-src'));
});

test('nonces are fresh and long enough', () => {
  const a = makeNonce();
  const b = makeNonce();
  assert.notEqual(a, b);
  assert.ok(a.length >= 22);
  assert.throws(() => buildCsp('x', 'short'));
});

test('the webview page carries the CSP and loads its script with the nonce', () => {
  const nonce = makeNonce();
  const html = renderWebviewHtml({ cspSource: 'vscode-resource:', nonce, scriptUri: 'https://file+.vscode-resource/x/dist/webview.js', title: 'a<b>.nn.json' });
  assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${buildCsp('vscode-resource:', nonce).replace(/'/g, '&#39;')}">`));
  assert.match(html, new RegExp(`<script nonce="${nonce}" src="https://file\\+\\.vscode-resource/x/dist/webview\\.js" defer></script>`));
  // Every <script> and <style> has the nonce; no inline event handlers or style attributes.
  for (const m of html.matchAll(/<(script|style)\b([^>]*)>/g)) assert.ok(m[2]!.includes(`nonce="${nonce}"`), m[0]);
  assert.doesNotMatch(html, /\son\w+=/);
  assert.doesNotMatch(html, /\sstyle=/);
  assert.ok(html.includes('a&lt;b&gt;.nn.json'), 'the title is escaped');
});
