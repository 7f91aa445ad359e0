import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/.output/**', '**/.wxt/**', '.onhand/**', '**/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Page and server text must never become markup.
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'Never put page or server text into the DOM as HTML.' },
        { property: 'outerHTML', message: 'Never put page or server text into the DOM as HTML.' },
        { property: 'insertAdjacentHTML', message: 'Never put page or server text into the DOM as HTML.' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'Never render text as HTML.' },
        { selector: "CallExpression[callee.property.name=/^(only|skip|todo)$/][callee.object.name=/^(it|describe|test)$/]", message: 'A test that does not run checks nothing.' },
      ],
    },
  },
  {
    // Tests read saved pages into a DOM: that is their job.
    files: ['**/*.test.ts', '**/*.test.tsx', 'tests/**', 'extension/portals/**/fixture-pages.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
