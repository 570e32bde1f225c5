import { Router } from 'express';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import { cases, informationRecords } from '../../db/schema';
import { caseInvolvesAgency } from '../../db/visibility';
import { feedLevel, type Principal } from '../../domain/policy';
import { CONFIDENTIALITY_ZH, informationRecordInput, type Confidentiality } from '../../domain/information';
import { enterInformationRecordUpdate } from '../../workflows/definitions/information';
import { currentUser, type AuthUser } from '../auth';
import { HttpError, notFound } from '../errors';
import { route } from '../openapi';
import { refusal } from '../refusals';
import { visibleTo } from './cases';

const caseIdParams = z.object({ id: z.string().regex(/^[0-9a-f-]{36}$/, '案件编号格式错误') });
const recordParams = caseIdParams.extend({
  seq: z.string().regex(/^\d{1,9}$/, '决定序号格式错误（应为案件事件序号）'),
});

const feedQuery = z
  .object({
    cursor: z
      .string()
      .max(100)
      .regex(/^[A-Za-z0-9_-]*$/, '游标格式错误（应为上次返回的 nextCursor）')
      .optional(),
    limit: z.coerce.number().int().min(1, '每页条数应为 1–500').max(500, '每页条数应为 1–500').default(100),
  })
  .strict();

/** The feed cursor is opaque to clients: today a feed position, versioned so its meaning can change. */
export function encodeCursor(seq: number): string {
  return Buffer.from(`v1:${seq}`, 'utf8').toString('base64url');
}
export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const m = /^v1:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new HttpError(422, 'validation_failed', '游标无效：请使用上次返回的 nextCursor，或不带游标从头读取');
  return Number(m[1]);
}

function recordView(r: typeof informationRecords.$inferSelect) {
  return {
    id: r.id,
    seq: Number(r.id.split('/').pop()),
    step: r.step,
    decisionLabelZh: r.decisionLabelZh,
    article34Item: r.article34Item,
    responsibleAgency: r.responsibleAgency,
    decidedAt: r.decidedAt.toISOString(),
    dueAt: r.dueAt.toISOString(),
    dueDate: r.dueDate,
    provisional: r.provisional,
    status: r.status,
    escalationLevel: r.escalationLevel,
    late: r.late,
    confidentiality: r.confidentiality,
    confidentialityZh: r.confidentiality ? CONFIDENTIALITY_ZH[r.confidentiality as Confidentiality] : null,
    confidentialityReason: r.confidentialityReason,
    content: r.content,
    documentNumber: r.documentNumber,
    enteredAt: r.enteredAt?.toISOString() ?? null,
    enteredBy: r.enteredByUserId
      ? { userId: r.enteredByUserId, agency: r.enteredByAgency, displayName: r.enteredByName }
      : null,
  };
}

/** A 保密 record for a reader not involved in the case: that it exists and is due, not what it says. */
function withheldView(r: typeof informationRecords.$inferSelect) {
  return {
    ...recordView(r),
    content: null,
    documentNumber: null,
    confidentialityReason: null,
    withheld: true,
    withheldZh: '保密信息：仅涉案机关和人民检察院可阅',
  };
}

/**
 * Case information records (2017 Measures Art 34, rule `any.platform-entry`) and the export feed of what was entered.
 */
