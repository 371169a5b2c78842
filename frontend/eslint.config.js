// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // The generated client is compared byte for byte by `npm run gen:check`: never lint or fix it.
  globalIgnores(['dist/', 'e2e-artifacts/', 'src/api/schema.gen.ts', 'src/api/rules.gen.ts']),
  js.configs.recommended,
  tseslint.configs.recommended,
  // `const { limit: _limit, ...rest } = query` is how a key is left out of a copy.
  { rules: { '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }] } },
  {
    files: ['src/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended],
    languageOptions: { globals: globals.browser },
    rules: { 'react-hooks/exhaustive-deps': 'error' },
  },
  { files: ['scripts/**', '*.{js,mjs,ts}'], languageOptions: { globals: globals.node } },
  // The browser scripts run in Node, but the functions they hand to page.evaluate() run in the page.
  { files: ['e2e/**'], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
);
