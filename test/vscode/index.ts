// The entry VS Code loads in the extension host for the integration tests (extensionTestsPath): it runs the
// mocha suites in ./suite, bundled by esbuild.mjs to dist-test/vscode/. @vscode/test-electron
// (scripts/test-vscode.mjs, `npm run test:vscode`) and the VS Code server route (vscode-server.test.ts, part
// of `npm test`) both load dist-test/vscode/index.js and call run(); a rejection fails the run.
//
// BPS_VSCODE_GREP (environment) runs only the tests whose full title matches it.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 30_000, slow: 5_000 });
  const grep = process.env.BPS_VSCODE_GREP;
  if (grep) mocha.grep(grep);
  const dir = join(__dirname, 'suite');
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith('.test.js'))
    .sort())
    mocha.addFile(join(dir, f));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
    } catch (e) {
      reject(e);
    }
  });
}
