// Lint: typescript-eslint's recommended rules, and the project's own: the library core (src/
// outside src/cli/) never writes to the terminal and nothing calls process.exit (the bins set
// process.exitCode, so a run always ends by finishing its work).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.cache/**', 'reports/**', 'test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
        performance: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A variable a closure reads before its one assignment (a callback made before the object it names) stays `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      'no-control-regex': 'off', // escaping control characters is the point of several regexes
      // Getters in an object literal need the instance under another name than `this`.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['server'] }],
    },
  },
  {
    // bench/ is a program of its own whose watchdogs must end it even when a peer hangs.
    files: ['src/**/*.ts', 'test/**/*.ts', 'bin/**/*.js'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'set process.exitCode and let the program finish (docs: command-line contract)' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'the library never ends the process; return a result and let the CLI set the exit code' },
        { object: 'process', property: 'stdout', message: 'the library never writes to the terminal; the CLI renders' },
        { object: 'process', property: 'stderr', message: 'the library never writes to the terminal; the CLI renders' },
      ],
    },
  },
);
