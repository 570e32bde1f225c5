import crypto from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { caseVisibleToAgency } from '../db/visibility';
import { cases, enforcementRecords, importJobs, penaltyRecords } from '../db/schema';
import { chinaDayOfInstant, dayToYmd } from '../domain/deadlines/calendar';
import { findUnstorable, isStorableText, TEXT_PROBLEM_ZH } from '../domain/text';
import { COLUMNS, FIELD_ZH, REQUIRED_FIELDS, rowReason, rowSchema, type ImportKind } from '../domain/imports';

export interface ImportError {
  /** Line in the CSV file (the header is line 1), or the record's position in a JSON array (1-based). */
  line: number;
  sourceId?: string;
  field?: string;
  reason: string;
}

interface Parsed {
  line: number;
  raw: Record<string, unknown>;
}

const PROGRESS_EVERY = 500;
const CHUNK = 500;

class FileError extends Error {
  constructor(
    message: string,
    readonly line = 0,
  ) {
    super(message);
  }
}

/** CSV (header row, English or Chinese column names) or JSON (an array, or { records: [...] }) → rows with their line. */
export function parseImportFile(kind: ImportKind, format: 'csv' | 'json', content: string): Parsed[] {
  const columns = COLUMNS[kind];
  if (format === 'json') {
    let doc: unknown;
    try {
      doc = JSON.parse(content);
    } catch (err) {
      throw new FileError(`JSON 格式错误：${(err as Error).message}`);
    }
    const list = Array.isArray(doc) ? doc : (doc as { records?: unknown })?.records;
    if (!Array.isArray(list)) throw new FileError('JSON 文件应为记录数组，或含 records 数组的对象');
    return list.map((item, i) => {
      if (!item || typeof item !== 'object' || Array.isArray(item)) return { line: i + 1, raw: { __notObject: true } };
      // Same names as the CSV columns (English or Chinese), or the field names themselves.
      const raw: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(item as Record<string, unknown>)) raw[columns[k] ?? k] = v;
      return { line: i + 1, raw };
    });
  }
  let records: { info: { lines: number }; record: string[] }[];
  try {
    records = parse(content, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    }) as never;
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new FileError(`CSV 格式错误（第 ${e.lines ?? '?'} 行附近）：${e.message.split('\n')[0]}`, e.lines ?? 0);
  }
  if (records.length === 0) throw new FileError('文件没有内容');
  const header = records[0].record.map((h) => h.trim());
  const unknown = header.filter((h) => !columns[h]);
  if (unknown.length)
    throw new FileError(
      `第 1 行（表头）有无法识别的列：${unknown.join('、')}；可用列：${Object.keys(columns).join('、')}`,
      1,
    );
  const fields = header.map((h) => columns[h]);
  const dup = fields.find((f, i) => fields.indexOf(f) !== i);
  if (dup) throw new FileError(`第 1 行（表头）重复的列：${FIELD_ZH[dup] ?? dup}`, 1);
  const missing = REQUIRED_FIELDS[kind].filter((f) => !fields.includes(f));
  if (missing.length)
    throw new FileError(`第 1 行（表头）缺少必需的列：${missing.map((f) => FIELD_ZH[f]).join('、')}`, 1);
  return records.slice(1).map(({ info, record }) => {
    if (record.length !== header.length)
      return { line: info.lines, raw: { __columns: record.length, __expected: header.length } };
    return { line: info.lines, raw: Object.fromEntries(fields.map((f, i) => [f, record[i]])) };
  });
}

const hashOf = (v: Record<string, unknown>) =>
  crypto
    .createHash('sha256')
    .update(
      JSON.stringify(
        Object.keys(v)
          .sort()
          .map((k) => [k, v[k] ?? null]),
      ),
    )
    .digest('hex');

