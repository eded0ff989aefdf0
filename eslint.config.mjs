// ESLint: rules that catch defects (promises nobody awaits, `==`, results thrown away, hooks called conditionally),
// not style. Formatting is Prettier's (prettier.config.mjs); no rule here has an opinion on layout. See
// docs/development.md#lint-and-format.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Every tsconfig of the tree: a file is linted with the types of the first one that includes it (the order of
// `npm run typecheck`). scripts/tsconfig.json covers the build and tool scripts (.mjs, .js, and scripts/*.ts).
const PROJECTS = [
  'engine/tsconfig.json',
  'common/tsconfig.json',
  'cli/tsconfig.json',
  'extension/tsconfig.json',
  'webview/tsconfig.json',
  'test/tsconfig.json',
  'test/vscode/tsconfig.json',
  'scripts/tsconfig.json',
];

// Rules that need the types, each one a class of defect the compiler lets through.
const TYPED_RULES = {
  // A promise nobody awaits: its rejection is unhandled and its work races what follows. Fire-and-forget is written
  // `void promise` with a comment saying why. node:test's test()/describe()/it() return promises the runner awaits.
  '@typescript-eslint/no-floating-promises': [
    'error',
    { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
  ],
  // A promise where a boolean or a void callback is expected: `if (promise)` is always true; an async listener's
  // rejection goes nowhere.
  '@typescript-eslint/no-misused-promises': 'error',
  // `await` on something that is not a promise: a misunderstanding of what the callee returns.
  '@typescript-eslint/await-thenable': 'error',
  // `return promise` inside try: the catch and finally never see its rejection.
  '@typescript-eslint/return-await': ['error', 'in-try-catch'],
  // A statement that computes a value and drops it: a missing call, assignment or return.
  'no-unused-expressions': 'off',
  '@typescript-eslint/no-unused-expressions': 'error',
  // Throwing or rejecting with a non-Error loses the stack, and `messageOf(e)` then prints "[object Object]".
  // Passing on a caught `unknown` is allowed: it is whatever was thrown.
  '@typescript-eslint/only-throw-error': 'error',
  '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
  // `+` between a number and something else: concatenation where arithmetic was meant, or the reverse.
  '@typescript-eslint/restrict-plus-operands': 'error',
  '@typescript-eslint/no-for-in-array': 'error',
  '@typescript-eslint/no-array-delete': 'error',
  '@typescript-eslint/no-implied-eval': 'error',
  // Considered and left out, each for what it flags here:
  // - no-base-to-string: its 12 hits stringify on purpose: values a typeof test has narrowed, or fuzzed JSON.
  // - restrict-template-expressions: shapes and vectors (`${[2, 3]}` is "2,3") in messages, on purpose.
  // - require-await: async fakes and iterators that implement a promise-returning interface without awaiting.
  // - unbound-method: the op lowerings destructure their context's helpers, which never use `this`.
  // - the no-unsafe-* family and no-explicit-any: ~570 hits, each a use of an `any` from JSON.parse, an untyped
  //   package or a test's fake: typing work, not defects.
};

export default defineConfig(
  {
    ignores: [
      // Build outputs, tools and scratch space (git-ignored; .tools is a symlink in worktrees, so no trailing slash).
      'dist/**',
      'dist-test/**',
      'out/**',
      '.tools',
      '.tools/**',
      '.scratch/**',
      'test-results/**',
      '.vscode-test/**',
      // AssemblyScript, not TypeScript: its own types (f32, v128) and top-level decorators; the asc compiler checks it.
      'engine/backend/wasm/assembly/**',
    ],
  },
  {
    files: ['**/*.{ts,tsx,mts,js,mjs}'],
    extends: [js.configs.recommended, tseslint.configs.eslintRecommended],
    plugins: { '@typescript-eslint': tseslint.plugin },
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: PROJECTS, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      ...TYPED_RULES,
      // `==` only where it means exactly "null or undefined": `x == null` is the one loose comparison with a precise
      // meaning, and the code uses it on purpose; every other `==` and `!=` is an error.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // tsc's noUnusedLocals and noUnusedParameters already refuse these (tsconfig.base.json).
      'no-unused-vars': 'off',
      // Flags defensive initialisers (`let x = null` before a try that assigns it); tsc's definite-assignment
      // analysis already refuses a read before any write.
      'no-useless-assignment': 'off',
      // The host's errors carry the cause's message in their own (messageOf(e)), which is what the user sees.
      'preserve-caught-error': 'off',
      // A variable that is never reassigned but declared with `let`: style, not a defect.
      'prefer-const': 'off',
      // The few control characters in regular expressions are there on purpose: escaping them, asserting they are gone.
      'no-control-regex': 'off',
    },
  },
  {
    // React's rules, for the webview only: elsewhere `use…` names (useBackend, useWasmKernels) are not hooks.
    // A hook called conditionally or in a loop breaks React's state; a missing dependency is a stale closure.
    files: ['webview/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // CommonJS: the command line's launcher (package.json has no "type": "module").
    files: ['bin/*.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    // tsc checks the TypeScript (undefined names are its error 2304); no-undef only guards the JavaScript, which
    // scripts/tsconfig.json includes for its types (allowJs) without checking it.
    files: ['**/*.{ts,tsx,mts}'],
    rules: { 'no-undef': 'off' },
  },
  {
    // Its page.evaluate() callbacks run in the browser, on the page's globals.
    files: ['scripts/bench-editor.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    // scripts/tools.mjs and scripts/vscode-browser.mjs have declaration files beside them (*.d.mts, for the tests),
    // which take their place in any tsconfig's program: each gets its types from a program of its own instead.
    files: ['scripts/tools.mjs', 'scripts/vscode-browser.mjs'],
    languageOptions: {
      parserOptions: { project: false, projectService: { allowDefaultProject: ['scripts/tools.mjs', 'scripts/vscode-browser.mjs'] } },
    },
  },
);
