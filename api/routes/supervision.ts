import { Router, type Request, type Response } from 'express';
import { and, asc, desc, eq, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { cases, supervisionEvents, supervisionItems } from '../../db/schema';
import {
  CLOSE_RESULTS,
  CLOSE_RESULT_ZH,
  OPINIONS,
  OPINION_KINDS,
  SUPERVISION_KINDS,
  SUPERVISION_KIND_ZH,
  SUPERVISION_STATUSES,
  SUPERVISION_STATUS_ZH,
  opinionsFor,
  type CloseResult,
  type OpinionKind,
  type SupervisionKind,
  type SupervisionStatus,
} from '../../domain/supervision';
import type { DutyActor } from '../../workflows/definitions/duties';
import {
  answerOpinionUpdate,
  closeSupervisionUpdate,
  issueOpinionUpdate,
} from '../../workflows/definitions/supervision';
import { currentUser, type AuthUser } from '../auth';
import { HttpError, notFound } from '../errors';
import { boundedUpdate } from '../bounded';
import { route } from '../openapi';
import { idempotencyOf } from '../idempotency';
import { refusal } from '../refusals';
import { visibleTo } from './cases';

/**
 * Supervision items (检察监督事项, issue 5 item 5; 2017 Measures Arts 14–15): opened by the procuratorate's sweep
 * (spp.transfer-supervision-sweep) or by a case clock's supervision rung; the SPP issues an opinion, the addressed
 * agency answers, the SPP closes. Each action is an Update of the item's workflow, which checks who may act.
 */

const idParams = z.object({ id: z.string().regex(/^sv-[A-Za-z0-9._-]{1,200}$/, '监督事项编号格式错误') });
const listQuery = z
  .object({
    status: z
      .enum(SUPERVISION_STATUSES)
      .optional()
      .describe('opened 待审查 | opinionIssued 已发出检察意见 | answered 已答复 | closed 已办结'),
    kind: z
      .enum(SUPERVISION_KINDS)
      .optional()
      .describe(
        'notTransferred 有案不移 | notFiled 有案不立 | notInvestigated 立而不侦 | penaltyInsteadOfCriminal 以罚代刑',
      ),
    agency: z.enum(['eeb', 'psb']).optional().describe('被监督机关'),
    overdue: z.enum(['true', 'false']).optional().describe('只看已超期的'),
    caseId: z
      .string()
      .regex(/^[0-9a-f-]{36}$/, '案件编号格式错误')
      .optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(100_000).default(0),
  })
  .strict();
const opinionBody = z
  .object({
    opinionKind: z.enum(OPINION_KINDS).describe(
      Object.entries(OPINIONS)
        .map(([k, o]) => `${k} ${o.labelZh}`)
        .join(' | '),
    ),
    text: z.string().trim().min(1, '请填写检察意见内容').max(4000),
  })
  .strict();
const answerBody = z.object({ text: z.string().trim().min(1, '请填写答复内容').max(4000) }).strict();
const closeBody = z
  .object({
    result: z.enum(CLOSE_RESULTS).describe(
      Object.entries(CLOSE_RESULT_ZH)
        .map(([k, v]) => `${k} ${v}`)
        .join(' | '),
    ),
    note: z.string().trim().max(4000).optional(),
  })
  .strict();

const actorOf = (u: AuthUser): DutyActor => ({
  userId: u.id,
  agency: u.agency,
  role: u.role,
  displayName: u.displayName,
});
type ItemRow = typeof supervisionItems.$inferSelect;

/**
 * Items about a case follow the case's confidentiality (domain/policy canSeeCase); items about a penalty record
 * (以罚代刑) are visible to the three agencies and the working group.
 */
function itemVisibleTo(user: AuthUser): SQL {
  if (user.agency === 'admin') return sql`false`;
  return or(
    sql`${supervisionItems.caseId} is null`,
    sql`exists (select 1 from ${cases} where ${cases.id} = ${supervisionItems.caseId} and ${visibleTo(user)})`,
  )!;
}

function itemView(r: ItemRow, caseNumber: string | null) {
  return {
    id: r.id,
    kind: r.kind,
    kindZh: SUPERVISION_KIND_ZH[r.kind as SupervisionKind] ?? r.kind,
    status: r.status,
    statusZh: SUPERVISION_STATUS_ZH[r.status as SupervisionStatus] ?? r.status,
    source: r.source,
    sourceZh: r.source === 'sweep' ? '定期排查' : '期限监督',
    subjectType: r.subjectType,
    caseId: r.caseId,
    caseNumber,
    penaltyRecordId: r.penaltyRecordId,
    criterionId: r.criterionId,
    reasonZh: r.reasonZh,
    basis: r.basis,
    concernedAgency: r.concernedAgency,
    opinionKind: r.opinionKind,
    opinionZh: r.opinionKind ? (OPINIONS[r.opinionKind as OpinionKind]?.labelZh ?? r.opinionKind) : null,
    opinionText: r.opinionText,
    answerText: r.answerText,
    clock: r.clockRuleId
      ? {
          ruleId: r.clockRuleId,
          agency: r.clockAgency,
          dueAt: r.dueAt?.toISOString() ?? null,
          dueDate: r.dueDate,
          escalationLevel: r.escalationLevel,
        }
      : null,
    overdue: r.overdue,
    result: r.result,
    resultZh: r.result ? (CLOSE_RESULT_ZH[r.result as CloseResult] ?? r.result) : null,
    resultNote: r.resultNote,
    /** The opinions the SPP may issue on an item of this kind. */
    opinionsAllowed: opinionsFor(r.kind as SupervisionKind).map((k) => ({
      opinionKind: k,
      labelZh: OPINIONS[k].labelZh,
      addressee: OPINIONS[k].addressee,
      answerRuleId: OPINIONS[k].answerRuleId,
      basis: OPINIONS[k].basis,
    })),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    closedAt: r.closedAt?.toISOString() ?? null,
  };
}

export function supervisionRouter(deps: { db: Db; temporal: Client; config: Config }) {
  const { db, temporal, config } = deps;
  const r = Router();

  const load = async (id: string, user: AuthUser) => {
    const [row] = await db
      .select({ item: supervisionItems, caseNumber: cases.caseNumber, confidentiality: cases.confidentiality })
      .from(supervisionItems)
      .leftJoin(cases, eq(cases.id, supervisionItems.caseId))
      .where(and(eq(supervisionItems.id, id), itemVisibleTo(user)));
    // A confidential case's item answers exactly like a missing one.
    if (!row) throw notFound('监督事项不存在');
    return row;
  };

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/supervision-items',
      permission: 'supervision.read',
      summary: '检察监督事项列表（按状态、类型、被监督机关、超期、案件筛选；保密案件的事项仅限涉案机关和检察院）',
      tags: ['检察监督'],
      query: listQuery,
    },
    async (_req, res, { query }) => {
      const user = currentUser(res);
      const where: SQL[] = [itemVisibleTo(user)];
      if (query.status) where.push(eq(supervisionItems.status, query.status));
      if (query.kind) where.push(eq(supervisionItems.kind, query.kind));
      if (query.agency) where.push(eq(supervisionItems.concernedAgency, query.agency));
      if (query.overdue) where.push(eq(supervisionItems.overdue, query.overdue === 'true'));
      if (query.caseId) where.push(eq(supervisionItems.caseId, query.caseId));
      const [rows, [{ total }]] = await Promise.all([
        db
          .select({ item: supervisionItems, caseNumber: cases.caseNumber, confidentiality: cases.confidentiality })
          .from(supervisionItems)
          .leftJoin(cases, eq(cases.id, supervisionItems.caseId))
          .where(and(...where))
          .orderBy(desc(supervisionItems.createdAt), asc(supervisionItems.id))
          .limit(query.limit)
          .offset(query.offset),
        db
          .select({ total: sql<number>`count(*)::int` })
          .from(supervisionItems)
          .where(and(...where)),
      ]);
      const secret = rows.filter((x) => x.confidentiality === 'confidential').map((x) => x.item.id);
      if (secret.length)
        res.locals.auditRead = {
          target: secret.length === 1 ? secret[0] : 'supervision-items',
          what: `监督事项列表含保密案件的事项：${secret.join(', ')}`,
        };
      res.json({ total, items: rows.map((x) => itemView(x.item, x.caseNumber)) });
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/supervision-items/:id',
      permission: 'supervision.read',
      summary: '一件监督事项：理由、依据、意见、答复、期限与全部记录',
      tags: ['检察监督'],
      params: idParams,
    },
    async (_req, res, { params }) => {
      const user = currentUser(res);
      const row = await load(params.id, user);
      res.locals.auditTarget = row.item.id;
      // Every read of a confidential case's item is on record, as reads of the case itself are.
      if (row.confidentiality === 'confidential')
        res.locals.auditRead = { target: row.item.id, what: `保密案件 ${row.item.caseId} 的监督事项` };
      const events = await db
        .select()
        .from(supervisionEvents)
        .where(eq(supervisionEvents.itemId, row.item.id))
        .orderBy(asc(supervisionEvents.seq));
      res.json({
        ...itemView(row.item, row.caseNumber),
        events: events.map((e) => ({
          type: e.type,
          labelZh: e.labelZh,
          ruleId: e.ruleId,
          actorAgency: e.actorAgency,
          occurredAt: e.occurredAt.toISOString(),
          data: e.data,
        })),
      });
    },
  );

  const act = async (
    req: Request,
    res: Response,
    id: string,
    update: typeof issueOpinionUpdate | typeof answerOpinionUpdate | typeof closeSupervisionUpdate,
    input: unknown,
  ) => {
    const user = currentUser(res);
    const row = await load(id, user);
    res.locals.auditTarget = row.item.id;
    const idem = idempotencyOf(req, user.id);
    try {
      await boundedUpdate(
        temporal,
        temporal.workflow.getHandle(row.item.workflowId),
        update,
        { args: [{ actor: actorOf(user), input }], updateId: idem.updateId(update.name) },
        config.updateAnswerMs,
      );
    } catch (err) {
      const mapped = refusal(err);
      if (mapped) throw mapped;
      if (err instanceof WorkflowNotFoundError)
        throw new HttpError(
          409,
          'invalid_transition',
          `监督事项已${SUPERVISION_STATUS_ZH[row.item.status as SupervisionStatus] ?? '办结'}，不能再办理`,
        );
      throw err;
    }
    const after = await load(id, user);
    res.json(itemView(after.item, after.caseNumber));
  };

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/supervision-items/:id/opinion',
      permission: 'supervision.act',
      summary:
        '检察院发出监督意见（建议移送、要求说明不立案理由、要求说明逾期理由、通知立案、督促侦查）：开始被监督机关的答复期限',
      tags: ['检察监督'],
      params: idParams,
      body: opinionBody,
    },
    async (req, res, { params, body }) => act(req, res, params.id, issueOpinionUpdate, body),
  );

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/supervision-items/:id/answer',
      permission: 'supervision.act',
      summary: '被监督机关答复检察意见（只限意见所致机关）',
      tags: ['检察监督'],
      params: idParams,
      body: answerBody,
    },
    async (req, res, { params, body }) => act(req, res, params.id, answerOpinionUpdate, body),
  );

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/supervision-items/:id/close',
      permission: 'supervision.act',
      summary: '检察院办结监督事项（已纠正、理由成立、未发现违法、移送处理）',
      tags: ['检察监督'],
      params: idParams,
      body: closeBody,
    },
    async (req, res, { params, body }) => act(req, res, params.id, closeSupervisionUpdate, body),
  );

  return r;
}
