import * as vscode from 'vscode';

/**
 * Whether a document cannot be written: the left side of a source-control diff (`git:`), other
 * content-provider schemes, or a read-only file system. `untitled:` documents are writable; any other scheme
 * is writable only when a writable file system serves it.
 */
export function isReadOnlyUri(uri: vscode.Uri): boolean {
  if (uri.scheme === 'untitled') return false;
  try {
    return vscode.workspace.fs.isWritableFileSystem(uri.scheme) !== true;
  } catch {
    return true;
  }
}
