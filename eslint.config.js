import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  // wasm/: AssemblyScript (compiled by asc, typed by its own tsconfig), not TypeScript.
  { ignores: ['dist/', 'node_modules/', 'public/', 'out/', 'bench/results/', 'e2e/screenshots/', 'wasm/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.worker } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core is pure computation: no `any`, no DOM, no runtime.
    files: ['src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'fetch', 'indexedDB'],
      'no-restricted-imports': ['error', { patterns: ['onnxruntime-*', 'react*', '**/runtime/**', '**/ui/**', 'node:*'] }],
    },
  },
  {
    files: ['src/ui/**/*.tsx', 'src/ui/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
);
