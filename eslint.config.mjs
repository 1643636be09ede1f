// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

// src/core is the pure engine shared by the extension, the worker and the CLI: it must run anywhere,
// so it may not reach for the editor or the Node runtime. Adapters live in src/model, src/syntax,
// src/vscode and src/cli.
const nodeBuiltins = builtinModules.filter(m => !m.startsWith('_'));
const coreRestrictions = {
  paths: [
    { name: 'vscode', message: 'src/core is editor-independent; put VS Code code in src/vscode.' },
    ...nodeBuiltins.map(name => ({ name, message: 'src/core is pure TypeScript; no Node builtins.' })),
  ],
  patterns: [
    { group: ['node:*'], message: 'src/core is pure TypeScript; no Node builtins.' },
    { group: ['fs/*', 'path/*', 'stream/*', 'timers/*', 'util/*', 'dns/*', 'inspector/*'],
      message: 'src/core is pure TypeScript; no Node builtins.' },
    { group: ['**/vscode/**', '**/model/**', '**/syntax/**', '**/cli/**'],
      message: 'src/core must not depend on the adapters around it.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test/e2e/**', 'test/fixtures/**', 'models/**', '.vscode-test/**', '.run/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-throw-literal': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', coreRestrictions] },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: { console: 'readonly', process: 'readonly', URL: 'readonly', setTimeout: 'readonly',
        clearTimeout: 'readonly', Buffer: 'readonly', fetch: 'readonly', AbortSignal: 'readonly' },
    },
  },
);
