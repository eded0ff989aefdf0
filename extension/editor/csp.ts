// The webview's HTML and Content Security Policy. Pure functions (no `vscode` import) so tests can check them.
import { randomBytes } from 'node:crypto';

/** A fresh nonce for one webview: 128 random bits, base64url (letters, digits, '-' and '_'). */
export function makeNonce(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * The webview's Content Security Policy: nothing by default; scripts only with the nonce (no 'unsafe-eval',
 * no 'unsafe-inline'); styles from the extension or with the nonce; images and fonts from the extension; workers
 * only from blob: URLs (the WebGPU training worker, webview/gpu/runner.ts: a webview cannot start a worker from its
 * resource URLs). `cspSource` is `webview.cspSource`.
 */
export function buildCsp(cspSource: string, nonce: string): string {
  if (!/^[A-Za-z0-9+/_=-]{16,}$/.test(nonce)) throw new Error('buildCsp: a nonce needs at least 16 base64 characters');
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    'worker-src blob:',
  ].join('; ');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface WebviewHtmlOptions {
  cspSource: string;
  nonce: string;
  /** `webview.asWebviewUri(dist/webview.js)`, as a string. */
  scriptUri: string;
  /**
   * `webview.asWebviewUri(dist/webview.css)`: linked in the head so it loads while the script does (the script
   * adds the link itself when the page has none, later).
   */
  styleUri?: string;
  title: string;
}

/**
 * The page that hosts dist/webview.js. The script is deferred in the head rather than placed at the end of the
 * body: its download then starts as the head is parsed, not after every inline script VS Code or a test puts
 * before it has run (those wait for the stylesheet): measured, the request went out at ~20 ms instead of ~100 ms.
 */
export function renderWebviewHtml({ cspSource, nonce, scriptUri, styleUri, title }: WebviewHtmlOptions): string {
  const n = escapeHtml(nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(buildCsp(cspSource, nonce))}">
<meta property="csp-nonce" content="${n}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
${styleUri ? `<link rel="stylesheet" href="${escapeHtml(styleUri)}">\n` : ''}<script nonce="${n}" src="${escapeHtml(scriptUri)}" defer></script>
</head>
<body>
<div id="root" data-state="loading">Loading model…</div>
</body>
</html>
`;
}
