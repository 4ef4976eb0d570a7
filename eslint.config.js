// Lint rules that keep the brief's habits: no console in the agent, no empty catch, no stray env reads.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tap/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-empty': ['error', { allowEmptyCatch: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['agent/**/*.ts'],
    ignores: ['agent/config/**'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only agent/config reads process.env.' },
      ],
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'execa', message: 'Only agent/slurm runs commands.' }] },
      ],
    },
  },
  {
    files: ['agent/slurm/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['agent/cli.ts', 'agent/main.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // What both sides share reads no environment and imports neither side.
    files: ['shared/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'The callers pass what shared/ needs.' },
      ],
      'no-restricted-imports': ['error', { patterns: [{ group: ['../agent/*', '../client/*'] }] }],
    },
  },
  {
    // The web page runs in a browser: its globals, not Node's.
    files: ['web/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../agent/*', '!../agent/api', '../agent/*/*', '!../agent/api/*'],
              message: 'The client depends on no agent code but the shared API schemas.',
            },
          ],
        },
      ],
    },
  },
);
