// The link from a diagnostic to its node in the graph editor: a `command:` URI of backpropStudio.revealNode.
// A module of its own (vscode only) because the diagnostics, which the graph editor provider creates, build it
// and the command's module imports the provider.
import * as vscode from 'vscode';

export const REVEAL_NODE_COMMAND = 'backpropStudio.revealNode';

/** A model's URI as its parts, which survive the link's decoding (a URI string would not: see revealNodeTarget). */
export interface ModelUriParts {
  scheme: string;
  authority: string;
  path: string;
  query: string;
  fragment: string;
}

/**
 * `command:backpropStudio.revealNode?[{model uri parts},"<node id>"]`, the arguments as JSON, URI-encoded: what
 * VS Code's Problems panel opens (command links allowed) when the diagnostic's code is clicked. The panel's
 * link percent-decodes the arguments on the way (once or twice), so the model goes as its decoded parts: as a
 * URI string, a name with a space or `#` would come back as another URI (`%23` decoded to `#`, a fragment).
 */
export function revealNodeTarget(model: vscode.Uri, nodeId: string): vscode.Uri {
  const parts: ModelUriParts = { scheme: model.scheme, authority: model.authority, path: model.path, query: model.query, fragment: model.fragment };
  return vscode.Uri.parse(`command:${REVEAL_NODE_COMMAND}?${encodeURIComponent(JSON.stringify([parts, nodeId]))}`);
}
