/**
 * The extension's log: Output → "Backprop Studio". What a run did and how long each part took, so a person
 * (or the end-to-end test) can tell a slow worker from a slow UI. Created on first use.
 */
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Backprop Studio', { log: true });
  return channel;
}

export function disposeLog(): void {
  channel?.dispose();
  channel = undefined;
}
