import * as vscode from 'vscode';

/** What a command says until the issue that implements it lands. */
export async function comingLater(feature: string): Promise<void> {
  await vscode.window.showInformationMessage(`Backprop Studio: ${feature} arrives in a later version.`);
}
