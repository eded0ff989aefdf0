// The entry of dist/webview-toolkit.js: defines the @vscode/webview-ui-toolkit elements that toolkit.tsx renders.
// With toolkit.tsx, the only code that knows the toolkit (archived upstream): a swap rewrites these two files.
// A bundle of its own because evaluating the toolkit (FAST) costs more than drawing a 200-node graph; the page
// loads it once the graph is on screen (registerToolkit in toolkit.tsx).
import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

provideVSCodeDesignSystem().register(vsCodeBadge(), vsCodeButton(), vsCodeCheckbox(), vsCodeDivider(), vsCodeDropdown(), vsCodeOption(), vsCodeTextField());

// The toolkit maps VS Code's theme variables onto its own tokens from a window `load` listener (and follows
// theme changes from there). This bundle arrives after the page has loaded, so that event has passed: send it
// again, or the controls keep the toolkit's default colours whatever the theme.
if (document.readyState === 'complete') window.dispatchEvent(new Event('load'));
