// ESLint flat config (ESLint 9, typescript-eslint 8).
//
// - Every *.ts file is linted with typescript-eslint's recommended rules plus the two
//   type-aware promise rules (no-floating-promises, no-misused-promises); type
//   information comes from tsconfig.json through the project service.
// - Files under workflows/ run inside Temporal's deterministic sandbox: they may not
//   import Node built-ins, I/O packages or the project's side-effecting modules
//   (activities/, db/, api/, config/, ...) as values — `import type` stays allowed — and
//   may not touch process, timers or require (Date stays: the sandbox makes it deterministic).
//   tests/unit/lint-workflows.test.ts checks this block through ESLint's Node API.
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// --- workflows/: what the Temporal sandbox must never see --------------------------------

// Every Node built-in, bare and `node:`-prefixed; plus the modules that exist only with the
// prefix (node:test, node:sea, node:sqlite) which builtinModules omits on Node 20.
const nodeBuiltins = [
  ...new Set([
    ...builtinModules.flatMap((name) => (name.startsWith('node:') ? [name] : [name, `node:${name}`])),
    'node:test',
    'node:test/reporters',
    'node:sea',
    'node:sqlite',
  ]),
].sort();

// Packages that do I/O (or drive Temporal from the outside). Subpaths are included
// (drizzle-orm/pg-core, @temporalio/worker/lib/..., pg/lib/...).
const ioPackages = [
  'pg',
  'pg-pool',
  'pg-protocol',
  'drizzle-orm',
  'drizzle-kit',
  '@electric-sql/pglite',
  'nodemailer',
  'smtp-server',
  'mailparser',
  'express',
  'fs-extra',
  'axios',
  'node-fetch',
  'undici',
  'dotenv',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
  'exceljs',
  'pdfkit',
];
const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const ioPackagesRegex = `^(${ioPackages.map(escapeRegex).join('|')})(/.*)?$`;

// The project's own modules with side effects, reached from workflows/ by relative path
// ('../activities', '../activities/cases', '../../db/schema', '../config', ...).
const sideEffectRooms = ['activities', 'db', 'api', 'config', 'infra', 'scripts', 'worker', 'main'];
const projectRoomsRegex = `^(\\.\\./)+(${sideEffectRooms.join('|')})(/.*|\\.ts)?$`;

const workflowRestrictedImports = {
  paths: nodeBuiltins.map((name) => ({
    name,
    message: 'Workflow code runs in the Temporal sandbox: no Node built-ins. Do this in an activity (activities/).',
  })),
  patterns: [
    {
      regex: ioPackagesRegex,
      allowTypeImports: true,
      message:
        'Workflow code must not import I/O packages. Do this in an activity and call it through proxyActivities (import type only).',
    },
    {
      regex: projectRoomsRegex,
      allowTypeImports: true,
      message:
        'Workflows may only `import type` from activities/, db/, api/, config/, infra/: call activities through proxyActivities<typeof activities>(). Pure logic belongs in domain/.',
    },
  ],
};

const workflowRestrictedGlobals = [
  { name: 'process', message: 'No process in workflow code: pass configuration as workflow input.' },
  { name: 'require', message: 'No require in workflow code.' },
  { name: 'setTimeout', message: "Use sleep() or condition() from '@temporalio/workflow'." },
  { name: 'setInterval', message: "Use a loop with sleep() from '@temporalio/workflow'." },
  { name: 'setImmediate', message: "Use sleep() or condition() from '@temporalio/workflow'." },
  { name: 'clearTimeout', message: "Use CancellationScope from '@temporalio/workflow'." },
  { name: 'clearInterval', message: "Use CancellationScope from '@temporalio/workflow'." },
  { name: 'fetch', message: 'No network I/O in workflow code: use an activity.' },
];

// --- shared ---------------------------------------------------------------------------------

// Node globals for the plain-JS scripts (kept here instead of depending on `globals`).
const nodeGlobals = Object.fromEntries(
  [
    'require',
    'module',
    'exports',
    '__dirname',
    '__filename',
    'process',
    'console',
    'Buffer',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'URL',
  ].map((name) => [name, 'readonly']),
);

export default defineConfig(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.data/**',
      'coverage/**',
      'test-results/**',
      'bench/results/**',
      'db/migrations/**',
      '**/*.d.ts',
      'jest.config.js',
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'warn' },
  },

  // Plain JavaScript (scripts/*.js, this file): ESLint's recommended rules only.
  {
    files: ['**/*.{js,cjs,mjs}'],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 2022, globals: nodeGlobals },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },

  // TypeScript: typescript-eslint recommended (syntactic, fast) + the type-aware promise rules.
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: {
        projectService: {
          // tests/unit/lint-workflows.test.ts lints in-memory fixtures at these paths (no file on
          // disk, so not in tsconfig.json's program); they get tsconfig.json's compiler options.
          allowDefaultProject: ['workflows/__lint_fixture__*.ts'],
          defaultProject: 'tsconfig.json',
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      // CommonJS project: `require` of JSON or optional modules is sometimes the honest choice.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },

  // Tests may use any in fixtures and fakes.
  {
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },

  // Temporal workflow code: deterministic, no I/O.
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', workflowRestrictedImports],
      'no-restricted-globals': ['error', ...workflowRestrictedGlobals],
      // Date and Date.now stay allowed: the sandbox makes them deterministic (workflow task time).
      'no-restricted-properties': [
        'error',
        { object: 'globalThis', property: 'process', message: 'No process in workflow code.' },
        { object: 'globalThis', property: 'setTimeout', message: "Use sleep() from '@temporalio/workflow'." },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression',
          message: 'No dynamic import() in workflow code: the worker bundles workflows/ statically.',
        },
        {
          selector: 'TSImportEqualsDeclaration > TSExternalModuleReference',
          message: 'Use an ES import (import type for activities/db/api).',
        },
      ],
    },
  },
);
