// Type-aware lint for every workspace: no floating promises, no unsafe any.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  // core/assembly is AssemblyScript: its own types and compiler (scripts/build-wasm.mjs).
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'demo-output/**', '**/*.cjs', 'core/assembly/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` object and a derived type.' },
      ],
    },
  },
  {
    files: ['**/test/**/*.ts', '**/bench/**/*.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // Plain JavaScript run as is (the committed bin shim, root scripts): outside every tsconfig.
  {
    files: ['eslint.config.js', 'cli/bin/*.js', 'scripts/*.js', 'scripts/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
