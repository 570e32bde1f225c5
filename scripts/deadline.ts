/**
 * Deadline preview from the command line:
 *   npm run --silent deadline -- --rule <id> --from <ISO-8601 instant> [--custody]
 * Prints one line of JSON {rule, from, unit, limit, dueDate, dueAt, custody, provisional, basis}.
 * --from: an ISO-8601 instant; a value without an offset is read as China time (+08:00).
 * --custody: the suspect is held; it decides the counting only for rules whose custody depends on the case
 * (spp.prosecution-review, psb.supplementary-investigation); custody rules always count as custody, others never.
 * Unknown rule, bad date or bad arguments: exit code 2 and one line on stderr.
 */
import {
  InvalidDateError,
  UnknownRuleError,
  type CalendarYearData,
  type WorkingCalendar,
  createWorkingCalendar,
  previewDeadline,
} from '../domain/deadlines';

/**
 * The calendar the CLI computes with: builtin official years (chinese-days, 2004–2026) plus, when DATABASE_URL is
 * set, the years administrators loaded (table calendar_years). Embedded PGlite belongs to the running platform
 * and is not opened here; use GET /api/v1/deadlines/preview to compute with its loaded years.
 */
export async function loadCalendarForCli(databaseUrl = process.env.DATABASE_URL): Promise<WorkingCalendar> {
  if (!databaseUrl) return createWorkingCalendar([]);
  const { Client } = await import('pg');
  const client = new Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    // A database the platform has not migrated yet holds no loaded years: builtin data, no warning.
    const { rows: exists } = await client.query<{ t: string | null }>(
      `select to_regclass('public.calendar_years')::text as t`,
    );
    if (!exists[0]?.t) return createWorkingCalendar([]);
    const { rows } = await client.query<{ data: CalendarYearData }>('select data from calendar_years order by year');
    return createWorkingCalendar(rows.map((r) => r.data));
  } catch (err) {
    process.stderr.write(`警告：无法读取数据库中载入的节假日安排，仅使用内置数据 (${(err as Error).message})\n`);
    return createWorkingCalendar([]);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const USAGE = '用法 (usage): npm run --silent deadline -- --rule <规则id> --from <ISO-8601 时刻> [--custody]';

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): { rule: string; from: string; custody: boolean } {
  let rule: string | undefined;
  let from: string | undefined;
  let custody = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--'))
        throw new UsageError(`缺少 ${name} 的值 (missing value for ${name})。${USAGE}`);
      i++;
      return next;
    };
    if (name === '--rule') rule = value();
    else if (name === '--from') from = value();
    else if (name === '--custody') custody = true;
    else throw new UsageError(`未知参数：${arg} (unknown argument)。${USAGE}`);
  }
  if (!rule) throw new UsageError(`缺少 --rule (missing --rule)。${USAGE}`);
  if (!from) throw new UsageError(`缺少 --from (missing --from)。${USAGE}`);
  return { rule, from, custody };
}

async function main(): Promise<number> {
  try {
    const args = parseArgs(process.argv.slice(2));
    const preview = previewDeadline({
      rule: args.rule,
      from: args.from,
      custody: args.custody,
      calendar: await loadCalendarForCli(),
    });
    process.stdout.write(`${JSON.stringify(preview)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UnknownRuleError || err instanceof InvalidDateError || err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    process.stderr.write(`内部错误 (internal error): ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
