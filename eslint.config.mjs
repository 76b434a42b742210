// ESLint flat config. The layering rules from DESIGN.md live here, enforced per folder:
//   preload/contract  imports nothing outside itself
//   main/core         never imports electron, electron-log, main/shell or renderer
//   main/shell        may import core and the contract
//   renderer          imports the contract as types only; never electron, node:* or main
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

const electronBan = [
  { name: 'electron', message: 'main/core runs under plain Node: no electron import (DESIGN.md layering).' },
  { name: 'electron-log', message: 'main/core logs through observability/logger; electron-log belongs to main/shell.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench-results/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: electronBan,
          patterns: [
            { group: ['**/shell/**', '**/main/shell/**'], message: 'main/core must not depend on main/shell.' },
            { group: ['**/renderer/**'], message: 'main/core must not depend on the renderer.' },
            { group: ['electron/*', 'electron-log/*'], message: 'No electron under main/core.' },
          ],
        },
      ],
    },
  },
  {
    files: ['preload/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ regex: '^(?!\\./)', message: 'preload/contract imports nothing outside itself.' }],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer talks to the engine only through its bridge.' }],
          patterns: [
            { group: ['node:*'], message: 'The renderer runs in a sandbox: no Node modules.' },
            { group: ['**/main/**'], message: 'The renderer never imports main; use preload/contract types.' },
            {
              group: ['**/preload/contract/**'],
              allowTypeImports: true,
              message: 'The renderer imports the contract as types only.',
            },
          ],
        },
      ],
    },
  },
  {
    // The renderer runs in a browser: DOM types and JSX from its own tsconfig.
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx', 'test/renderer/**/*.tsx'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { projectService: false, project: ['./tsconfig.renderer.json'], tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ['test/renderer/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // expect.any() / expect.stringMatching() are typed `any` by design.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  prettier,
);
