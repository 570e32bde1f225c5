/** The deadline CLI (issue 3 point 5): one line of JSON; exit code 2 with one stderr line for bad input. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const tsxCli = require.resolve('tsx/cli', { paths: [root] });

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: root, env: process.env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const deadline = (...args: string[]): Promise<Run> => run(process.execPath, [tsxCli, 'scripts/deadline.ts', ...args]);

const KEYS = ['rule', 'from', 'unit', 'limit', 'dueDate', 'dueAt', 'custody', 'provisional', 'basis'];

describe('scripts/deadline.ts', () => {
  it('prints exactly one JSON line with the keys in order (spp.review-outcome-notice, §4 example)', async () => {
    const r = await deadline('--rule', 'spp.review-outcome-notice', '--from', '2026-09-17T10:00:00+08:00');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    const json = JSON.parse(lines[0]);
    expect(Object.keys(json)).toEqual(KEYS);
    expect(json).toEqual({
      rule: 'spp.review-outcome-notice',
      from: '2026-09-17T10:00:00+08:00',
      unit: 'days',
      limit: 10,
      dueDate: '2026-09-28',
      dueAt: '2026-09-28T23:59:59+08:00',
      custody: false,
      provisional: false,
      basis: '《人民检察院刑事诉讼规则》第五百六十一条第二款',
    });
  });

  it('computes hours, workdays, custody and provisional results', async () => {
    const [hours, workdays, held, notHeld, later] = await Promise.all([
      deadline('--rule', 'eeb.transfer-delivery', '--from', '2026-09-30T07:00:00Z'),
      deadline('--rule=psb.detention-refusal', '--from=2026-04-28T10:00:00+08:00'),
      deadline('--rule', 'spp.prosecution-review', '--from', '2026-09-01T10:00:00+08:00', '--custody'),
      deadline('--rule', 'spp.prosecution-review', '--from', '2026-09-01T10:00:00+08:00'),
      deadline('--rule', 'any.written-consultation-reply', '--from', '2031-10-01T10:00:00+08:00'),
    ]);
    expect(JSON.parse(hours.stdout)).toMatchObject({
      from: '2026-09-30T15:00:00+08:00',
      unit: 'hours',
      limit: 24,
      dueDate: '2026-10-01',
      dueAt: '2026-10-01T15:00:00+08:00',
    });
    expect(JSON.parse(workdays.stdout)).toMatchObject({ unit: 'workdays', limit: 5, dueDate: '2026-05-08' });
    expect(JSON.parse(held.stdout)).toMatchObject({ unit: 'months', limit: 1, dueDate: '2026-10-01', custody: true });
    expect(JSON.parse(notHeld.stdout)).toMatchObject({ dueDate: '2026-10-08', custody: false });
    expect(JSON.parse(later.stdout)).toMatchObject({ dueDate: '2031-10-08', provisional: true });
  });

  it('unknown rule, bad date and bad arguments: exit code 2 and one line on stderr', async () => {
    const [rule, date, missing, extra] = await Promise.all([
      deadline('--rule', 'psb.no-such-rule', '--from', '2026-06-16T10:00:00+08:00'),
      deadline('--rule', 'any.platform-entry', '--from', '2026-02-30T10:00:00+08:00'),
      deadline('--rule', 'any.platform-entry'),
      deadline('--rule', 'any.platform-entry', '--from', '2026-06-16', '--verbose'),
    ]);
    for (const r of [rule, date, missing, extra]) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    expect(rule.stderr).toContain('未知的期限规则');
    expect(rule.stderr).toContain('psb.no-such-rule');
    expect(date.stderr).toContain('无效的日期时间');
    expect(date.stderr).toContain('2026-02-30');
    expect(missing.stderr).toContain('--from');
    expect(extra.stderr).toContain('--verbose');
  });

  it('answers through `npm run --silent deadline`', async () => {
    const r = await run('npm', [
      'run',
      '--silent',
      'deadline',
      '--',
      '--rule',
      'psb.arrest-request',
      '--from',
      '2026-09-29T20:00:00+08:00',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ rule: 'psb.arrest-request', dueDate: '2026-10-02', custody: true });
    const bad = await run('npm', ['run', '--silent', 'deadline', '--', '--rule', 'x', '--from', '2026-09-29']);
    expect(bad.code).toBe(2);
  });
});
