import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// The README's layer map ("What runs where"), one rule per folder: what each layer must not import.
// Paths are matched on the import specifier, so "**/ui/**" catches '../ui/x' and '../../src/ui/x'.
const LAYER = {
  ui: '**/ui/**',
  workers: '**/workers/**',
  storage: '**/storage/**',
  runtime: '**/runtime/**',
  batch: '**/batch/**',
  cli: '**/cli/**',
  model: '**/model/**',
  adaptGpu: '**/adapt-gpu/**',
  stegoGpu: '**/stego-gpu/**',
  gpu: '**/gpu/**',
};
const RUNTIME_PACKAGES = ['onnxruntime-*'];
const UI_PACKAGES = ['react', 'react-*', 'react/*', 'zustand', 'zustand/*'];
/** The WebGPU trainers and their shared kernels: only workers run them. */
const GPU_LAYERS = [LAYER.gpu, LAYER.adaptGpu, LAYER.stegoGpu];
/** What every WebGPU layer must not import (beyond the other trainer). */
const GPU_BANNED = [...RUNTIME_PACKAGES, ...UI_PACKAGES, 'node:*', 'idb', LAYER.ui, LAYER.workers, LAYER.storage, LAYER.runtime, LAYER.batch, LAYER.cli, LAYER.model];

/** no-restricted-imports for files under `files`: `group` patterns banned outright, `typesOnly` allowed as `import type`. */
function layer(files, banned, typesOnly = [], message = '') {
  const patterns = [{ group: banned, message: `layer rule (README, What runs where)${message}` }];
  if (typesOnly.length) patterns.push({ group: typesOnly, allowTypeImports: true, message: `layer rule: only types may come from here${message}` });
  return { files, rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] } };
}

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
    },
  },
  layer(['src/core/**/*.ts'], [...RUNTIME_PACKAGES, ...UI_PACKAGES, 'node:*', 'idb', 'comlink', ...Object.values(LAYER)], [], ': the core is pure TypeScript over typed arrays'),
  // src/gpu holds what both trainers share; each trainer imports the core and src/gpu, never the other.
  layer(['src/gpu/**/*.ts'], [...GPU_BANNED, LAYER.adaptGpu, LAYER.stegoGpu]),
  layer(['src/adapt-gpu/**/*.ts'], [...GPU_BANNED, LAYER.stegoGpu]),
  layer(['src/stego-gpu/**/*.ts'], [...GPU_BANNED, LAYER.adaptGpu]),
  layer(['src/runtime/**/*.ts'], [...UI_PACKAGES, 'idb', LAYER.ui, LAYER.workers, LAYER.storage, LAYER.batch, LAYER.cli, LAYER.model, ...GPU_LAYERS]),
  layer(['src/model/**/*.ts'], [...UI_PACKAGES, 'idb', LAYER.ui, LAYER.workers, LAYER.storage, LAYER.runtime, LAYER.batch, LAYER.cli, ...GPU_LAYERS]),
  layer(['src/storage/**/*.ts'], [...RUNTIME_PACKAGES, ...UI_PACKAGES, 'node:*', LAYER.ui, LAYER.workers, LAYER.runtime, LAYER.batch, LAYER.cli, LAYER.model, ...GPU_LAYERS], [], ': storage knows only the core\'s types'),
  layer(['src/batch/**/*.ts'], [...UI_PACKAGES, 'idb', 'comlink', LAYER.ui, LAYER.workers, LAYER.storage, ...GPU_LAYERS]),
  layer(['src/cli/**/*.ts'], [...UI_PACKAGES, 'idb', 'comlink', LAYER.ui, LAYER.workers, LAYER.storage, ...GPU_LAYERS]),
  layer(['workers/**/*.ts'], [...UI_PACKAGES, 'node:*', LAYER.ui, LAYER.batch, LAYER.cli], [], ': workers run in the browser, beside the page'),
  // The page talks to workers through comlink with the types of workers/*-api.ts; values it shares with them live in src/core or src/storage.
  layer(['src/ui/**/*.ts', 'src/ui/**/*.tsx'], [...RUNTIME_PACKAGES, 'node:*', LAYER.batch, LAYER.cli, LAYER.model, ...GPU_LAYERS], [LAYER.workers, LAYER.runtime]),
  {
    files: ['src/ui/**/*.tsx', 'src/ui/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
);
