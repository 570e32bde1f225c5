import { Router, type Response } from 'express';
import { and, asc, count, desc, eq, gte, ilike, lte, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { policyInForce, type Config } from '../../config';
import type { Db } from '../../db/client';
import { caseEvents, cases, deadlines } from '../../db/schema';
import { caseVisibleToAgency } from '../../db/visibility';
import { STEPS, STEP_NAMES, isStepName, validateInitial, type Actor } from '../../domain/case';
import {
  CASE_WORKFLOW,
  caseWorkflowId,
  registeredUpdate,
  stateQuery,
  stepUpdate,
  type CaseWorkflow,
  type CaseWorkflowInput,
} from '../../workflows/definitions/case';
import { currentUser, type AuthUser } from '../auth';
import { coalescerFor } from '../coalesce';
import { HttpError, notFound } from '../errors';
import { caseHistory } from '../history';
import { boundedQuery, boundedUpdate } from '../bounded';
import { idempotencyOf } from '../idempotency';
import { route } from '../openapi';
import { refusal } from '../refusals';

import { TRACKS, TRACK_ZH } from '../../domain/vocabulary';

export { TRACKS, TRACK_ZH };

export const createCaseBody = z
  .object({
    title: z.string().trim().min(1).max(200).describe('案件名称'),
    track: z
      .enum(TRACKS)
      .describe('办理类型：criminal 涉嫌犯罪移送 / detention 移送行政拘留 / administrative 行政处罚'),
    summary: z.string().max(5000).optional().describe('案情摘要'),
    confidentiality: z.enum(['public', 'internal', 'confidential']).default('internal').describe('密级'),
    custody: z.boolean().default(false).describe('嫌疑人是否被羁押'),
    major: z.boolean().default(false).describe('重大案件'),
    documentNumber: z.string().trim().min(1).max(100).optional().describe('移送行政拘留：案件移送审批单编号'),
    psbUnit: z.string().trim().min(1).max(200).optional().describe('接收移送的公安机关'),
  })
  .strict();

const stepParams = z.object({
  id: z.string().regex(/^[0-9a-f-]{36}$/, '案件编号格式错误'),
  step: z.string().regex(/^[A-Za-z]{1,60}$/, '操作名称格式错误'),
});
const stepBody = z.record(z.string(), z.unknown()).describe('该操作的字段（见 GET /api/v1/steps）');

/** The acting user as the case model sees them. */
export function actorOf(user: AuthUser): Actor {
  return {
    userId: user.id,
    agency: user.agency as Actor['agency'],
    role: user.role as Actor['role'],
    displayName: user.displayName,
  };
}

const caseIdParams = z.object({ id: z.string().regex(/^[0-9a-f-]{36}$/, '案件编号格式错误') });

const listQuery = z.object({
  track: z.enum(TRACKS).optional(),
  stage: z.string().max(64).optional(),
  agency: z.enum(['eeb', 'psb', 'spp']).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  dueBefore: z.iso.datetime({ offset: true }).optional(),
  createdFrom: z.iso.datetime({ offset: true }).optional(),
  createdTo: z.iso.datetime({ offset: true }).optional(),
  q: z.string().max(100).optional(),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

/** SQL form of domain/policy canSeeCase for this user (db/visibility.ts). */
export function visibleTo(user: AuthUser): SQL {
  return caseVisibleToAgency(user.agency);
}

/**
 * A read of several statements takes one connection for all of them, in one read-only snapshot (total and page
 * agree): statement by statement, each one queued again for the pool behind every other request (bench load).
 */
export const READ_TX = { isolationLevel: 'repeatable read', accessMode: 'read only' } as const;

export type CaseListQuery = z.infer<typeof listQuery>;
export const parseCaseListQuery = (q: unknown): CaseListQuery => listQuery.parse(q);

/**
 * The two statements GET /api/v1/cases runs, in order (in one READ_TX transaction): the total under the filters and the visibility condition,
 * then the page (created_at desc, id). Exported so the benchmark runs exactly this SQL as its reference.
 */
export function caseListStatements(db: Db, user: AuthUser, query: CaseListQuery) {
  const where: SQL[] = [visibleTo(user)];
  if (query.track) where.push(eq(cases.track, query.track));
  if (query.stage) where.push(eq(cases.stage, query.stage));
  if (query.agency) where.push(eq(cases.responsibleAgency, query.agency));
  if (query.overdue) where.push(eq(cases.overdue, query.overdue === 'true'));
  if (query.dueBefore) where.push(lte(cases.nextDeadlineAt, new Date(query.dueBefore)));
  if (query.createdFrom) where.push(gte(cases.createdAt, new Date(query.createdFrom)));
  if (query.createdTo) where.push(lte(cases.createdAt, new Date(query.createdTo)));
  if (query.q) {
    const pattern = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(or(ilike(cases.title, pattern), ilike(cases.caseNumber, pattern))!);
  }
  const cond = and(...where);
  return {
    total: db.select({ total: count() }).from(cases).where(cond),
    page: db
      .select()
      .from(cases)
      .where(cond)
      .orderBy(desc(cases.createdAt), asc(cases.id))
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize),
  };
}

/**
 * GET /api/v1/steps, serialised once per process: the step table is code, and converting its 66 zod schemas to
 * JSON Schema cost ~24 ms of CPU per request (bench load).
 */
let stepsJson: string | undefined;
function stepsBody(): string {
  stepsJson ??= JSON.stringify({
    items: STEP_NAMES.map((name) => {
      const def = STEPS[name];
      return {
        step: name,
        labelZh: def.labelZh,
        basisZh: def.basisZh,
        performers: def.performers,
        from: def.from,
        to: def.to ?? null,
        documentZh: def.documentZh ?? null,
        crossCutting: Boolean(def.crossCutting),
        inputSchema: z.toJSONSchema(def.schema, { io: 'input', unrepresentable: 'any' }),
      };
    }),
  });
  return stepsJson;
}

export function casesRouter(deps: { db: Db; temporal: Client; config: Config }) {
  const { db, temporal, config } = deps;
  const r = Router();

  /** A case the user may see; a confidential case of other agencies answers exactly like a missing one. */
  const loadCase = async (id: string, user: AuthUser, res?: Response) => {
    const [row] = await db
      .select()
      .from(cases)
      .where(and(eq(cases.id, id), visibleTo(user)));
    if (!row) throw notFound('案件不存在或无权查阅');
    // Every read of a confidential case is audited (api/audit.ts writes it when the response finishes).
    if (res && row.confidentiality === 'confidential') res.locals.auditRead = { target: row.id, what: res.req.path };
    return row;
  };

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/cases',
      permission: 'case.create',
      summary: '登记案件并启动案件流程（幂等：相同 Idempotency-Key 返回同一案件）',
      tags: ['案件'],
      body: createCaseBody,
      responses: {
        201: { description: '已登记' },
        202: { description: '已受理，正在登记（流程已启动；以同一 Idempotency-Key 重试可取得登记结果）' },
      },
    },
    async (req, res, { body }) => {
      const user = currentUser(res);
      // A repeat with the same key is the same case id, so the same workflow (USE_EXISTING below).
      const caseId = idempotencyOf(req, user.id).uuid();
      res.locals.auditTarget = caseId;
      const workflowId = caseWorkflowId(caseId);
      const input: CaseWorkflowInput = {
        caseId,
        title: body.title,
        summary: body.summary,
        track: body.track,
        confidentiality: body.confidentiality,
        custody: body.custody,
        major: body.major,
        documentNumber: body.documentNumber,
        psbUnit: body.psbUnit,
        createdAtMs: Date.now(),
        actor: actorOf(user),
        ...policyInForce(config),
      };
      // Refuse before anything starts: only the EEB registers cases; detention needs the head's approval form.
      const check = validateInitial({ ...input, confidentiality: body.confidentiality });
      if (!check.ok) {
        throw new HttpError(
          check.code,
          check.code === 403 ? 'forbidden' : 'validation_failed',
          check.messageZh,
          check.field ? { field: check.field } : undefined,
        );
      }
      const start = new WithStartWorkflowOperation<CaseWorkflow>(CASE_WORKFLOW, {
        workflowId,
        taskQueue: config.temporal.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      // The answer waits for the workflow's registration (case number, first clocks) at most registrationAnswerMs.
      // When the workers are behind, a started workflow is answered 202: it is durable and registers the case as
      // soon as a worker takes it; a repeat with the same Idempotency-Key answers 201 once it has.
      const abort = new AbortController();
      const registering = temporal.withAbortSignal(abort.signal, () =>
        temporal.workflow.executeUpdateWithStart(registeredUpdate, { startWorkflowOperation: start, args: [] }),
      );
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((ok) => (timer = setTimeout(() => ok('late'), config.registrationAnswerMs)));
      let view = await Promise.race([registering, late]).finally(() => clearTimeout(timer));
      if (view === 'late') {
        const started = await temporal.workflow
          .getHandle(workflowId)
          .describe()
          .then(
            () => true,
            (err: unknown) => {
              if (err instanceof WorkflowNotFoundError) return false;
              throw err;
            },
          );
        if (started) {
          abort.abort();
          registering.catch(() => undefined);
          res.status(202).location(`/api/v1/cases/${caseId}`).json({
            caseId,
            status: 'registering',
            messageZh:
              '案件已受理，正在登记（平台繁忙）。登记完成后可在案件列表查看；以同一 Idempotency-Key 重试可取得登记结果。',
          });
          return;
        }
        view = await registering;
      }
      // The case row and its open deadlines (written by the workflow before the update answered) in one query.
      const rows = await db
        .select({ c: cases, d: deadlines })
        .from(cases)
        .leftJoin(deadlines, and(eq(deadlines.caseId, cases.id), eq(deadlines.status, 'open')))
        .where(and(eq(cases.id, caseId), visibleTo(user)));
      if (!rows.length) throw notFound('案件不存在或无权查阅');
      const open = rows.flatMap((r) => (r.d ? [r.d] : []));
      res.status(201).location(`/api/v1/cases/${caseId}`).json({ case: rows[0].c, deadlines: open, live: view });
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/cases',
      permission: 'case.read',
      summary: '案件列表（按办理类型、阶段、责任单位、超期、期限、日期和关键词筛选，分页）',
      tags: ['案件'],
      query: listQuery,
    },
    async (_req, res, { query }) => {
      const user = currentUser(res);
      // The statements depend on the user's agency (visibleTo) and the query only.
      const { total, items } = await coalescerFor<{ total: number; items: (typeof cases.$inferSelect)[] }>(
        db,
        'cases.list',
      ).run(`${user.agency}|${JSON.stringify(query)}`, () =>
        db.transaction(async (tx) => {
          const q = caseListStatements(tx, user, query);
          const [{ total }] = await q.total;
          return { total, items: await q.page };
        }, READ_TX),
      );
      const secret = items.filter((c) => c.confidentiality === 'confidential').map((c) => c.id);
      if (secret.length)
        res.locals.auditRead = {
          target: secret.length === 1 ? secret[0] : 'cases',
          what: `案件列表含保密案件：${secret.join(', ')}`,
        };
      res.json({ items, page: query.page, pageSize: query.pageSize, total });
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/cases/:id',
      permission: 'case.read',
      summary: '案件详情（含未结期限）',
      tags: ['案件'],
      params: caseIdParams,
    },
    async (_req, res, { params }) => {
      const row = await loadCase(params.id, currentUser(res), res);
      const rows = await db.select().from(deadlines).where(eq(deadlines.caseId, row.id)).orderBy(asc(deadlines.dueAt));
      res.json({
        case: row,
        deadlines: rows.filter((d) => d.status === 'open'),
        closedDeadlines: rows.filter((d) => d.status !== 'open'),
      });
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/cases/:id/events',
      permission: 'case.read',
      summary: '案件事件记录（只追加：每一步、每次预警、超期、督办）',
      tags: ['案件'],
      params: caseIdParams,
    },
    async (_req, res, { params }) => {
      const row = await loadCase(params.id, currentUser(res), res);
      const items = await db
        .select()
        .from(caseEvents)
        .where(eq(caseEvents.caseId, row.id))
        .orderBy(asc(caseEvents.seq));
      res.json({ caseId: row.id, caseNumber: row.caseNumber, items });
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/cases/:id/history',
      permission: 'case.read',
      summary: '案件流程历史：中文时间线；format=raw 返回 temporal workflow show 与回放可用的原始 JSON',
      tags: ['案件'],
      params: caseIdParams,
      query: z.object({ format: z.enum(['timeline', 'raw']).default('timeline') }),
    },
    async (_req, res, { params, query }) => {
      const row = await loadCase(params.id, currentUser(res), res);
      try {
        const h = await caseHistory(temporal, row.workflowId);
        if (query.format === 'raw') {
          res.type('application/json').attachment(`${row.workflowId}.history.json`).send(h.raw());
          return;
        }
        res.json({ caseId: row.id, caseNumber: row.caseNumber, workflowId: row.workflowId, timeline: h.timeline });
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw notFound('案件流程历史不存在（可能已超过保留期限）');
        throw err;
      }
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/steps',
      permission: 'authenticated',
      summary: '全部办理操作：名称、中文名称、办理机关、适用阶段',
      tags: ['案件'],
    },
    async (_req, res) => {
      res.type('application/json').send(stepsBody());
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/cases/:id/state',
      permission: 'case.read',
      summary: '案件实时状态（流程查询）：阶段、未结期限、待办机关与可办理操作',
      tags: ['案件'],
      params: caseIdParams,
    },
    async (_req, res, { params }) => {
      const row = await loadCase(params.id, currentUser(res), res);
      try {
        res.json(
          await boundedQuery(temporal, config.updateAnswerMs, () =>
            temporal.workflow.getHandle(row.workflowId).query(stateQuery),
          ),
        );
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw notFound('案件流程不存在');
        throw err;
      }
    },
  );

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/cases/:id/steps/:step',
      permission: 'case.act',
      summary: '办理一个步骤（Temporal Update；Idempotency-Key 作为更新编号，重复提交只生效一次）',
      tags: ['案件'],
      params: stepParams,
      body: stepBody,
      responses: {
        200: { description: '已办理，返回案件实时状态' },
        403: { description: '本机关或本角色无权办理该步骤' },
        404: { description: '案件或操作不存在' },
        409: { description: '当前阶段不能办理该步骤' },
      },
    },
    async (req, res, { params, body }) => {
      const user = currentUser(res);
      if (!isStepName(params.step)) throw new HttpError(404, 'unknown_step', `未知的操作：${params.step}`);
      const row = await loadCase(params.id, user);
      const idem = idempotencyOf(req, user.id);
      try {
        const view = await boundedUpdate(
          temporal,
          temporal.workflow.getHandle(row.workflowId),
          stepUpdate(params.step),
          { args: [{ actor: actorOf(user), input: body }], updateId: idem.updateId() },
          config.updateAnswerMs,
        );
        res.json(view);
      } catch (err) {
        // The case workflow's 404 is a step it does not know.
        const mapped = refusal(err, 'unknown_step');
        if (mapped) throw mapped;
        if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'case_closed', '案件流程已结束，不能再办理');
        throw err;
      }
    },
  );

  return r;
}
