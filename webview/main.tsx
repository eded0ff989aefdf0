// The graph editor's webview: loads its stylesheet, then renders the React app into #root. (The performance
// marks are read by scripts/bench-editor.mjs.)
import './styles/index.css';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { announceReady, setGpuRunHandler } from './host';
import { handleGpuRun, probeGpu } from './gpu/runner';
import { loadStylesheet } from './ui/stylesheet';

performance.mark('bps:script');
const root = document.getElementById('root') ?? document.body.appendChild(Object.assign(document.createElement('div'), { id: 'root' }));
const stylesheet = loadStylesheet();
announceReady(); // the document travels while the stylesheet loads
void stylesheet.then(() => {
  performance.mark('bps:stylesheet');
  root.replaceChildren();
  createRoot(root).render(<App root={root} />);
  // Whether Train can run on WebGPU here: asked once the editor is up, so it does not delay the first paint.
  setGpuRunHandler(handleGpuRun);
  void probeGpu();
});
