// Shared by the integration suites (bundled into each): the extension, scratch folders, waiting, stubs.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'backprop-studio.backprop-studio';
export const VIEW_TYPE = 'backpropStudio.graphEditor';
/** Registered by the extension only in ExtensionMode.Test (extension/testHooks.ts). */
export const TEST_WEBVIEW_MESSAGE_COMMAND = 'backpropStudio.test.webviewMessage';

export function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded`);
  return ext;
}

/** The repository (the extension under development). */
export const repoRoot = (): string => extension().extensionPath;

const scratch: string[] = [];

/** A fresh folder in the test workspace (the runners open a throw-away one), else in the temp folder. */
export function scratchDir(name: string): string {
  const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? tmpdir();
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, `bps-${name}-`));
  scratch.push(dir);
  return dir;
}

/** Removes the folders scratchDir made (after a suite, once its editors are closed). */
export function removeScratchDirs(): void {
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `fn` until it returns something truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** The graph editor tab showing `uri`, if one is open. */
export function graphEditorTab(uri: vscode.Uri): vscode.Tab | undefined {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .find((t) => t.input instanceof vscode.TabInputCustom && t.input.viewType === VIEW_TYPE && t.input.uri.toString() === uri.toString());
}

export async function openInGraphEditor(uri: vscode.Uri): Promise<vscode.Tab> {
  await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
  return waitFor(`a graph editor tab on ${uri.fsPath}`, () => graphEditorTab(uri));
}

/** The open TextDocument of `uri` (what the custom text editor edits). */
export function openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
}

/** Replaces `obj[key]` until the returned function is called (vscode.window's dialogs: no one answers them here). */
export function stub<T extends object, K extends keyof T>(obj: T, key: K, value: T[K]): () => void {
  const original = obj[key];
  obj[key] = value;
  return () => {
    obj[key] = original;
  };
}

/** Answers the next quick picks with `choose(items)` (nobody is there to pick) until the returned function is called. */
export function stubQuickPick<T extends vscode.QuickPickItem>(choose: (items: readonly T[]) => T | undefined): () => void {
  const answer = async (items: readonly T[] | Thenable<readonly T[]>) => choose(await items);
  return stub(vscode.window, 'showQuickPick', answer as unknown as typeof vscode.window.showQuickPick);
}

/** Answers the next save dialogs with `uri` until the returned function is called. */
export function stubSaveDialog(uri: vscode.Uri | undefined): () => void {
  return stub(vscode.window, 'showSaveDialog', async () => uri);
}

/** Leaves the window clean between tests: dirty documents saved (no "save?" dialog can block), editors closed. */
export async function closeAllEditors(): Promise<void> {
  for (const d of vscode.workspace.textDocuments) if (d.isDirty && !d.isUntitled) await d.save();
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export const readBytes = (path: string): Buffer => readFileSync(path);

export const xorExample = (): string => readFileSync(join(repoRoot(), 'examples', 'xor.nn.json'), 'utf8');
