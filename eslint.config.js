// @ts-check
// A small rule set: the recommended checks of typescript-eslint and eslint-plugin-svelte, plus
// the few rules that catch real mistakes here (unused code, floating promises are caught by review,
// non-null assertions are allowed where a typed-array index is known to be in range).
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

export default ts.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'src/node/engine/kernels/assembly/**',
      'src/node/engine/kernels/kernelWasm.ts',
      'test-results/**',
      'bench/results/**',
      '.scratch/**',
      '.stryker-tmp/**',
      'reports/**',
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',
      // Static lists (ten digits, 28 steps) need no keys.
      'svelte/require-each-key': 'off',
    },
  },
  {
    files: ['src/renderer/**/*.{ts,svelte}', 'test/e2e/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
