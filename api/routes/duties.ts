import { Router } from 'express';
import { and, asc, count, desc, eq, inArray, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';
import { policyInForce, type Config } from '../../config';
import type { Db } from '../../db/client';
import { cases, dutyEvents, dutyItems, dutyPeriods } from '../../db/schema';
import { DUTY_IDS, RECURRING_DUTIES, recurringPeriodOf, type Cadence } from '../../domain/deadlines';
import { describeSchedule, dutyOfSchedule, listSchedules, setScheduleCadence } from '../../infra/schedules';
import { chinaDate } from '../../workflows/duties/common';
import type { DutyActor, DutyPeriodInput, DutyUpdateRequest } from '../../workflows/definitions/duties';
import {
  cancelOperationUpdate,
  jointEnforcementStateQuery,
  openCaseFromLeadUpdate,
  planOperationUpdate,
  recordOutcomeUpdate,
} from '../../workflows/definitions/joint-enforcement';
import type { jointMeetingWorkflow } from '../../workflows/duties/joint-meeting';
import {
  addAgendaItemUpdate,
  completeResolutionUpdate,
  meetingStateQuery,
  recordMinutesUpdate,
  scheduleMeetingUpdate,
} from '../../workflows/definitions/joint-meeting';
import {
  cancelTrainingUpdate,
  planTrainingUpdate,
  recordTrainingUpdate,
  trainingStateQuery,
} from '../../workflows/definitions/training';
import { currentUser, type AuthUser } from '../auth';
import { HttpError, notFound } from '../errors';
import { boundedQuery, boundedUpdate } from '../bounded';
import { route } from '../openapi';
import { idempotencyOf } from '../idempotency';
import { refusal } from '../refusals';

/**
 * The state query and the updates of each kind of duty workflow that has them, by the workflow id's prefix (the
 * briefing and the sweep have neither). The updates all take a DutyUpdateRequest.
 */
const MESSAGES_BY_PREFIX: {
  prefix: string;
  state: QueryDefinition<unknown>;
  updates: readonly UpdateDefinition<unknown, [DutyUpdateRequest]>[];
}[] = [
  {
    prefix: 'duty-joint-enforcement-',
    state: jointEnforcementStateQuery,
    updates: [planOperationUpdate, cancelOperationUpdate, recordOutcomeUpdate, openCaseFromLeadUpdate],
  },
  {
    prefix: 'duty-training-',
    state: trainingStateQuery,
    updates: [planTrainingUpdate, recordTrainingUpdate, cancelTrainingUpdate],
  },
  {
    prefix: 'duty-joint-meeting-',
    state: meetingStateQuery,
    updates: [scheduleMeetingUpdate, addAgendaItemUpdate, recordMinutesUpdate, completeResolutionUpdate],
  },
];
const messagesOf = (workflowId: string) => MESSAGES_BY_PREFIX.find((m) => workflowId.startsWith(m.prefix));

const scheduleParams = z.object({ id: z.string().regex(/^duty-[a-z-]{1,60}$/, '定期任务编号格式错误') });
const dutyParams = z.object({ id: z.string().regex(/^duty-[A-Za-z0-9-]{1,80}$/, '事项编号格式错误') });
const actionParams = dutyParams.extend({ action: z.string().regex(/^[A-Za-z]{1,40}$/, '操作名称格式错误') });

const AGENDA_LISTS = ['overdueCases', 'supervisedCases', 'majorCases', 'disputes'] as const;

/**
 * Meeting agendas compiled before confidential cases were left out of them still name some: those entries are
 * dropped from whatever is served (record, events, live state). Agendas compiled now count such cases instead.
 */
export async function withoutConfidentialAgendaCases<T>(db: Db, value: T): Promise<T> {
  const agendas: Record<string, unknown>[] = [];
  const walk = (v: unknown, depth: number) => {
    if (depth > 8 || !v || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1));
    const o = v as Record<string, unknown>;
    if (AGENDA_LISTS.some((k) => Array.isArray(o[k]))) agendas.push(o);
    for (const x of Object.values(o)) walk(x, depth + 1);
  };
  walk(value, 0);
  const ids = [
    ...new Set(
      agendas.flatMap((a) =>
        AGENDA_LISTS.flatMap((k) => ((a[k] as { caseId?: string }[] | undefined) ?? []).map((c) => c.caseId ?? '')),
      ),
    ),
  ].filter(Boolean);
  if (!ids.length) return value;
  const secret = new Set(
    (
      await db
        .select({ id: cases.id })
        .from(cases)
        .where(and(inArray(cases.id, ids), eq(cases.confidentiality, 'confidential')))
    ).map((c) => c.id),
  );
  if (!secret.size) return value;
  for (const a of agendas)
    for (const k of AGENDA_LISTS)
      if (Array.isArray(a[k])) a[k] = (a[k] as { caseId?: string }[]).filter((c) => !secret.has(c.caseId ?? ''));
  return value;
}

