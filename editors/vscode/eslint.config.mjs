// Flat config: typescript-eslint's type-checked rules (they catch floating
// promises, which an extension must not have) on src/ and test/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
    { ignores: ['out/**', 'dist/**', 'node_modules/**', '*.vsix'] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: {
            parserOptions: { projectService: { allowDefaultProject: ['*.mjs'] }, tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            '@typescript-eslint/no-floating-promises': 'error',
            '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
            eqeqeq: 'error',
            curly: 'error',
        },
    },
    {
        // Pure logic: must run in plain node, so it may not touch the editor API.
        files: ['src/core/**/*.ts'],
        rules: {
            'no-restricted-imports': ['error', {
                paths: [
                    { name: 'vscode', message: 'src/core is pure logic, unit-tested without VS Code.' },
                    { name: 'vscode-languageclient', message: 'src/core is pure logic; use vscode-languageserver-protocol types.' },
                    { name: 'vscode-languageclient/node', message: 'src/core is pure logic; use vscode-languageserver-protocol types.' },
                ],
            }],
        },
    },
    {
        // node:test's describe/it return promises the runner itself awaits.
        files: ['test/**/*.ts'],
        rules: {
            '@typescript-eslint/no-floating-promises': ['error', {
                allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
            }],
        },
    },
    {
        files: ['*.mjs'],
        ...tseslint.configs.disableTypeChecked,
    },
);