/**
 * One import job: validate every row (progress processed/total), then write all of them in one transaction, or none.
 * All-or-nothing: a month's penalty records half-imported would make the 以罚代刑 check see a partial month; the
 * agency fixes the reported rows and imports the file again (idempotent on the source record id).
 * Idempotent as an activity: a finished job is returned as it is; a retry re-validates and writes in one transaction.
 */
export function createImportActivities(deps: { db: Db }) {
  const { db } = deps;
  return {
    async runImport(input: {
      jobId: string;
    }): Promise<{ status: string; inserted: number; updated: number; unchanged: number; errors: number }> {
      const [job] = await db.select().from(importJobs).where(eq(importJobs.id, input.jobId));
      if (!job) throw new Error(`导入任务不存在：${input.jobId}`);
      const summary = (j: typeof job) => ({
        status: j.status,
        inserted: j.inserted,
        updated: j.updated,
        unchanged: j.unchanged,
        errors: (j.errors as unknown[]).length,
      });
      if (['completed', 'rejected'].includes(job.status)) return summary(job);
      const kind = job.kind as ImportKind;
      await db
        .update(importJobs)
        .set({ status: 'validating', startedAt: new Date(), processed: 0 })
        .where(eq(importJobs.id, job.id));

      let rows: Parsed[];
      try {
        rows = parseImportFile(kind, job.format as 'csv' | 'json', job.content);
      } catch (err) {
        if (!(err instanceof FileError)) throw err;
        const [done] = await db
          .update(importJobs)
          .set({
            status: 'rejected',
            errors: [{ line: err.line, reason: err.message }],
            messageZh: `文件无法读取，未导入任何记录：${err.message}`,
            finishedAt: new Date(),
          })
          .where(eq(importJobs.id, job.id))
          .returning();
        return summary(done);
      }
      await db.update(importJobs).set({ total: rows.length }).where(eq(importJobs.id, job.id));

      const today = dayToYmd(chinaDayOfInstant(Date.now()));
      const schema = rowSchema(kind, today);
      const errors: ImportError[] = [];
      const valid: { line: number; v: Record<string, unknown> }[] = [];
      const seen = new Map<string, number>();
      for (let i = 0; i < rows.length; i++) {
        const { line, raw } = rows[i];
        // A cell PostgreSQL cannot store (a JSON file may spell a lone surrogate as \ud800) is refused with its row,
        // and neither it nor its source id is echoed into the job's errors (jsonb would refuse those too).
        const unstorable = raw.__notObject ? undefined : findUnstorable(raw, { maxDepth: 4, maxLength: 50_000 });
        const rawId =
          typeof raw.sourceId === 'string' || typeof raw.sourceId === 'number'
            ? String(raw.sourceId).trim()
            : undefined;
        const sourceId = rawId !== undefined && isStorableText(rawId) ? rawId : undefined;
        if (unstorable) {
          const field = unstorable.path.split('.')[0];
          const what = unstorable.problem === 'tooDeep' ? '嵌套过深' : TEXT_PROBLEM_ZH[unstorable.problem];
          errors.push({
            line,
            sourceId,
            field: isStorableText(field) ? field : undefined,
            reason: `${FIELD_ZH[field] ?? '字段'} ${what}`,
          });
        } else if (raw.__notObject) errors.push({ line, reason: `第 ${line} 条记录不是对象` });
        else if (raw.__columns !== undefined)
          errors.push({
            line,
            reason: `列数不符：应为 ${String(raw.__expected)} 列，实为 ${String(raw.__columns)} 列`,
          });
        else {
          const parsed = schema.safeParse(raw);
          if (!parsed.success) errors.push({ line, sourceId, ...rowReason(parsed.error) });
          else {
            const v = parsed.data as Record<string, unknown>;
            const first = seen.get(v.sourceId as string);
            if (first !== undefined)
              errors.push({ line, sourceId, field: 'sourceId', reason: `来源编号与第 ${first} 行重复` });
            else if (v.agency !== job.createdByAgency) {
              errors.push({
                line,
                sourceId,
                field: 'agency',
                reason: `只能导入本机关的记录：该行执法机关为 ${String(v.agency)}，导入人属于 ${job.createdByAgency}`,
              });
            } else {
              seen.set(v.sourceId as string, line);
              valid.push({ line, v });
            }
          }
        }
        if ((i + 1) % PROGRESS_EVERY === 0)
          await db
            .update(importJobs)
            .set({ processed: i + 1 })
            .where(eq(importJobs.id, job.id));
      }
      if (errors.length) {
        const [done] = await db
          .update(importJobs)
          .set({
            status: 'rejected',
            processed: rows.length,
            errors: errors.slice(0, 5000),
            messageZh: `发现 ${errors.length} 行错误，未导入任何记录（全部导入或全部不导入）；请改正后重新导入`,
            finishedAt: new Date(),
          })
          .where(eq(importJobs.id, job.id))
          .returning();
        return summary(done);
      }
      await db.update(importJobs).set({ status: 'writing', processed: rows.length }).where(eq(importJobs.id, job.id));

      const table = kind === 'penalty' ? penaltyRecords : enforcementRecords;
      const done = await db.transaction(async (tx) => {
        let inserted = 0;
        let updated = 0;
        let unchanged = 0;
        const changes: { line: number; sourceId: string; fields: string[] }[] = [];
        for (let c = 0; c < valid.length; c += CHUNK) {
          const chunk = valid.slice(c, c + CHUNK);
          const numbers = [
            ...new Set(chunk.map((r) => r.v.caseNumber).filter((n): n is string => typeof n === 'string')),
          ];
          // Only cases the importing agency may see are linked: a confidential case of others is as if it did not exist.
          const linked = numbers.length
            ? await tx
                .select({ id: cases.id, caseNumber: cases.caseNumber })
                .from(cases)
                .where(and(inArray(cases.caseNumber, numbers), caseVisibleToAgency(job.createdByAgency ?? 'none')))
            : [];
          const caseIdOf = new Map(linked.map((l) => [l.caseNumber, l.id]));
          const existing = await tx
            .select()
            .from(table)
            .where(
              and(
                eq(table.sourceSystem, job.sourceSystem),
                inArray(
                  table.sourceId,
                  chunk.map((r) => r.v.sourceId as string),
                ),
              ),
            );
          const bySource = new Map(existing.map((e) => [e.sourceId, e as unknown as Record<string, unknown>]));
          const fresh: Record<string, unknown>[] = [];
          for (const { line, v } of chunk) {
            const values = {
              ...v,
              amount: v.amount ?? null,
              caseId: v.caseNumber ? (caseIdOf.get(v.caseNumber as string) ?? null) : null,
            };
            const contentHash = hashOf(values);
            const before = bySource.get(v.sourceId as string);
            if (!before) {
              fresh.push({
                id: crypto.randomUUID(),
                sourceSystem: job.sourceSystem,
                importJobId: job.id,
                contentHash,
                ...values,
              });
              inserted++;
            } else if (before.contentHash === contentHash) {
              unchanged++;
            } else {
              const fields = Object.keys(values).filter(
                (k) => String(before[k] ?? '') !== String((values as Record<string, unknown>)[k] ?? ''),
              );
              await tx
                .update(table)
                .set({ ...values, contentHash, importJobId: job.id, updatedAt: new Date() } as never)
                .where(eq(table.id, before.id as string));
              changes.push({ line, sourceId: v.sourceId as string, fields });
              updated++;
            }
          }
          if (fresh.length) await tx.insert(table).values(fresh as never);
        }
        const [row] = await tx
          .update(importJobs)
          .set({
            status: 'completed',
            inserted,
            updated,
            unchanged,
            changes: changes.slice(0, 5000),
            messageZh: `导入完成：新增 ${inserted} 条，更新 ${updated} 条，未变化 ${unchanged} 条`,
            finishedAt: new Date(),
          })
          .where(eq(importJobs.id, job.id))
          .returning();
        return row;
      });
      return summary(done);
    },
  };
}
