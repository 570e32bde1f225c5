/**
 * The lint rule that keeps workflows/ deterministic: no Node built-ins, no I/O packages, no value
 * imports of the project's activities/db/api. This lints in-memory snippets placed at workflows/
 * paths with the project's real eslint.config.mjs through ESLint's Node API.
 *
 * ESLint loads its (ESM) config file with a dynamic import(), which jest's module sandbox only
 * allows under --experimental-vm-modules; so the Node API runs in a child Node process (one
 * ESLint instance for all fixtures), and this test works under plain `npx jest` too.
 */
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

interface LintMessage {
  ruleId: string | null;
  line: number;
  message: string;
  fatal?: boolean;
  severity: number;
}
interface LintRun {
  results: Record<string, LintMessage[]>;
  configs: Record<string, Record<string, unknown>>;
}

// Fixture paths must match `allowDefaultProject` in eslint.config.mjs (no file on disk).
const fixtures: Record<string, string> = {
  forbidden: [
    "import * as fs from 'fs';",
    "import { randomUUID } from 'node:crypto';",
    "import { Pool } from 'pg';",
    "import { sendNotice } from '../activities/x';",
    "import { drizzle } from 'drizzle-orm/node-postgres';",
    "import { Connection } from '@temporalio/client';",
    "import type { Pool as PoolType } from 'pg';",
    '',
    'export const used = [fs, randomUUID, Pool, sendNotice, drizzle, Connection];',
    'export type P = PoolType;',
    '',
  ].join('\n'),
  allowed: [
    "import type * as activities from '../activities';",
    "import { proxyActivities, sleep } from '@temporalio/workflow';",
    "import type { CaseRow } from '../db/schema';",
    '',
    "const { recordEvent } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });",
    '',
    'export async function probeWorkflow(row: CaseRow): Promise<void> {',
    "  await sleep('3 days');",
    '  await (recordEvent as (r: CaseRow) => Promise<void>)(row);',
    '}',
    '',
  ].join('\n'),
  sandbox: [
    'export async function probeWorkflow(): Promise<number> {',
    '  const env = process.env.X;',
    '  setTimeout(() => undefined, 10);',
    '  Promise.resolve(env);',
    '  return Date.now();',
    '}',
    '',
  ].join('\n'),
};

const child = `
const { ESLint } = require('eslint');
(async () => {
  const fixtures = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
  const eslint = new ESLint({ cwd: process.cwd() });
  const results = {};
  for (const [name, code] of Object.entries(fixtures)) {
    const [result] = await eslint.lintText(code, { filePath: 'workflows/__lint_fixture__' + name + '.ts' });
    results[name] = result.messages;
  }
  const configs = {};
  for (const file of ['workflows/case.ts', 'workflows/sub/deep.ts', 'activities/cases.ts', 'api/app.ts']) {
    configs[file] = (await eslint.calculateConfigForFile(file)).rules;
  }
  process.stdout.write(JSON.stringify({ results, configs }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

let run: LintRun;

beforeAll(() => {
  const out = execFileSync(process.execPath, ['-e', child], {
    cwd: root,
    input: JSON.stringify(fixtures),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 110_000,
  });
  run = JSON.parse(out) as LintRun;
}, 120_000);

const byRule = (messages: LintMessage[], ruleId: string) => messages.filter((m) => m.ruleId === ruleId);
const fatal = (messages: LintMessage[]) => messages.filter((m) => m.fatal || m.ruleId === null);

describe('workflows/ import ban (eslint.config.mjs)', () => {
  test('value imports of Node built-ins, I/O packages and ../activities are errors', () => {
    const messages = run.results.forbidden;
    expect(fatal(messages)).toEqual([]);
    const restricted = byRule(messages, 'no-restricted-imports');
    expect(restricted.every((m) => m.severity === 2)).toBe(true);
    const lines = restricted.map((m) => m.line).sort((a, b) => a - b);
    // fs, node:crypto, pg, ../activities/x, drizzle-orm/node-postgres, @temporalio/client
    expect(lines).toEqual([1, 2, 3, 4, 5, 6]);
    expect(restricted.find((m) => m.line === 1)?.message).toMatch(/'fs'/);
    expect(restricted.find((m) => m.line === 2)?.message).toMatch(/'node:crypto'/);
    expect(restricted.find((m) => m.line === 3)?.message).toMatch(/'pg'/);
    expect(restricted.find((m) => m.line === 4)?.message).toMatch(/'\.\.\/activities\/x'/);
  });

  test('`import type` from activities/db and @temporalio/workflow are allowed', () => {
    const messages = run.results.allowed;
    expect(fatal(messages)).toEqual([]);
    expect(byRule(messages, 'no-restricted-imports')).toEqual([]);
    expect(messages.filter((m) => m.severity === 2)).toEqual([]);
  });

  test('process and timers are banned, Date.now is not; the type-aware promise rule runs', () => {
    const messages = run.results.sandbox;
    expect(fatal(messages)).toEqual([]);
    expect(
      byRule(messages, 'no-restricted-globals')
        .map((m) => m.line)
        .sort(),
    ).toEqual([2, 3]);
    // Temporal's sandbox replaces Date with the workflow task's time: deterministic, allowed.
    expect(messages.filter((m) => m.line === 5)).toEqual([]);
    // Needs type information: proves the fixture was linted with the project's type-aware setup.
    expect(byRule(messages, '@typescript-eslint/no-floating-promises').map((m) => m.line)).toEqual([4]);
  });

  test('every Node built-in is banned, bare and node:-prefixed, at any depth under workflows/', () => {
    for (const file of ['workflows/case.ts', 'workflows/sub/deep.ts']) {
      const setting = run.configs[file]['no-restricted-imports'] as [number, { paths: { name: string }[] }];
      expect(setting[0]).toBe(2);
      const names = new Set(setting[1].paths.map((p) => p.name));
      for (const mod of builtinModules) {
        const bare = mod.replace(/^node:/, '');
        if (!mod.startsWith('node:')) expect(names).toContain(bare);
        expect(names).toContain(`node:${bare}`);
      }
    }
  });

  test('the ban applies to workflows/ only', () => {
    for (const file of ['activities/cases.ts', 'api/app.ts']) {
      const setting = run.configs[file]['no-restricted-imports'] as [number] | undefined;
      expect(setting === undefined || setting[0] === 0).toBe(true);
      expect((run.configs[file]['@typescript-eslint/no-floating-promises'] as [number])[0]).toBe(2);
    }
  });
});