export function informationRouter(deps: { db: Db; temporal: Client }) {
  const { db, temporal } = deps;
  const r = Router();

  const loadCase = async (id: string, user: AuthUser, res: import('express').Response) => {
    const [row] = await db
      .select()
      .from(cases)
      .where(and(eq(cases.id, id), visibleTo(user)));
    if (!row) throw notFound('案件不存在或无权查阅');
    if (row.confidentiality === 'confidential') res.locals.auditRead = { target: row.id, what: res.req.path };
    return row;
  };

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/cases/:id/information-records',
      permission: 'information.read',
      summary: '案件信息录入事项（2017年办法第三十四条，7日内录入）：待录入与已录入的记录、密级及理由',
      tags: ['信息共享'],
      params: caseIdParams,
    },
    async (_req, res, { params }) => {
      const user = currentUser(res);
      const c = await loadCase(params.id, user, res);
      const rows = await db
        .select()
        .from(informationRecords)
        .where(eq(informationRecords.caseId, c.id))
        .orderBy(asc(informationRecords.decidedAt));
      // A 保密 record is read as a confidential case is: by the agencies involved and the procuratorate only.
      let involved: boolean | undefined;
      if (rows.some((x) => x.confidentiality === 'confidential')) {
        const [v] = await db
          .select({ ok: sql<boolean>`${caseInvolvesAgency(user.agency)}` })
          .from(cases)
          .where(eq(cases.id, c.id));
        involved = Boolean(v?.ok);
        if (involved) res.locals.auditRead = { target: c.id, what: res.req.path };
      }
      res.json({
        caseId: c.id,
        caseNumber: c.caseNumber,
        items: rows.map((x) => (x.confidentiality === 'confidential' && !involved ? withheldView(x) : recordView(x))),
      });
    },
  );

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/cases/:id/information-records/:seq',
      permission: 'information.enter',
      summary:
        '录入一项决定的案件信息（作出决定的机关；密级：public 公开 / internal 内部 / confidential 保密，非公开须说明理由）',
      tags: ['信息共享'],
      params: recordParams,
      body: informationRecordInput,
      responses: { 200: { description: '已录入' } },
    },
    async (_req, res, { params, body }) => {
      const user = currentUser(res);
      const c = await loadCase(params.id, user, res);
      res.locals.auditTarget = c.id;
      const id = `${c.id}/step/${params.seq}`;
      const [rec] = await db.select().from(informationRecords).where(eq(informationRecords.id, id));
      if (!rec) throw notFound('该案件没有这一项待录入的决定');
      if (rec.status === 'entered') throw new HttpError(409, 'invalid_transition', '该决定的案件信息已经录入');
      try {
        await temporal.workflow.getHandle(rec.workflowId).executeUpdate(enterInformationRecordUpdate, {
          args: [
            {
              actor: { userId: user.id, agency: user.agency, role: user.role, displayName: user.displayName },
              record: body,
            },
          ],
        });
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw notFound('信息录入流程不存在');
        throw refusal(err) ?? err;
      }
      const [after] = await db.select().from(informationRecords).where(eq(informationRecords.id, id));
      res.json(recordView(after));
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/feed/cases',
      permission: 'public',
      summary:
        '案件信息交换（供其他平台增量拉取，按游标）：已录入的案件信息；保密内容从不输出，内部信息仅向三机关与联动执法工作组的令牌输出，无令牌只得公开信息',
      tags: ['信息共享'],
      query: feedQuery,
    },
    async (_req, res, { query }) => {
      const level = feedLevel(res.locals.user as Principal | undefined);
      const after = decodeCursor(query.cursor);
      const allowed = level === 'internal' ? ['public', 'internal'] : ['public'];
      const allowedSql = sql.join(
        allowed.map((a) => sql`${a}`),
        sql`, `,
      );
      // A confidential case makes every record of it confidential, whatever the record's own mark.
      const rows = await db
        .select({
          r: informationRecords,
          c: {
            caseNumber: cases.caseNumber,
            title: cases.title,
            track: cases.track,
            confidentiality: cases.confidentiality,
          },
        })
        .from(informationRecords)
        .innerJoin(cases, eq(cases.id, informationRecords.caseId))
        .where(
          and(
            gt(informationRecords.feedSeq, after),
            eq(informationRecords.status, 'entered'),
            sql`${informationRecords.confidentiality} in (${allowedSql})`,
            sql`${cases.confidentiality} <> 'confidential'`,
          ),
        )
        .orderBy(asc(informationRecords.feedSeq))
        .limit(query.limit + 1);
      const page = rows.slice(0, query.limit);
      const last = page.length ? page[page.length - 1].r.feedSeq! : after;
      res.json({
        level,
        items: page.map(({ r: rec, c }) => ({
          id: rec.id,
          caseNumber: c.caseNumber,
          // The case's own mark governs its title: an internal case is named only to agency tokens.
          caseTitle: allowed.includes(c.confidentiality) ? c.title : null,
          track: c.track,
          decision: {
            step: rec.step,
            labelZh: rec.decisionLabelZh,
            article34Item: rec.article34Item,
            decidedAt: rec.decidedAt.toISOString(),
          },
          agency: rec.responsibleAgency,
          confidentiality: rec.confidentiality,
          content: rec.content,
          documentNumber: rec.documentNumber,
          enteredAt: rec.enteredAt?.toISOString() ?? null,
          late: rec.late,
        })),
        nextCursor: encodeCursor(last),
        hasMore: rows.length > query.limit,
      });
    },
  );

  return r;
}
