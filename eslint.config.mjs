// ESLint for what the formatter and tsc cannot catch: floating promises, unused values, unsafe any.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      '.tsbuild/**',
      'node_modules/**',
      'test-results/**',
      'test/fixtures/**',
      'examples/**',
      '**/*.mjs',
      '**/*.cjs',
      '*.mts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // past four positional parameters, a function takes an options object (DESIGN rule 5)
      'max-params': ['error', 4],
      // past 400 lines a file is split, or says at its top why not (`/* eslint-disable max-lines -- reason */`)
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
    },
  },
);
