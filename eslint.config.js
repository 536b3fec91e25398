// Lint rules, including the import rules between app/, main/ and renderer/ as errors.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const restrict = (group, message) => ['error', { patterns: [{ group, message }] }];
const restrictRegex = (regex, message) => ['error', { patterns: [{ regex, message }] }];
// Anything outside the folder except the dependency-free contract modules of app/api/.
const NOT_CONTRACT = '^(?!(\\.\\./)+app/api/[a-z-]+(\\.js)?$)';

export default tseslint.config(
  // compose-spec-validate.js is generated (ajv standalone code, 400 KB): linting it takes minutes.
  { ignores: ['node_modules/', 'dist/', 'out/', 'native/', 'test-output/', '**/*.d.ts', 'app/engine/compose/model/compose-spec-validate.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // CommonJS by design: the CLI loader runs the bundle with vm.Script (scripts/cli-loader.cjs).
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  // The contract imports nothing: three transports and the renderer share it.
  {
    files: ['app/api/**/*.ts'],
    ignores: ['app/api/**/*.test.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: 'ImportDeclaration', message: 'app/api is the dependency-free API contract: it may not import anything' }],
    },
  },
  // The engine never touches the UI layers.
  {
    files: ['app/**/*.ts'],
    ignores: ['app/api/**'],
    rules: {
      'no-restricted-imports': restrict(['electron', 'electron/*', 'react', 'react-*', 'zustand', '**/main/**', '**/renderer/**'], 'app/ is the engine: it may not import electron, react, main/ or renderer/'),
      'no-console': 'error',
    },
  },
  {
    files: ['app/cli/**/*.ts', 'app/testing/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  // Electron main: app/, electron, node-pty; never the renderer.
  {
    files: ['main/**/*.ts'],
    ignores: ['main/preload/**'],
    rules: {
      'no-restricted-imports': restrict(['react', 'react-*', 'zustand', '**/renderer/**'], 'main/ may import app/, electron and node-pty only'),
    },
  },
  // The preload sees contract types, contextBridge and ipcRenderer only.
  {
    files: ['main/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': restrictRegex(`${NOT_CONTRACT}(?!electron$)(?!\\./)`, 'main/preload may import only electron (contextBridge, ipcRenderer), its own files and the API contract types'),
    },
  },
  // The renderer gets contract types only: no Node, no engine, no Electron.
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': restrictRegex(`${NOT_CONTRACT}(^node:|^(electron|ws|zod|tar-stream|fs|path|child_process|os)(/|$)|^(\\.\\./)+(\\.\\./)(app|main)/)`, 'renderer/ may import only the API contract types from outside renderer/, and no Node or Electron modules'),
    },
  },
);