const actorOf = (u: AuthUser): DutyActor => ({
  userId: u.id,
  agency: u.agency,
  role: u.role,
  displayName: u.displayName,
});

export function dutiesRouter(deps: { db: Db; temporal: Client; config: Config }) {
  const { db, temporal, config } = deps;
  const r = Router();

  const scheduleOr404 = async (id: string) => {
    const v = await describeSchedule(temporal, id);
    if (!v) throw notFound('定期任务不存在');
    return v;
  };

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/schedules',
      permission: 'schedule.read',
      summary: '定期任务（联合执法、教育培训、联席会议、信息通报）：周期、状态、下次运行时间',
      tags: ['定期任务'],
    },
    async (_req, res) => {
      res.json({ items: await listSchedules(temporal) });
    },
  );

  for (const [verb, zh] of [
    ['pause', '暂停'],
    ['unpause', '恢复'],
    ['trigger', '立即运行'],
  ] as const) {
    route(
      r,
      {
        method: 'post',
        path: `/api/v1/schedules/:id/${verb}`,
        permission: 'schedule.write',
        summary: `${zh}定期任务`,
        tags: ['定期任务'],
        params: scheduleParams,
      },
      async (_req, res, { params }) => {
        await scheduleOr404(params.id);
        const handle = temporal.schedule.getHandle(params.id);
        const who = currentUser(res).displayName;
        if (verb === 'pause') await handle.pause(`${who}暂停`);
        else if (verb === 'unpause') await handle.unpause(`${who}恢复`);
        else await handle.trigger();
        res.json(await scheduleOr404(params.id));
      },
    );
  }

  route(
    r,
    {
      method: 'put',
      path: '/api/v1/schedules/:id/cadence',
      permission: 'schedule.write',
      summary: '修改定期任务的周期（仅限制度规定“定期”的职责；重启后保留，除非配置中的周期改变）',
      tags: ['定期任务'],
      params: scheduleParams,
      body: z.object({ cadence: z.enum(['monthly', 'quarterly', 'annual']).describe('每月 / 每季度 / 每年') }).strict(),
    },
    async (_req, res, { params, body }) => {
      const v = await scheduleOr404(params.id);
      const dutyId = dutyOfSchedule(params.id)!;
      if (!RECURRING_DUTIES[dutyId].configurable) {
        throw new HttpError(
          422,
          'validation_failed',
          `${RECURRING_DUTIES[dutyId].labelZh}的周期由制度规定（${v.cadenceZh}），不能修改`,
          { field: 'cadence' },
        );
      }
      await setScheduleCadence(temporal, params.id, body.cadence as Cadence);
      res.json(await scheduleOr404(params.id));
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/duties',
      permission: 'duty.read',
      summary: '定期职责各期办理情况（联合执法、教育培训、联席会议、信息通报）',
      tags: ['定期职责'],
      query: z.object({
        dutyId: z.enum(DUTY_IDS).optional(),
        status: z.enum(['open', 'done', 'nonCompliant', 'escalated', 'completedLate']).optional(),
        page: z.coerce.number().int().min(1).max(100000).default(1),
        pageSize: z.coerce.number().int().min(1).max(200).default(20),
      }),
    },
    async (_req, res, { query }) => {
      const where: SQL[] = [];
      if (query.dutyId) where.push(eq(dutyPeriods.dutyId, query.dutyId));
      if (query.status) where.push(eq(dutyPeriods.status, query.status));
      const cond = where.length ? and(...where) : undefined;
      const [{ total }] = await db.select({ total: count() }).from(dutyPeriods).where(cond);
      const items = await db
        .select()
        .from(dutyPeriods)
        .where(cond)
        .orderBy(desc(dutyPeriods.startDate), asc(dutyPeriods.id))
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize);
      res.json({ items, page: query.page, pageSize: query.pageSize, total });
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/duties/:id',
      permission: 'duty.read',
      summary: '一期定期职责的记录、事项与实时状态',
      tags: ['定期职责'],
      params: dutyParams,
    },
    async (_req, res, { params }) => {
      const [period] = await db.select().from(dutyPeriods).where(eq(dutyPeriods.id, params.id));
      if (!period) throw notFound('该期事项不存在');
      const events = await db
        .select()
        .from(dutyEvents)
        .where(eq(dutyEvents.periodId, params.id))
        .orderBy(asc(dutyEvents.seq));
      const items = await db
        .select()
        .from(dutyItems)
        .where(eq(dutyItems.periodId, params.id))
        .orderBy(asc(dutyItems.createdAt), asc(dutyItems.id));
      let live: unknown = null;
      const state = messagesOf(params.id)?.state;
      try {
        if (state)
          live = await boundedQuery(temporal, config.updateAnswerMs, () =>
            temporal.workflow.getHandle(params.id).query(state),
          );
      } catch {
        live = null; // closed past retention: the record above is complete
      }
      res.json(await withoutConfidentialAgendaCases(db, { period, events, items, live }));
    },
  );

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/duties/:id/actions/:action',
      permission: 'duty.act',
      summary:
        '办理定期职责事项（Temporal Update；Idempotency-Key 作为更新编号，重复提交只生效一次）。联合执法：planOperation、cancelOperation、recordOutcome、openCaseFromLead；教育培训：planTraining、recordTraining、cancelTraining；联席会议：scheduleMeeting、addAgendaItem、recordMinutes、completeResolution',
      tags: ['定期职责'],
      params: actionParams,
      body: z.record(z.string(), z.unknown()).describe('该操作的字段'),
    },
    async (req, res, { params, body }) => {
      const user = currentUser(res);
      const idem = idempotencyOf(req, user.id);
      const updates = messagesOf(params.id)?.updates;
      if (!updates) throw notFound('该事项不存在或不接受办理操作');
      const update = updates.find((u) => u.name === params.action);
      if (!update)
        throw new HttpError(
          404,
          'unknown_action',
          `该事项没有“${params.action}”操作（可用：${updates.map((u) => u.name).join('、')}）`,
        );
      try {
        const view = await boundedUpdate(
          temporal,
          temporal.workflow.getHandle(params.id),
          update,
          {
            args: [{ actor: actorOf(user), input: body, ...policyInForce(config) }],
            updateId: idem.updateId(params.action),
          },
          config.updateAnswerMs,
        );
        res.json(await withoutConfidentialAgendaCases(db, view));
      } catch (err) {
        const mapped = refusal(err);
        if (mapped) throw mapped;
        if (err instanceof WorkflowNotFoundError) throw notFound('该事项不存在或已办结');
        throw err;
      }
    },
  );

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/meetings',
      permission: 'duty.act',
      summary: '提请临时召开联席会议（任一成员单位；幂等：相同 Idempotency-Key 返回同一会议）',
      tags: ['定期职责'],
      body: z.object({ reasonZh: z.string().trim().min(1).max(500).describe('提请理由') }).strict(),
      responses: { 201: { description: '已提请' } },
    },
    async (req, res, { body }) => {
      const user = currentUser(res);
      // A repeat with the same key is the same meeting (USE_EXISTING below).
      const workflowId = `duty-joint-meeting-adhoc-${idempotencyOf(req, user.id).hex(16)}`;
      const period = recurringPeriodOf('monthly', chinaDate(Date.now()));
      const input: DutyPeriodInput = {
        dutyId: 'joint-meeting.periodic',
        cadence: 'monthly',
        period,
        settings: config.dutySchedules['joint-meeting.periodic']?.resolutionDays
          ? { resolutionDays: config.dutySchedules['joint-meeting.periodic'].resolutionDays }
          : undefined,
        adHoc: { requestedBy: actorOf(user), reasonZh: body.reasonZh, requestedAtMs: Date.now() },
      };
      await temporal.workflow.start<typeof jointMeetingWorkflow>('jointMeetingWorkflow', {
        workflowId,
        taskQueue: config.temporal.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      res.status(201).location(`/api/v1/duties/${workflowId}`).json({ id: workflowId });
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/briefings',
      permission: 'duty.read',
      summary: '信息通报（各期各机关统计；保密案件只计数）',
      tags: ['定期职责'],
    },
    async (_req, res) => {
      const items = await db
        .select()
        .from(dutyItems)
        .where(eq(dutyItems.kind, 'briefing'))
        .orderBy(desc(dutyItems.date));
      res.json({ items });
    },
  );

  return r;
}
