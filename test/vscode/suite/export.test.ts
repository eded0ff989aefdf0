// Export to TypeScript writes modules that compile with the repository's TypeScript under --strict.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { closeAllEditors, removeScratchDirs, repoRoot, scratchDir, stubQuickPick, stubSaveDialog, xorExample } from './helpers';

async function exportAs(model: vscode.Uri, target: 'engine' | 'standalone', out: string): Promise<vscode.Uri[]> {
  const restore = [
    stubQuickPick<vscode.QuickPickItem & { target?: string }>((items) => items.find((i) => i.target === target)),
    stubSaveDialog(vscode.Uri.file(out)),
  ];
  try {
    const written = await vscode.commands.executeCommand<vscode.Uri[] | undefined>('backpropStudio.exportTypeScript', model);
    assert.ok(written, `Export (${target}) wrote nothing`);
    return written;
  } finally {
    restore.forEach((r) => r());
  }
}

/** tsc from the repository's node_modules, run by this extension host's own Node (Electron as Node under test-electron). */
function tsc(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  const bin = join(repoRoot(), 'node_modules', 'typescript', 'bin', 'tsc');
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 90_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe('export', () => {
  afterEach(closeAllEditors);
  after(removeScratchDirs);

  it('Export to TypeScript writes modules that compile under tsc --strict', async function () {
    this.timeout(120_000);
    const dir = scratchDir('export');
    const model = JSON.parse(xorExample());
    delete model.weights;
    const file = join(dir, 'xor.nn.json');
    writeFileSync(file, JSON.stringify(model, null, 2) + '\n');
    const uri = vscode.Uri.file(file);

    const engine = await exportAs(uri, 'engine', join(dir, 'xor.engine.ts'));
    const standalone = await exportAs(uri, 'standalone', join(dir, 'xor.standalone.ts'));
    const written = [...engine, ...standalone].map((u) => u.fsPath);
    for (const f of ['xor.engine.ts', 'xor.standalone.ts'])
      assert.ok(written.includes(join(dir, f)) && existsSync(join(dir, f)), `${f} not written (wrote ${written.join(', ')})`);

    // The options test/export uses for generated code; no @types, no DOM.
    const compilerOptions = { strict: true, noEmit: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler', lib: ['es2022'], types: [] };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['xor.engine.ts', 'xor.standalone.ts'] }, null, 2));
    const { code, output } = await tsc(['-p', join(dir, 'tsconfig.json')], dir);
    assert.equal(code, 0, `tsc --strict failed:\n${output}`);
  });
});
