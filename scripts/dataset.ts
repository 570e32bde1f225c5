import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { STEPS } from '../domain/case/steps';
import {
  STAGE_HOLDER,
  STAGE_LABELS,
  TERMINAL_STAGES,
  TRACK_LABELS,
  type Stage,
  type Track,
} from '../domain/case/types';
import { RULES } from '../domain/deadlines/rules';
import { caseWorkflowId } from '../workflows/definitions/case';
import { chinaYmd } from '../domain/china-time';

/**
 * A realistic, deterministic dataset for reports and benchmarks (issue 8 item 6): N cases over Y years ending at
 * `endMs`, each with its events (registration, the steps of its track as the case model names them), its clocks
 * (closed ones for past steps, the open one of its current stage) and the ladder events of the clocks that ran over
 * (预警 / 超期 / 监督). Rows go straight into the record tables (cases, case_events, deadlines) in multi-row inserts of
 * `batch` cases; no workflows are started (reports and reads are what it serves). Same seed → same rows.
 * Ids are `ds<seed>-<n>` and case numbers `联动-<year>-D<n>`, so the set never collides with real cases and
 * `replace` removes exactly it.
 */
export interface DatasetOptions {
  cases: number;
  years: number;
  seed: number;
  /** The dataset ends here (default: now). */
  endMs?: number;
  batch?: number;
  /** Delete an earlier dataset of the same seed first (otherwise an existing one is an error). */
  replace?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface DatasetSummary {
  cases: number;
  events: number;
  deadlines: number;
  confidential: number;
  overdueOpen: number;
  byTrack: Record<Track, number>;
  fromIso: string;
  toIso: string;
  seconds: number;
}

/** mulberry32: small, fast and deterministic. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86_400_000;
const COMPANIES = [
  '长治市某化工有限公司',
  '潞州区某焦化厂',
  '上党区某洗煤厂',
  '屯留区某电镀作坊',
  '襄垣县某钢铁公司',
  '武乡县某养殖场',
  '沁县某造纸厂',
  '黎城县某制药公司',
  '壶关县某石料厂',
  '长子县某废旧物资回收站',
  '平顺县某矿业公司',
  '沁源县某煤矿',
];
const FACTS = [
  '非法倾倒危险废物',
  '通过暗管排放含重金属废水',
  '篡改自动监测数据',
  '无证收集贮存废机油',
  '超标排放大气污染物',
  '非法处置医疗废物',
  '未批先建并排放污水',
  '擅自拆除污染防治设施',
  '非法填埋工业固体废物',
  '违法排放含氰废水',
];

/** The steps each track takes, in order, with the chance a case branches off to an end (step, probability). */
type Path = { main: string[]; branches: Record<number, { step: string; p: number }> };
const PATHS: Record<Track, Path> = {
  criminal: {
    main: [
      'formTaskForce',
      'submitTransferReport',
      'approveTransfer',
      'deliverTransfer',
      'acknowledgeReceipt',
      'fileCase',
      'requestArrest',
      'approveArrest',
      'transferForProsecution',
      'prosecute',
      'recordJudgment',
    ],
    branches: {
      2: { step: 'refuseTransfer', p: 0.05 },
      5: { step: 'declineFiling', p: 0.12 },
      9: { step: 'decideNonProsecution', p: 0.08 },
    },
  },
  detention: {
    main: ['deliverDetentionTransfer', 'acceptDetentionCase', 'decideDetention', 'sendDetentionDecisionCopy'],
    branches: { 2: { step: 'refuseDetention', p: 0.1 } },
  },
  administrative: { main: ['decideAdministrativePenalty'], branches: { 0: { step: 'closeCase', p: 0.08 } } },
};
/** The clock each stage runs (the rule the case waits on there). */
const STAGE_RULE: Partial<Record<Stage, string>> = {
  lead: 'eeb.task-force',
  taskForce: 'eeb.transfer-report',
  approvalPending: 'eeb.transfer-approval',
  transferApproved: 'eeb.transfer-delivery',
  delivered: 'psb.receipt',
  accepted: 'psb.filing-decision',
  arrestReview: 'spp.arrest-decision',
  investigation: 'psb.investigation-custody',
  prosecutionReview: 'spp.prosecution-review',
  detentionTransferDecided: 'eeb.detention-transfer',
  detentionAccepted: 'psb.public-security-case-limit',
  detentionDecided: 'psb.detention-decision-copy',
};
/** Typical days to the next step per stage (mean); a clock's limit in days is approximated from its rule. */
const STAGE_DAYS: Partial<Record<Stage, number>> = {
  lead: 1,
  taskForce: 5,
  approvalPending: 2,
  transferApproved: 2,
  delivered: 1,
  accepted: 5,
  investigation: 40,
  arrestReview: 6,
  prosecutionReview: 30,
  trial: 90,
  detentionTransferDecided: 2,
  detentionDelivered: 1,
  detentionAccepted: 3,
  detentionDecided: 2,
  administrativePenalty: 45,
};

function ruleDays(ruleId: string): number {
  const r = (RULES as unknown as Record<string, { limit: number; unit: string }>)[ruleId];
  if (!r) return 7;
  if (r.unit === 'hours') return r.limit / 24;
  if (r.unit === 'months') return r.limit * 30;
  if (r.unit === 'workdays') return (r.limit * 7) / 5;
  return r.limit;
}

const iso = (ms: number) => new Date(ms).toISOString();

interface Rows {
  cases: unknown[][];
  events: unknown[][];
  deadlines: unknown[][];
}

export async function generateDataset(db: Db, opts: DatasetOptions): Promise<DatasetSummary> {
  const t0 = performance.now();
  const endMs = opts.endMs ?? Date.now();
  const startMs = endMs - Math.round(opts.years * 365.25 * DAY);
  const batch = opts.batch ?? 2000;
  const prefix = `ds${opts.seed}-`;
  const like = `${prefix}%`;
  const existing = (await db.execute(sql`select count(*)::int as n from cases where id like ${like}`)) as unknown as {
    rows: { n: number }[];
  };
  if (existing.rows[0].n > 0) {
    if (!opts.replace)
      throw new Error(`种子 ${opts.seed} 的数据集已存在（${existing.rows[0].n} 件案件）；加 --replace 先删除再生成`);
    await db.execute(sql`delete from deadlines where case_id like ${like}`);
    // case_events is append-only by trigger: the dataset's rows are removed with the trigger paused.
    await db.execute(sql`alter table case_events disable trigger user`);
    try {
      await db.execute(sql`delete from case_events where case_id like ${like}`);
    } finally {
      await db.execute(sql`alter table case_events enable trigger user`);
    }
    await db.execute(sql`delete from cases where id like ${like}`);
  }
  const rand = rng(opts.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const summary: DatasetSummary = {
    cases: 0,
    events: 0,
    deadlines: 0,
    confidential: 0,
    overdueOpen: 0,
    byTrack: { criminal: 0, detention: 0, administrative: 0 },
    fromIso: iso(startMs),
    toIso: iso(endMs),
    seconds: 0,
  };
  let rows: Rows = { cases: [], events: [], deadlines: [] };

  for (let i = 1; i <= opts.cases; i++) {
    // Slightly more cases in later years (the mechanism's uptake): density ∝ 0.7 + 0.6·x.
    const u = rand();
    const x = (-0.7 + Math.sqrt(0.49 + 4 * 0.3 * u)) / (2 * 0.3);
    const createdMs = startMs + Math.floor(x * (endMs - startMs - DAY));
    const tr = rand();
    const track: Track = tr < 0.3 ? 'criminal' : tr < 0.42 ? 'detention' : 'administrative';
    const cr = rand();
    const confidentiality = cr < 0.05 ? 'confidential' : cr < 0.3 ? 'public' : 'internal';
    const id = `${prefix}${i}`;
    const caseNumber = `联动-${chinaYmd(createdMs).slice(0, 4)}-D${String(i).padStart(7, '0')}`;
    const title = `${pick(COMPANIES)}${pick(FACTS)}案`;
    let stage: Stage =
      track === 'criminal' ? 'lead' : track === 'detention' ? 'detentionTransferDecided' : 'administrativePenalty';
    let seq = 1;
    rows.events.push([
      `${id}/created`,
      id,
      'caseCreated',
      `案件登记（${TRACK_LABELS[track]}）`,
      'eeb',
      null,
      JSON.stringify({ step: 'createCase', stageFrom: null, stageTo: stage, track }),
      iso(createdMs),
    ]);
    let atMs = createdMs;
    let overdue = false;
    let nextDeadline: number | null = null;
    const path = PATHS[track];
    const rounds: Record<string, number> = {};
    for (let k = 0; ; k++) {
      const ruleId = STAGE_RULE[stage];
      const limitMs = ruleId ? ruleDays(ruleId) * DAY : Infinity;
      // Most steps are taken in time; about 7% run over their clock.
      const late = ruleId !== undefined && rand() < 0.07;
      const mean = (STAGE_DAYS[stage] ?? 5) * DAY;
      const delay = late ? limitMs * (1.1 + rand()) : Math.min(limitMs * 0.95, mean * (0.3 + 1.4 * rand()));
      const nextAt = atMs + Math.max(3_600_000, Math.floor(delay));
      const branch = path.branches[k];
      const stepName = k >= path.main.length ? undefined : branch && rand() < branch.p ? branch.step : path.main[k];
      const done = stepName === undefined || nextAt >= endMs;
      if (ruleId) {
        rounds[ruleId] = (rounds[ruleId] ?? 0) + 1;
        const clockId = `${ruleId}#${rounds[ruleId]}`;
        const dueMs = atMs + limitMs;
        const closedAt = done ? null : nextAt;
        const ranOver = dueMs < (closedAt ?? endMs);
        const rule = RULES[ruleId as keyof typeof RULES];
        const agency = rule.agency === 'any' ? 'eeb' : rule.agency;
        const level = ranOver
          ? ruleId === 'psb.filing-decision'
            ? 'supervision'
            : 'overdue'
          : dueMs - 2 * DAY < (closedAt ?? endMs)
            ? 'warning'
            : 'none';
        if (dueMs - 2 * DAY < (closedAt ?? endMs) && dueMs - 2 * DAY > atMs)
          rows.events.push([
            `${id}/clock/${clockId}/warning/${Math.round(dueMs)}`,
            id,
            'clockWarning',
            '期限预警',
            null,
            ruleId,
            JSON.stringify({ clockId, dueAt: iso(dueMs) }),
            iso(dueMs - 2 * DAY),
          ]);
        if (ranOver) {
          rows.events.push([
            `${id}/clock/${clockId}/overdue/${Math.round(dueMs)}`,
            id,
            'clockOverdue',
            '期限已超期',
            null,
            ruleId,
            JSON.stringify({ clockId, dueAt: iso(dueMs) }),
            iso(dueMs + 1000),
          ]);
          if (level === 'supervision' && dueMs + DAY < (closedAt ?? endMs))
            rows.events.push([
              `${id}/clock/${clockId}/supervision/${Math.round(dueMs)}`,
              id,
              'clockSupervision',
              '生成检察监督事项',
              null,
              ruleId,
              JSON.stringify({ clockId, dueAt: iso(dueMs), supervisionType: '立而不侦' }),
              iso(dueMs + DAY),
            ]);
        }
        rows.deadlines.push([
          `${id}/${clockId}`,
          id,
          clockId,
          ruleId,
          rule.labelZh,
          rule.basis,
          agency,
          iso(atMs),
          iso(dueMs),
          chinaYmd(dueMs),
          closedAt === null ? 'open' : 'closed',
          level,
          ranOver ? iso(dueMs + 1000) : null,
          closedAt === null ? null : iso(closedAt),
        ]);
        if (closedAt === null) {
          nextDeadline = dueMs;
          if (ranOver) overdue = true;
        }
      }
      if (done) break;
      const def = STEPS[stepName as keyof typeof STEPS];
      const to = (def.to ?? stage) as Stage;
      const agency = def.performers[0]?.agency ?? 'eeb';
      seq++;
      rows.events.push([
        `${id}/step/${seq}`,
        id,
        def.eventType,
        def.labelZh,
        agency,
        null,
        JSON.stringify({ step: stepName, stageFrom: stage, stageTo: to }),
        iso(nextAt),
      ]);
      stage = to;
      atMs = nextAt;
      if (TERMINAL_STAGES.has(stage)) break;
    }
    const closed = TERMINAL_STAGES.has(stage);
    rows.cases.push([
      id,
      caseNumber,
      title,
      track,
      stage,
      STAGE_LABELS[stage],
      STAGE_HOLDER[stage],
      confidentiality,
      overdue,
      nextDeadline === null ? null : iso(nextDeadline),
      caseWorkflowId(id),
      'eeb',
      iso(createdMs),
      iso(atMs),
      closed ? iso(atMs) : null,
    ]);
    summary.byTrack[track]++;
    if (confidentiality === 'confidential') summary.confidential++;
    if (overdue && !closed) summary.overdueOpen++;
    if (i % batch === 0 || i === opts.cases) {
      await flush(db, rows);
      summary.cases += rows.cases.length;
      summary.events += rows.events.length;
      summary.deadlines += rows.deadlines.length;
      rows = { cases: [], events: [], deadlines: [] };
      opts.onProgress?.(i, opts.cases);
    }
  }
  await db.execute(sql`analyze cases`);
  await db.execute(sql`analyze case_events`);
  await db.execute(sql`analyze deadlines`);
  summary.seconds = (performance.now() - t0) / 1000;
  return summary;
}

/** Column arrays → one `insert … select * from unnest(…)` per table: one round trip for thousands of rows. */
// sql.param: one array parameter (a bare JS array would be expanded into a tuple by drizzle).
const col = (rows: unknown[][], k: number) => sql.param(rows.map((r) => r[k]));
async function flush(db: Db, rows: Rows) {
  const c = rows.cases;
  await db.execute(sql`insert into cases (id, case_number, title, track, stage, stage_label_zh, responsible_agency, confidentiality, overdue, next_deadline_at, workflow_id, created_by_agency, created_at, updated_at, closed_at)
    select * from unnest(${col(c, 0)}::text[], ${col(c, 1)}::text[], ${col(c, 2)}::text[], ${col(c, 3)}::text[], ${col(c, 4)}::text[], ${col(c, 5)}::text[], ${col(c, 6)}::text[],
      ${col(c, 7)}::text[], ${col(c, 8)}::boolean[], ${col(c, 9)}::timestamptz[], ${col(c, 10)}::text[], ${col(c, 11)}::text[], ${col(c, 12)}::timestamptz[], ${col(c, 13)}::timestamptz[], ${col(c, 14)}::timestamptz[])`);
  const e = rows.events;
  await db.execute(sql`insert into case_events (id, case_id, type, label_zh, actor_agency, rule_id, data, occurred_at, recorded_at)
    select id, case_id, type, label_zh, actor_agency, rule_id, data, occurred_at, occurred_at from unnest(${col(e, 0)}::text[], ${col(e, 1)}::text[], ${col(e, 2)}::text[], ${col(e, 3)}::text[], ${col(e, 4)}::text[], ${col(e, 5)}::text[], ${col(e, 6)}::jsonb[], ${col(e, 7)}::timestamptz[])
      as t(id, case_id, type, label_zh, actor_agency, rule_id, data, occurred_at) order by occurred_at`);
  const d = rows.deadlines;
  await db.execute(sql`insert into deadlines (id, case_id, clock_id, rule_id, label_zh, basis, responsible_agency, started_at, due_at, due_date, status, escalation_level, overdue_at, closed_at)
    select * from unnest(${col(d, 0)}::text[], ${col(d, 1)}::text[], ${col(d, 2)}::text[], ${col(d, 3)}::text[], ${col(d, 4)}::text[], ${col(d, 5)}::text[], ${col(d, 6)}::text[], ${col(d, 7)}::timestamptz[],
      ${col(d, 8)}::timestamptz[], ${col(d, 9)}::date[], ${col(d, 10)}::text[], ${col(d, 11)}::text[], ${col(d, 12)}::timestamptz[], ${col(d, 13)}::timestamptz[])`);
}
