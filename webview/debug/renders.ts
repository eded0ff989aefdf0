// Render counters for the browser tests: in development builds (what `node esbuild.mjs` makes and the tests
// load) each counted component adds one to window.__bpsRenders[name] per render, so a test can check that a
// gradient update re-renders no node. esbuild replaces process.env.NODE_ENV, so production bundles drop it.
declare const process: { env: { NODE_ENV?: string } };

declare global {
  interface Window {
    __bpsRenders?: Record<string, number>;
  }
}

export function countRender(name: string): void {
  if (process.env.NODE_ENV === 'production') return;
  const r = (window.__bpsRenders ??= {});
  r[name] = (r[name] ?? 0) + 1;
}
