// The webview's CSS is bundled to dist/webview.css next to dist/webview.js (React Flow's styles, codicons, ours).
// When the page has no <link> to it, add one, resolved against this script's own URL: a stylesheet from the
// extension's folder is what the CSP's style-src (webview.cspSource) allows, and the codicon font beside it is
// what font-src allows. The app renders once the sheet has loaded, so React Flow measures styled nodes.
const script = document.currentScript as HTMLScriptElement | null; // only set while the bundle first runs

export function loadStylesheet(timeoutMs = 3000): Promise<void> {
  const existing = document.querySelector<HTMLLinkElement>('link[rel="stylesheet"][href*="webview.css"]');
  if (existing?.sheet || !script?.src) return Promise.resolve();
  const link = existing ?? document.createElement('link');
  const loaded = new Promise<void>((resolve) => {
    link.addEventListener('load', () => resolve(), { once: true });
    link.addEventListener('error', () => resolve(), { once: true });
    setTimeout(resolve, timeoutMs);
  });
  if (!existing) {
    link.rel = 'stylesheet';
    link.href = new URL('webview.css', script.src).href;
    document.head.appendChild(link);
  }
  return loaded;
}
