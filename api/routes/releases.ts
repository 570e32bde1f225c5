import { Router } from 'express';
import { and, asc, count, desc, eq, inArray, isNotNull, ne, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { WorkflowNotFoundError, WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { policyInForce, type Config } from '../../config';
import type { Db } from '../../db/client';
import { cases, dutyItems, releaseApprovals, releaseEvents, releases } from '../../db/schema';
import { CONFIDENTIALITY_ZH, type Confidentiality } from '../../domain/information';
import { canSeeRelease, type PolicyAgency, type PolicyRole } from '../../domain/policy';
import {
  APPROVAL_STATUS_ZH,
  PARTY_ZH,
  RELEASE_KIND_ZH,
  RELEASE_STATUSES,
  RELEASE_STATUS_ZH,
  decisionSchema,
  refineContent,
  releaseContentFields,
  releaseContentSchema,
  type ApprovalStatus,
  type ReleaseKind,
  type ReleaseParty,
  type ReleaseStatus,
} from '../../domain/releases';
import {
  buildPublicStatistics,
  type ActivityCountRow,
  type CaseCountRow,
  type PublicStatistics,
} from '../../domain/releases/public-stats';
import type { jointReleaseWorkflow } from '../../workflows/releases';
import {
  approveReleaseUpdate,
  publishReleaseUpdate,
  rejectReleaseUpdate,
  releaseRegisteredUpdate,
  releaseWorkflowId,
  requestChangesReleaseUpdate,
  reviseReleaseUpdate,
  submitReleaseUpdate,
  type JointReleaseInput,
  type ReleaseRequest,
  type ReleaseView,
} from '../../workflows/definitions/releases';
import { currentUser, type AuthUser } from '../auth';
import { HttpError, notFound } from '../errors';
import { boundedUpdate } from '../bounded';
import { route } from '../openapi';
import { idempotencyOf } from '../idempotency';
import { refusal } from '../refusals';
import { registerPublicPages } from '../public-pages';
import { visibleTo } from './cases';

const idParams = z.object({ id: z.string().regex(/^[0-9a-f-]{36}$/, '发布稿编号格式错误') });
const DECISION_UPDATES = {
  approve: approveReleaseUpdate,
  requestChanges: requestChangesReleaseUpdate,
  reject: rejectReleaseUpdate,
} as const;
const SECRET_TITLE = '（保密案件）';

const principalOf = (u: AuthUser) => ({ agency: u.agency as PolicyAgency, role: u.role as PolicyRole });
const actorOf = (u: AuthUser) => ({ userId: u.id, agency: u.agency, role: u.role, displayName: u.displayName });

type ReleaseRow = typeof releases.$inferSelect;
type ApprovalRow = typeof releaseApprovals.$inferSelect;

function approvalView(a: ApprovalRow) {
  return {
    round: a.round,
    agency: a.agency,
    agencyZh: PARTY_ZH[a.agency as ReleaseParty] ?? a.agency,
    status: a.status,
    statusZh: APPROVAL_STATUS_ZH[a.status as ApprovalStatus] ?? a.status,
    dueAt: a.dueAt.toISOString(),
    dueDate: a.dueDate,
    escalationLevel: a.escalationLevel,
    decidedAt: a.decidedAt?.toISOString() ?? null,
    decidedBy: a.decidedByName,
    comment: a.comment,
    late: a.late,
  };
}

/** Referenced cases the reader may see (visibleCaseIds); the others are only counted. */
function releaseView(r: ReleaseRow, approvals: ApprovalRow[], visibleCaseIds: ReadonlySet<string>) {
  const ids = r.caseIds as string[];
  return {
    id: r.id,
    title: r.title,
    body: r.body,
    kind: r.kind,
    kindZh: RELEASE_KIND_ZH[r.kind as ReleaseKind] ?? r.kind,
    confidentiality: r.confidentiality,
    confidentialityZh: CONFIDENTIALITY_ZH[r.confidentiality as Confidentiality] ?? r.confidentiality,
    confidentialityReason: r.confidentialityReason,
    caseIds: ids.filter((id) => visibleCaseIds.has(id)),
    otherCaseCount: ids.filter((id) => !visibleCaseIds.has(id)).length,
    drafterAgency: r.drafterAgency,
    drafterAgencyZh: PARTY_ZH[r.drafterAgency as ReleaseParty] ?? r.drafterAgency,
    drafterName: r.drafterName,
    status: r.status,
    statusZh: RELEASE_STATUS_ZH[r.status as ReleaseStatus] ?? r.status,
    round: r.round,
    submittedAt: r.submittedAt?.toISOString() ?? null,
    publishedAt: r.publishedAt?.toISOString() ?? null,
    rejectedByAgency: r.rejectedByAgency,
    rejectedReason: r.rejectedReason,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    approvals: approvals
      .filter((a) => a.round === r.round)
      .sort((a, b) => a.agency.localeCompare(b.agency))
      .map(approvalView),
  };
}

/** What the public sees of a published release: its text, kind, date and the three agencies; nothing else. */
function publicView(r: ReleaseRow) {
  return {
    id: r.id,
    title: r.title,
    body: r.body,
    kind: r.kind,
    kindZh: RELEASE_KIND_ZH[r.kind as ReleaseKind] ?? r.kind,
    publishedAt: r.publishedAt!.toISOString(),
    publishersZh: ['长治市生态环境局', '长治市公安局', '长治市人民检察院'],
  };
}

/** Published releases, newest first (only what was published, and only public content: belt and braces). */
export async function publishedReleases(db: Db, id?: string) {
  const rows = await db
    .select()
    .from(releases)
    .where(
      and(
        eq(releases.status, 'published'),
        isNotNull(releases.publishedAt),
        eq(releases.confidentiality, 'public'),
        ...(id ? [eq(releases.id, id)] : []),
      ),
    )
    .orderBy(desc(releases.publishedAt))
    .limit(200);
  return rows.map(publicView);
}

/** The public statistics, computed from the record at most once a minute per app (the endpoint needs no credentials). */
export function publicStatisticsSource(db: Db) {
  let statsCache: { atMs: number; value: PublicStatistics } | undefined;
  return async (): Promise<PublicStatistics & { generatedAt: string }> => {
    if (statsCache && Date.now() - statsCache.atMs < 60_000)
      return { ...statsCache.value, generatedAt: new Date(statsCache.atMs).toISOString() };
    const caseRows = (
      (await db.execute(sql`
      select to_char(created_at at time zone 'Asia/Shanghai', 'YYYY-MM') as month, track, stage,
        (confidentiality = 'confidential') as confidential, count(*)::int as n
      from cases group by 1, 2, 3, 4`)) as unknown as { rows: CaseCountRow[] }
    ).rows.map((r) => ({ ...r, n: Number(r.n) }));
    const activityRows = (
      (await db.execute(sql`
      select to_char(${dutyItems.date}, 'YYYY-MM') as month,
        count(*) filter (where ${dutyItems.kind} = 'jointOperation')::int as "jointOperations",
        count(*) filter (where ${dutyItems.kind} = 'trainingSession')::int as trainings
      from ${dutyItems}
      where ${dutyItems.date} is not null and ((${dutyItems.kind} = 'jointOperation' and ${dutyItems.status} = 'completed') or (${dutyItems.kind} = 'trainingSession' and ${dutyItems.status} = 'held'))
      group by 1`)) as unknown as { rows: ActivityCountRow[] }
    ).rows.map((r) => ({ month: r.month, jointOperations: Number(r.jointOperations), trainings: Number(r.trainings) }));
    const value = buildPublicStatistics(caseRows, activityRows);
    statsCache = { atMs: Date.now(), value };
    return { ...value, generatedAt: new Date(statsCache.atMs).toISOString() };
  };
}

/** 联合发布: drafts, the three agencies' reviews, publication; and the public, unauthenticated output. */
export function releasesRouter(deps: { db: Db; temporal: Client; config: Config }) {
  const { db, temporal, config } = deps;
  const r = Router();
  const statistics = publicStatisticsSource(db);

  /** A 保密 release the reader may not see answers like a missing one (domain/policy canSeeRelease). */
  const load = async (id: string, user: AuthUser) => {
    const [row] = await db.select().from(releases).where(eq(releases.id, id));
    if (!row || !canSeeRelease(principalOf(user), row)) throw notFound('联合发布稿不存在');
    return row;
  };
  const visibleCases = async (rows: ReleaseRow[], user: AuthUser): Promise<Set<string>> => {
    const ids = [...new Set(rows.flatMap((x) => x.caseIds as string[]))];
    if (!ids.length) return new Set();
    return new Set(
      (
        await db
          .select({ id: cases.id })
          .from(cases)
          .where(and(inArray(cases.id, ids), visibleTo(user)))
      ).map((c) => c.id),
    );
  };
  /** Referenced cases must exist and be visible to the user (a confidential case of others answers like a missing one). */
  const checkCases = async (ids: string[], user: AuthUser) => {
    if (!ids.length) return;
    const rows = await db
      .select({ id: cases.id })
      .from(cases)
      .where(and(inArray(cases.id, ids), visibleTo(user)));
    const found = new Set(rows.map((x) => x.id));
    const missing = ids.filter((x) => !found.has(x));
    if (missing.length)
      throw new HttpError(422, 'validation_failed', `引用的案件不存在或无权查阅：${missing.join('、')}`, {
        field: 'caseIds',
      });
  };
  const update = async (
    req: import('express').Request,
    res: import('express').Response,
    id: string,
    update: UpdateDefinition<ReleaseView, [ReleaseRequest]>,
    input?: unknown,
  ) => {
    const user = currentUser(res);
    const row = await load(id, user);
    res.locals.auditTarget = row.id;
    const idem = idempotencyOf(req, user.id);
    try {
      await boundedUpdate(
        temporal,
        temporal.workflow.getHandle(row.workflowId),
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
          `联合发布稿已${RELEASE_STATUS_ZH[row.status as ReleaseStatus] ?? '办结'}，不能再办理`,
        );
      throw err;
    }
    const after = await load(id, user);
    const approvals = await db.select().from(releaseApprovals).where(eq(releaseApprovals.releaseId, id));
    res.json(releaseView(after, approvals, await visibleCases([after], user)));
  };

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/releases',
      permission: 'release.act',
      summary:
        '起草联合发布稿（重大决策 / 重大行动 / 重要成果；密级；引用的案件）。submit=true 时同时提交三方审核。幂等：相同 Idempotency-Key 返回同一发布稿',
      tags: ['联合发布'],
      body: z
        .object({ ...releaseContentFields, submit: z.boolean().optional().describe('同时提交审核') })
        .strict()
        .superRefine(refineContent),
      responses: { 201: { description: '已起草' } },
    },
    async (req, res, { body }) => {
      const user = currentUser(res);
      const idem = idempotencyOf(req, user.id);
      const { submit, ...parsed } = body;
      await checkCases(parsed.caseIds, user);
      // A repeat with the same key is the same release (USE_EXISTING below).
      const releaseId = idem.uuid('release');
      res.locals.auditTarget = releaseId;
      const input: JointReleaseInput = {
        releaseId,
        content: parsed,
        drafter: actorOf(user),
        createdAtMs: Date.now(),
        ...policyInForce(config),
      };
      const start = new WithStartWorkflowOperation<typeof jointReleaseWorkflow>('jointReleaseWorkflow', {
        workflowId: releaseWorkflowId(releaseId),
        taskQueue: config.temporal.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      await temporal.workflow.executeUpdateWithStart(releaseRegisteredUpdate, {
        startWorkflowOperation: start,
        args: [],
      });
      if (submit) {
        try {
          await temporal.workflow.getHandle(releaseWorkflowId(releaseId)).executeUpdate(submitReleaseUpdate, {
            args: [{ actor: actorOf(user) }],
            updateId: `${releaseId}:submit-on-create`,
          });
        } catch (err) {
          throw refusal(err) ?? err;
        }
      }
      const row = await load(releaseId, user);
      const approvals = await db.select().from(releaseApprovals).where(eq(releaseApprovals.releaseId, releaseId));
      res
        .status(201)
        .location(`/api/v1/releases/${releaseId}`)
        .json(releaseView(row, approvals, await visibleCases([row], user)));
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/releases',
      permission: 'release.read',
      summary: '联合发布稿列表（状态筛选；pendingFor=mine：本机关待审核的发布稿及期限）',
      tags: ['联合发布'],
      query: z
        .object({
          status: z.enum(RELEASE_STATUSES).optional(),
          pendingFor: z.enum(['mine']).optional(),
          page: z.coerce.number().int().min(1).max(100000).default(1),
          pageSize: z.coerce.number().int().min(1).max(200).default(50),
        })
        .strict(),
    },
    async (_req, res, { query }) => {
      const user = currentUser(res);
      const where: SQL[] = [];
      if (!canSeeRelease(principalOf(user), { confidentiality: 'confidential' }))
        where.push(ne(releases.confidentiality, 'confidential'));
      if (query.status) where.push(eq(releases.status, query.status));
      if (query.pendingFor) {
        where.push(eq(releases.status, 'inReview'));
        where.push(
          sql`exists (select 1 from ${releaseApprovals} a where a.release_id = ${releases.id} and a.round = ${releases.round} and a.agency = ${user.agency} and a.status = 'pending')`,
        );
      }
      const cond = where.length ? and(...where) : undefined;
      const [{ total }] = await db.select({ total: count() }).from(releases).where(cond);
      const rows = await db
        .select()
        .from(releases)
        .where(cond)
        .orderBy(desc(releases.updatedAt), asc(releases.id))
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize);
      const approvals = rows.length
        ? await db
            .select()
            .from(releaseApprovals)
            .where(
              inArray(
                releaseApprovals.releaseId,
                rows.map((x) => x.id),
              ),
            )
        : [];
      const seen = await visibleCases(rows, user);
      res.json({
        items: rows.map((x) =>
          releaseView(
            x,
            approvals.filter((a) => a.releaseId === x.id),
            seen,
          ),
        ),
        page: query.page,
        pageSize: query.pageSize,
        total,
      });
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/releases/:id',
      permission: 'release.read',
      summary: '一份联合发布稿：内容、各轮审核意见及期限、办理记录',
      tags: ['联合发布'],
      params: idParams,
    },
    async (_req, res, { params }) => {
      const user = currentUser(res);
      const row = await load(params.id, user);
      const approvals = await db
        .select()
        .from(releaseApprovals)
        .where(eq(releaseApprovals.releaseId, row.id))
        .orderBy(asc(releaseApprovals.round), asc(releaseApprovals.agency));
      const events = await db
        .select()
        .from(releaseEvents)
        .where(eq(releaseEvents.releaseId, row.id))
        .orderBy(asc(releaseEvents.seq));
      const ids = row.caseIds as string[];
      // Only cases the reader may see are named (a confidential one by its number only, never described); the
      // others are a count (otherCaseCount).
      const refs = ids.length
        ? await db
            .select({
              id: cases.id,
              caseNumber: cases.caseNumber,
              title: cases.title,
              confidentiality: cases.confidentiality,
            })
            .from(cases)
            .where(and(inArray(cases.id, ids), visibleTo(user)))
        : [];
      res.json({
        ...releaseView(row, approvals, new Set(refs.map((c) => c.id))),
        rounds: approvals.map(approvalView),
        cases: refs.map((c) => ({
          id: c.id,
          caseNumber: c.caseNumber,
          title: c.confidentiality === 'confidential' ? SECRET_TITLE : c.title,
          confidential: c.confidentiality === 'confidential',
        })),
        events: events.map((e) => ({
          id: e.id,
          round: e.round,
          type: e.type,
          labelZh: e.labelZh,
          actorAgency: e.actorAgency,
          ruleId: e.ruleId,
          occurredAt: e.occurredAt.toISOString(),
        })),
      });
    },
  );

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/releases/:id/submit',
      permission: 'release.act',
      summary: '起草单位提交三方审核（每一轮审核期限：release.approval，5 个工作日）',
      tags: ['联合发布'],
      params: idParams,
    },
    async (req, res, { params }) => update(req, res, params.id, submitReleaseUpdate),
  );

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/releases/:id/decisions',
      permission: 'release.act',
      summary:
        '本机关的审核意见：approve 同意发布 / requestChanges 要求修改（写明意见）/ reject 不同意发布（写明理由，发布终止）',
      tags: ['联合发布'],
      params: idParams,
      body: decisionSchema,
    },
    async (req, res, { params, body }) =>
      update(req, res, params.id, DECISION_UPDATES[body.decision], { comment: body.comment }),
  );

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/releases/:id/revise',
      permission: 'release.act',
      summary: '起草单位修改发布稿（提出修改意见后或同意后修改：开始新一轮三方审核）',
      tags: ['联合发布'],
      params: idParams,
      body: releaseContentSchema,
    },
    async (req, res, { params, body }) => {
      await checkCases(body.caseIds, currentUser(res));
      await update(req, res, params.id, reviseReleaseUpdate, body);
    },
  );

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/releases/:id/publish',
      permission: 'release.act',
      summary: '起草单位发布（须三方在同一轮审核中均同意；保密内容或引用保密案件的不得发布）',
      tags: ['联合发布'],
      params: idParams,
    },
    async (req, res, { params }) => update(req, res, params.id, publishReleaseUpdate),
  );

  // ---- public, unauthenticated output

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/public/releases',
      permission: 'public',
      summary: '向社会公布的联合发布（无需登录）：标题、正文、类别、发布时间',
      tags: ['公开信息'],
    },
    async (_req, res) => {
      res.set('cache-control', 'public, max-age=60').json({ items: await publishedReleases(db) });
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/public/releases/:id',
      permission: 'public',
      summary: '一份已发布的联合发布（无需登录）',
      tags: ['公开信息'],
      params: idParams,
    },
    async (_req, res, { params }) => {
      const [item] = await publishedReleases(db, params.id);
      if (!item) throw notFound('该联合发布不存在或尚未发布');
      res.set('cache-control', 'public, max-age=60').json(item);
    },
  );

  route(
    r,
    {
      method: 'get',
      path: '/api/v1/public/statistics',
      permission: 'public',
      summary:
        '公开统计（无需登录）：按登记年度、月份统计的案件类别、阶段、结果，联合执法与培训次数；保密案件只计入年度总数，小于 3 的数字不予公布',
      tags: ['公开信息'],
    },
    async (_req, res) => {
      res.set('cache-control', 'public, max-age=60').json(await statistics());
    },
  );

  registerPublicPages(r, { releases: (id) => publishedReleases(db, id), statistics });

  return r;
}
