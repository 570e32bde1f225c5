import crypto from 'node:crypto';
import { Router } from 'express';
import { desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { importJobs } from '../../db/schema';
import { IMPORT_KINDS, IMPORT_KIND_ZH, type ImportKind } from '../../domain/imports';
import { importWorkflow } from '../../workflows/imports';
import { currentUser, type AuthUser } from '../auth';
import { notFound } from '../errors';
import { route } from '../openapi';
import { checkUpload } from '../uploads';

/** Larger than the API's 1 MB: a month of an agency's records (the file itself is checked by checkUpload). */
export const IMPORT_BODY_LIMIT = '30mb';
const MAX_FILE_BYTES = 20 * 1024 * 1024;
const TYPES = { 'text/csv': 'csv', 'application/json': 'json' } as const;

const importBody = z
  .object({
    kind: z.enum(IMPORT_KINDS, { error: '记录类型（kind）须为 penalty（行政处罚）或 enforcement（执法记录）' }),
    sourceSystem: z
      .string({ error: '请填写来源系统（sourceSystem）' })
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: '来源系统（sourceSystem）应为 1–64 位字母、数字、点、下划线或连字符' }),
    filename: z.string({ error: '请填写文件名（filename）' }).min(1).max(200),
    contentType: z.enum(['text/csv', 'application/json'], {
      error: '文件类型（contentType）须为 text/csv 或 application/json',
    }),
    content: z.string().optional().describe('文件内容（UTF-8 文本）'),
    contentBase64: z.string().optional().describe('文件内容（base64），与 content 二选一'),
  })
  .strict()
  .refine((b) => (b.content === undefined) !== (b.contentBase64 === undefined), {
    error: '请提供文件内容：content 或 contentBase64 二者之一',
  });

const jobParams = z.object({ id: z.string().regex(/^[0-9a-f-]{36}$/, '导入任务编号格式错误') });
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }).strict();

function jobView(j: typeof importJobs.$inferSelect) {
  return {
    id: j.id,
    kind: j.kind,
    kindZh: IMPORT_KIND_ZH[j.kind as ImportKind],
    sourceSystem: j.sourceSystem,
    format: j.format,
    filename: j.filename,
    size: j.size,
    sha256: j.sha256,
    status: j.status,
    progress: {
      processed: j.processed,
      total: j.total,
      percent: j.total ? Math.floor((j.processed * 100) / j.total) : 0,
    },
    inserted: j.inserted,
    updated: j.updated,
    unchanged: j.unchanged,
    errors: j.errors,
    changes: j.changes,
    messageZh: j.messageZh,
    createdBy: { userId: j.createdByUserId, agency: j.createdByAgency },
    createdAt: j.createdAt.toISOString(),
    startedAt: j.startedAt?.toISOString() ?? null,
    finishedAt: j.finishedAt?.toISOString() ?? null,
  };
}

/** An agency sees its own imports; the working group sees all. */
const mayRead = (user: AuthUser, j: typeof importJobs.$inferSelect) =>
  user.agency === 'workingGroup' || user.agency === j.createdByAgency;

/**
 * Data exchange: CSV or JSON files of penalty and enforcement records from the agencies' own systems, imported by a
 * Temporal workflow (all or nothing), with progress and every bad row reported by line.
 */
export function importsRouter(deps: { db: Db; temporal: Client; config: Config }) {
  const { db, temporal, config } = deps;
  const r = Router();

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/imports',
      permission: 'import.write',
      summary: '导入本机关的行政处罚或执法记录（CSV / JSON；按来源编号幂等；有错误行则全部不导入并逐行说明）',
      tags: ['数据交换'],
      body: importBody,
      responses: { 202: { description: '已受理，按 GET /api/v1/imports/{id} 查看进度与结果' } },
    },
    async (req, res, { body }) => {
      const user = currentUser(res);
      const bytes =
        body.content !== undefined ? Buffer.from(body.content, 'utf8') : Buffer.from(body.contentBase64!, 'base64');
      const file = checkUpload({
        filename: body.filename,
        declaredType: body.contentType,
        bytes,
        maxBytes: MAX_FILE_BYTES,
        allowed: Object.keys(TYPES),
      });
      const content = bytes.toString('utf8');
      const id = crypto.randomUUID();
      const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
      // The audit entry keeps what was imported, not the file itself (it stays with the job).
      req.body = {
        ...body,
        content: undefined,
        contentBase64: undefined,
        file: `${file.size} 字节，sha256 ${sha256}，导入任务 ${id}`,
      };
      res.locals.auditTarget = id;
      await db.insert(importJobs).values({
        id,
        kind: body.kind,
        sourceSystem: body.sourceSystem,
        format: TYPES[file.type as keyof typeof TYPES],
        filename: file.filename,
        size: file.size,
        sha256,
        content,
        createdByUserId: user.id,
        createdByAgency: user.agency,
      });
      try {
        await temporal.workflow.start(importWorkflow, {
          workflowId: `import-${id}`,
          taskQueue: config.temporal.taskQueue,
          args: [{ jobId: id }],
        });
      } catch (err) {
        await db
          .update(importJobs)
          .set({ status: 'failed', messageZh: '导入流程未能启动，未导入任何记录，请稍后重试', finishedAt: new Date() })
          .where(eq(importJobs.id, id));
        throw err;
      }
      const [job] = await db.select().from(importJobs).where(eq(importJobs.id, id));
      res.status(202).json(jobView(job));
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/imports/:id',
      permission: 'import.read',
      summary: '导入任务：进度（已处理 / 总行数）、结果、逐行错误与变更',
      tags: ['数据交换'],
      params: jobParams,
    },
    async (_req, res, { params }) => {
      const [job] = await db.select().from(importJobs).where(eq(importJobs.id, params.id));
      if (!job || !mayRead(currentUser(res), job)) throw notFound('导入任务不存在或无权查看');
      res.json(jobView(job));
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/imports',
      permission: 'import.read',
      summary: '最近的导入任务（本机关；联动执法工作组看全部）',
      tags: ['数据交换'],
      query: listQuery,
    },
    async (_req, res, { query }) => {
      const user = currentUser(res);
      const rows = await db
        .select()
        .from(importJobs)
        .where(user.agency === 'workingGroup' ? sql`true` : eq(importJobs.createdByAgency, user.agency))
        .orderBy(desc(importJobs.createdAt))
        .limit(query.limit);
      res.json({
        items: rows.map((j) => ({
          ...jobView(j),
          errors: undefined,
          changes: undefined,
          errorCount: (j.errors as unknown[]).length,
        })),
      });
    },
  );

  return r;
}
