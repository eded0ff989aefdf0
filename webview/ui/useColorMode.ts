// Light or dark, from the theme class VS Code puts on <body> (vscode-light, vscode-dark, vscode-high-contrast,
// vscode-high-contrast-light), kept up to date when the theme changes. React Flow uses it for its defaults;
// everything we draw uses the theme's variables directly.
import { useEffect, useState } from 'react';
import type { ColorMode } from '@xyflow/react';

const read = (): ColorMode => {
  const c = document.body.classList;
  return c.contains('vscode-light') || c.contains('vscode-high-contrast-light') ? 'light' : 'dark';
};

export function useColorMode(): ColorMode {
  const [mode, setMode] = useState<ColorMode>(read);
  useEffect(() => {
    const observer = new MutationObserver(() => setMode(read()));
    observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    return () => observer.disconnect();
  }, []);
  return mode;
}
