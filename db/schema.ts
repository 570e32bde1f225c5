import { sql } from 'drizzle-orm';
import type { ImportKind } from '../domain/imports';
import type { ReleaseKind } from '../domain/releases';
import type { ReportFormat, ReportKind } from '../domain/reports';
import type { NotificationChannel, NotificationStatus, SupervisionKind } from '../domain/vocabulary';
import {
  bigserial,
  bigint,
  customType,
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * The queryable record of the platform. Temporal workflows own the process; these tables are written by
 * activities (and by the API only for users, tokens and reference data). Times are UTC instants
 * (timestamptz); due dates are China-time calendar dates beside them.
 */

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

/** 生态环境局 / 公安局 / 人民检察院 / 联动执法工作组 / 系统管理 */
export const agencies = pgTable('agencies', {
  code: text('code').primaryKey(), // eeb | psb | spp | workingGroup | admin
  nameZh: text('name_zh').notNull(),
  shortNameZh: text('short_name_zh').notNull(),
  /** The agency's office mailbox, used when no individual recipient is configured. */
  email: text('email'),
  createdAt: createdAt(),
});

/** Positions of the joint working group (组长 / 副组长 / 成员); people's names are configuration data. */
export const workingGroupPositions = pgTable(
  'working_group_positions',
  {
    id: text('id').primaryKey(),
    position: text('position').notNull(), // leader | deputy | member
    agency: text('agency')
      .notNull()
      .references(() => agencies.code),
    titleZh: text('title_zh').notNull(),
    personName: text('person_name'),
    email: text('email'),
    sortOrder: integer('sort_order').notNull().default(0),
  },
  (t) => [index('working_group_positions_agency_idx').on(t.agency)],
);

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    agency: text('agency')
      .notNull()
      .references(() => agencies.code),
    /** officer | head | liaison | leader | deputy | member | admin (domain/case/types.ts ROLES) */
    role: text('role').notNull(),
    email: text('email'),
    active: boolean('active').notNull().default(true),
    /** scrypt hash for console login (`scrypt$N$r$p$salt$hash`); null = token-only account. */
    passwordHash: text('password_hash'),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
    /**
     * Accounts that read confidential cases (the procuratorate's) are confirmed by a head of that agency before they
     * read anything: an administrator alone cannot open one. Null = not confirmed.
     */
    confirmedAt: timestamp('confirmed_at', { withTimezone: true, mode: 'date' }),
    confirmedBy: text('confirmed_by'),
    /** Set when the account was deactivated (active = false): tokens, sessions and mail stop. */
    deactivatedAt: timestamp('deactivated_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_username_uq').on(t.username), index('users_agency_role_idx').on(t.agency, t.role)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    /** sha256 of the token: tokens are random and long, so a fast hash is enough and lookups stay indexed. */
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    /** A token the user issued to themselves (not an administrator's): revoked with a password change. */
    selfIssued: boolean('self_issued').notNull().default(false),
    /** The console session that issued it, if any: revoked at that session's logout. */
    sessionId: text('session_id'),
  },
  (t) => [uniqueIndex('api_tokens_hash_uq').on(t.tokenHash), index('api_tokens_user_idx').on(t.userId)],
);

/** Source of the running number in 案件编号. */
export const caseNumberSeq = pgSequence('case_number_seq', { startWith: 1, increment: 1 });

export const cases = pgTable(
  'cases',
  {
    id: text('id').primaryKey(),
    /** Human-readable 案件编号, e.g. 联动-2026-000001. */
    caseNumber: text('case_number').notNull(),
    title: text('title').notNull(),
    summary: text('summary'),
    track: text('track').notNull(), // criminal | detention | administrative
    stage: text('stage').notNull(),
    stageLabelZh: text('stage_label_zh').notNull(),
    responsibleAgency: text('responsible_agency'),
    confidentiality: text('confidentiality').notNull().default('internal'), // public | internal | confidential
    overdue: boolean('overdue').notNull().default(false),
    nextDeadlineAt: timestamp('next_deadline_at', { withTimezone: true, mode: 'date' }),
    workflowId: text('workflow_id').notNull(),
    createdByUserId: text('created_by_user_id'),
    createdByAgency: text('created_by_agency'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('cases_case_number_uq').on(t.caseNumber),
    uniqueIndex('cases_workflow_id_uq').on(t.workflowId),
    // The case list's order (created_at desc, id) alone and after each equality filter, so a page is read off
    // the index in order instead of sorting the matching rows (bench reads; migration 0012).
    index('cases_list_idx').on(t.createdAt.desc().nullsFirst(), t.id),
    index('cases_stage_list_idx').on(t.stage, t.createdAt.desc().nullsFirst(), t.id),
    index('cases_track_list_idx').on(t.track, t.createdAt.desc().nullsFirst(), t.id),
    index('cases_agency_list_idx').on(t.responsibleAgency, t.createdAt.desc().nullsFirst(), t.id),
    index('cases_overdue_list_idx')
      .on(t.createdAt.desc().nullsFirst(), t.id)
      .where(sql`${t.overdue}`),
    // The dashboard's overdue open cases, by their next deadline.
    index('cases_open_overdue_idx')
      .on(t.nextDeadlineAt)
      .where(sql`${t.overdue} and ${t.closedAt} is null`),
    index('cases_next_deadline_idx').on(t.nextDeadlineAt),
  ],
);

/** Append-only: rows are inserted once (id = the workflow's event id) and never updated. */
export const caseEvents = pgTable(
  'case_events',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    type: text('type').notNull(),
    labelZh: text('label_zh').notNull(),
    actorUserId: text('actor_user_id'),
    actorAgency: text('actor_agency'),
    ruleId: text('rule_id'),
    documentNumber: text('document_number'),
    data: jsonb('data')
      .notNull()
      .default(sql`'{}'::jsonb`),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('case_events_case_idx').on(t.caseId, t.seq),
    index('case_events_type_idx').on(t.type),
    index('case_events_occurred_idx').on(t.occurredAt),
    // visibleTo's "the agency acted on this case": one index probe per confidential case it has to decide.
    index('case_events_case_actor_idx').on(t.caseId, t.actorAgency),
  ],
);

/** One row per clock of a case; the workflow's timers are the truth, this is their queryable mirror. */
export const deadlines = pgTable(
  'deadlines',
  {
    id: text('id').primaryKey(), // `${caseId}/${clockId}`
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    clockId: text('clock_id').notNull(),
    ruleId: text('rule_id').notNull(),
    labelZh: text('label_zh').notNull(),
    responsibleAgency: text('responsible_agency').notNull(),
    basis: text('basis').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true, mode: 'date' }).notNull(),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    custody: boolean('custody').notNull().default(false),
    provisional: boolean('provisional').notNull().default(false),
    /** Approved extensions and suspensions as the deadline engine takes them (PeriodExtension[] / Suspension[]). */
    extensions: jsonb('extensions')
      .notNull()
      .default(sql`'[]'::jsonb`),
    suspensions: jsonb('suspensions')
      .notNull()
      .default(sql`'[]'::jsonb`),
    /** Ladder instants: when the warning fires and when the working group is escalated to. */
    warningDueAt: timestamp('warning_due_at', { withTimezone: true, mode: 'date' }),
    escalationDueAt: timestamp('escalation_due_at', { withTimezone: true, mode: 'date' }),
    status: text('status').$type<'open' | 'closed'>().notNull().default('open'),
    escalationLevel: text('escalation_level').notNull().default('none'), // none | warning | overdue | supervision | escalated
    warnedAt: timestamp('warned_at', { withTimezone: true, mode: 'date' }),
    overdueAt: timestamp('overdue_at', { withTimezone: true, mode: 'date' }),
    escalatedAt: timestamp('escalated_at', { withTimezone: true, mode: 'date' }),
    closedAt: timestamp('closed_at', { withTimezone: true, mode: 'date' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('deadlines_case_idx').on(t.caseId),
    index('deadlines_open_due_idx').on(t.status, t.dueAt),
    index('deadlines_agency_idx').on(t.responsibleAgency),
    // The dashboard's pending clocks of one agency, soonest first.
    index('deadlines_open_agency_due_idx')
      .on(t.responsibleAgency, t.dueAt)
      .where(sql`${t.status} = 'open'`),
  ],
);

/** The notification outbox: every message is a row first; id = `${eventId}:${recipient}` makes it exactly-once. */
export const notifications = pgTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id').references(() => cases.id),
    eventId: text('event_id').notNull(),
    recipientUserId: text('recipient_user_id'),
    recipientEmail: text('recipient_email'),
    recipientLabelZh: text('recipient_label_zh').notNull(),
    channel: text('channel').$type<NotificationChannel>().notNull().default('email'),
    subject: text('subject').notNull(),
    bodyText: text('body_text').notNull(),
    /** Stable Message-ID so a resend after a crash is recognisably the same message. */
    messageId: text('message_id').notNull(),
    status: text('status').$type<NotificationStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: createdAt(),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    readAt: timestamp('read_at', { withTimezone: true, mode: 'date' }),
    /**
     * A warning (预警) held for the recipient's daily digest (channel `digest`, status `held` → `digested`): what the
     * digest lists for it (case number, rule and label, due date, legal basis, link). Null for every other row.
     */
    digestEntry: jsonb('digest_entry'),
  },
  (t) => [
    index('notifications_status_idx').on(t.status, t.createdAt),
    index('notifications_case_idx').on(t.caseId),
    index('notifications_user_idx').on(t.recipientUserId),
  ],
);

/** Working-day calendars loaded by administrators (years beyond the built-in official data, or corrections). */
export const calendarYears = pgTable('calendar_years', {
  year: integer('year').primaryKey(),
  data: jsonb('data').notNull(),
  sourceNotice: text('source_notice').notNull(),
  loadedAt: timestamp('loaded_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  loadedBy: text('loaded_by'),
});

/** Console sessions (HTTP-only cookie); id is the sha256 of the cookie value. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    /** Double-submit token the console sends in X-CSRF-Token on every change. */
    csrfToken: text('csrf_token').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    ip: text('ip'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/**
 * The audit log: every change and every read of a confidential case. Append-only (triggers refuse UPDATE, DELETE
 * and TRUNCATE) and chained: hash = HMAC-SHA256(AUDIT_KEY, prevHash + canonical entry) from the anchor row on, so
 * `npm run audit:verify` finds a changed, removed, reordered or recomputed row.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    userId: text('user_id'),
    agency: text('agency'),
    role: text('role'),
    action: text('action').notNull(),
    target: text('target'),
    status: integer('status').notNull(),
    ip: text('ip'),
    requestId: text('request_id'),
    detail: jsonb('detail')
      .notNull()
      .default(sql`'{}'::jsonb`),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    /** hash is HMAC-SHA256 under AUDIT_KEY (rows written before keying: plain sha256, all before the anchor row). */
    keyed: boolean('keyed').notNull().default(false),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at),
    index('audit_log_user_idx').on(t.userId),
    index('audit_log_target_idx').on(t.target),
  ],
);

// ---------------------------------------------------------------------------------------------------------------
// Recurring duties of the mechanism (issue 5; statutory-deadlines.md §D). Written only by duty activities.

/** One period of one duty (a month of joint enforcement, a year of training, a meeting, a briefing); id = workflow id. */
export const dutyPeriods = pgTable(
  'duty_periods',
  {
    id: text('id').primaryKey(),
    dutyId: text('duty_id').notNull(),
    periodKey: text('period_key').notNull(),
    cadence: text('cadence').notNull(),
    startDate: date('start_date', { mode: 'string' }).notNull(),
    endDate: date('end_date', { mode: 'string' }).notNull(),
    /** open | done | nonCompliant | escalated | completedLate */
    status: text('status').notNull().default('open'),
    labelZh: text('label_zh').notNull(),
    summary: jsonb('summary')
      .notNull()
      .default(sql`'{}'::jsonb`),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('duty_periods_duty_idx').on(t.dutyId, t.periodKey), index('duty_periods_status_idx').on(t.status)],
);

/** Append-only record of what happened in a duty period (id chosen by the workflow: the idempotency key). */
export const dutyEvents = pgTable(
  'duty_events',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    periodId: text('period_id')
      .notNull()
      .references(() => dutyPeriods.id),
    dutyId: text('duty_id').notNull(),
    type: text('type').notNull(),
    labelZh: text('label_zh').notNull(),
    actorUserId: text('actor_user_id'),
    actorAgency: text('actor_agency'),
    data: jsonb('data')
      .notNull()
      .default(sql`'{}'::jsonb`),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('duty_events_period_idx').on(t.periodId, t.seq),
    index('duty_events_type_idx').on(t.type, t.occurredAt),
  ],
);

/**
 * The things a duty period holds, queryable: joint operations, training sessions, meetings, resolutions (议定事项,
 * with an owner agency and a clock), briefings (their statistics in `data`). The workflow is the truth; this mirrors it.
 */
export const dutyItems = pgTable(
  'duty_items',
  {
    id: text('id').primaryKey(),
    periodId: text('period_id')
      .notNull()
      .references(() => dutyPeriods.id),
    dutyId: text('duty_id').notNull(),
    /** jointOperation | trainingSession | meeting | resolution | briefing */
    kind: text('kind').notNull(),
    /** jointOperation: planned | completed | cancelled; resolution: open | done; ... */
    status: text('status').notNull(),
    titleZh: text('title_zh').notNull(),
    ownerAgency: text('owner_agency'),
    /** The day it happens (operation, session, meeting) or is due (resolution), China time. */
    date: date('date', { mode: 'string' }),
    dueAt: timestamp('due_at', { withTimezone: true, mode: 'date' }),
    escalationLevel: text('escalation_level').notNull().default('none'),
    data: jsonb('data')
      .notNull()
      .default(sql`'{}'::jsonb`),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('duty_items_period_idx').on(t.periodId),
    index('duty_items_kind_status_idx').on(t.kind, t.status),
    index('duty_items_date_idx').on(t.kind, t.date),
  ],
);

// Information sharing (issue 8): case information records (2017 Measures Art 34), data exchange, digest mail.

/** Position of a change in the export feed (GET /api/v1/feed/cases): taken under a lock, so commit order = feed order. */
export const informationFeedSeq = pgSequence('information_feed_seq', { startWith: 1, increment: 1 });

/**
 * One row per decision listed in 2017 Measures Art 34 (rule `any.platform-entry`, 7 days): `pending` from the decision
 * until the responsible agency enters the record, then `entered` with its confidentiality mark. id = the decision's
 * case event id (`<caseId>/step/<seq>`). Written only by the platform-entry activities.
 */
export const informationRecords = pgTable(
  'information_records',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    workflowId: text('workflow_id').notNull(),
    step: text('step').notNull(),
    decisionLabelZh: text('decision_label_zh').notNull(),
    /** Art 34 item: 一 | 二 | 三 */
    article34Item: text('article34_item').notNull(),
    responsibleAgency: text('responsible_agency').notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true, mode: 'date' }).notNull(),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    provisional: boolean('provisional').notNull().default(false),
    /** pending | entered */
    status: text('status').notNull().default('pending'),
    /** none | warning | overdue | escalated */
    escalationLevel: text('escalation_level').notNull().default('none'),
    /** public | internal | confidential (公开 / 内部 / 保密); null while pending */
    confidentiality: text('confidentiality'),
    /** Mandatory when not public (seed 五(三): 对于需要保密的内容，应当予以特别说明). */
    confidentialityReason: text('confidentiality_reason'),
    content: text('content'),
    documentNumber: text('document_number'),
    enteredAt: timestamp('entered_at', { withTimezone: true, mode: 'date' }),
    enteredByUserId: text('entered_by_user_id'),
    enteredByAgency: text('entered_by_agency'),
    enteredByName: text('entered_by_name'),
    late: boolean('late').notNull().default(false),
    feedSeq: bigint('feed_seq', { mode: 'number' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('information_records_case_idx').on(t.caseId),
    index('information_records_status_idx').on(t.status, t.dueAt),
    uniqueIndex('information_records_feed_uq').on(t.feedSeq),
  ],
);

/**
 * Administrative-penalty records imported from the agencies' own systems (POST /api/v1/imports, kind `penalty`): the
 * basis of the supervision sweep's 以罚代刑 check. One row per (source system, source record id); a re-import updates.
 */
export const penaltyRecords = pgTable(
  'penalty_records',
  {
    id: text('id').primaryKey(),
    sourceSystem: text('source_system').notNull(),
    sourceId: text('source_id').notNull(),
    /** eeb | psb */
    agency: text('agency').notNull(),
    party: text('party').notNull(),
    factSummary: text('fact_summary').notNull(),
    /** 警告 | 通报批评 | 罚款 | 没收违法所得 | 没收非法财物 | 暂扣许可证件 | 降低资质等级 | 吊销许可证件 | 限制开展生产经营活动 | 责令停产停业 | 责令关闭 | 限制从业 | 行政拘留 | 其他 */
    penaltyType: text('penalty_type').notNull(),
    /** Yuan, two decimals; null when the penalty is not a fine. */
    amount: numeric('amount', { precision: 14, scale: 2, mode: 'string' }),
    decisionDate: date('decision_date', { mode: 'string' }).notNull(),
    documentNumber: text('document_number'),
    /** 案件编号 as the source system gave it, and the case it matched (if any). */
    caseNumber: text('case_number'),
    caseId: text('case_id').references(() => cases.id),
    importJobId: text('import_job_id').notNull(),
    contentHash: text('content_hash').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('penalty_records_source_uq').on(t.sourceSystem, t.sourceId),
    index('penalty_records_date_idx').on(t.decisionDate),
    index('penalty_records_case_idx').on(t.caseId),
  ],
);

/** Enforcement records (inspections, seizures, orders) imported from the agencies' systems (kind `enforcement`). */
export const enforcementRecords = pgTable(
  'enforcement_records',
  {
    id: text('id').primaryKey(),
    sourceSystem: text('source_system').notNull(),
    sourceId: text('source_id').notNull(),
    agency: text('agency').notNull(),
    party: text('party').notNull(),
    actionType: text('action_type').notNull(),
    actionDate: date('action_date', { mode: 'string' }).notNull(),
    place: text('place'),
    summary: text('summary').notNull(),
    result: text('result'),
    caseNumber: text('case_number'),
    caseId: text('case_id').references(() => cases.id),
    importJobId: text('import_job_id').notNull(),
    contentHash: text('content_hash').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('enforcement_records_source_uq').on(t.sourceSystem, t.sourceId),
    index('enforcement_records_date_idx').on(t.actionDate),
  ],
);

/** One import (POST /api/v1/imports): the uploaded file, progress (processed / total) and the outcome per row. */
export const importJobs = pgTable(
  'import_jobs',
  {
    id: text('id').primaryKey(),
    /** penalty | enforcement */
    kind: text('kind').$type<ImportKind>().notNull(),
    sourceSystem: text('source_system').notNull(),
    /** csv | json */
    format: text('format').notNull(),
    filename: text('filename').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    content: text('content').notNull(),
    /** queued | validating | writing | completed | rejected | failed */
    status: text('status').notNull().default('queued'),
    total: integer('total').notNull().default(0),
    processed: integer('processed').notNull().default(0),
    inserted: integer('inserted').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    unchanged: integer('unchanged').notNull().default(0),
    /** [{ line, sourceId?, field?, reason }] */
    errors: jsonb('errors')
      .notNull()
      .default(sql`'[]'::jsonb`),
    /** [{ line, sourceId, fields }]: rows that changed an earlier import. */
    changes: jsonb('changes')
      .notNull()
      .default(sql`'[]'::jsonb`),
    messageZh: text('message_zh'),
    createdByUserId: text('created_by_user_id'),
    createdByAgency: text('created_by_agency'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('import_jobs_created_idx').on(t.createdAt)],
);

/** A user's notification preferences (GET/PUT /api/v1/me/preferences). */
export const userPreferences = pgTable('user_preferences', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id),
  /** immediate | digest — warnings (预警) only; overdue and later rungs are always mailed at once. */
  warningDelivery: text('warning_delivery').notNull().default('immediate'),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** One daily digest mail per user and China-time day: id `<userId>/<day>`, the outbox row that carries it, its items. */
export const notificationDigests = pgTable(
  'notification_digests',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    notificationId: text('notification_id').notNull(),
    itemIds: jsonb('item_ids')
      .notNull()
      .default(sql`'[]'::jsonb`),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('notification_digests_user_day_uq').on(t.userId, t.day)],
);

// Joint public releases (联合发布, seed 五(三); issue 5 item 6). Written only by the release activities.

/** One release (draft → review rounds → published | rejected); id = the release id, workflow `release-<id>`. */
export const releases = pgTable(
  'releases',
  {
    id: text('id').primaryKey(),
    workflowId: text('workflow_id').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    /** majorDecision | majorAction | result (重大决策 / 重大行动 / 重要成果) */
    kind: text('kind').$type<ReleaseKind>().notNull(),
    /** public | internal | confidential: only public content is ever published. */
    confidentiality: text('confidentiality').notNull(),
    confidentialityReason: text('confidentiality_reason'),
    /** Referenced case ids (never shown to the public). */
    caseIds: jsonb('case_ids')
      .notNull()
      .default(sql`'[]'::jsonb`),
    drafterAgency: text('drafter_agency').notNull(),
    drafterUserId: text('drafter_user_id'),
    drafterName: text('drafter_name'),
    /** draft | inReview | changesRequested | approved | published | rejected */
    status: text('status').notNull(),
    round: integer('round').notNull().default(0),
    submittedAt: timestamp('submitted_at', { withTimezone: true, mode: 'date' }),
    publishedAt: timestamp('published_at', { withTimezone: true, mode: 'date' }),
    publishedByAgency: text('published_by_agency'),
    rejectedByAgency: text('rejected_by_agency'),
    rejectedReason: text('rejected_reason'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('releases_status_idx').on(t.status, t.updatedAt), index('releases_published_idx').on(t.publishedAt)],
);

/** One agency's review in one round, with its `release.approval` clock; id = `<releaseId>/<round>/<agency>`. */
export const releaseApprovals = pgTable(
  'release_approvals',
  {
    id: text('id').primaryKey(),
    releaseId: text('release_id')
      .notNull()
      .references(() => releases.id),
    round: integer('round').notNull(),
    agency: text('agency').notNull(),
    /** pending | approved | changesRequested | rejected | superseded */
    status: text('status').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true, mode: 'date' }).notNull(),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    provisional: boolean('provisional').notNull().default(false),
    warningDueAt: timestamp('warning_due_at', { withTimezone: true, mode: 'date' }),
    escalationDueAt: timestamp('escalation_due_at', { withTimezone: true, mode: 'date' }),
    /** none | warning | overdue | escalated */
    escalationLevel: text('escalation_level').notNull().default('none'),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
    decidedByUserId: text('decided_by_user_id'),
    decidedByName: text('decided_by_name'),
    comment: text('comment'),
    late: boolean('late').notNull().default(false),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('release_approvals_release_idx').on(t.releaseId, t.round),
    index('release_approvals_pending_idx').on(t.agency, t.status, t.dueAt),
  ],
);

/** Append-only record of a release: every submission, decision, revision, clock rung and publication. */
export const releaseEvents = pgTable(
  'release_events',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    releaseId: text('release_id')
      .notNull()
      .references(() => releases.id),
    round: integer('round').notNull().default(0),
    type: text('type').notNull(),
    labelZh: text('label_zh').notNull(),
    actorUserId: text('actor_user_id'),
    actorAgency: text('actor_agency'),
    ruleId: text('rule_id'),
    data: jsonb('data')
      .notNull()
      .default(sql`'{}'::jsonb`),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('release_events_release_idx').on(t.releaseId, t.seq)],
);

/**
 * Supervision items (检察监督事项, domain/supervision): opened by the procuratorate's sweep or a case clock's
 * supervision rung, one per (subject, kind, source). Worked by supervisionItemWorkflow (`supervision-<id>`), which
 * writes this row through an activity; the row is the queryable mirror.
 */
export const supervisionItems = pgTable(
  'supervision_items',
  {
    id: text('id').primaryKey(),
    workflowId: text('workflow_id').notNull(),
    /** notTransferred | notFiled | notInvestigated | penaltyInsteadOfCriminal */
    kind: text('kind').$type<SupervisionKind>().notNull(),
    /** sweep | ladder-<rule id> */
    source: text('source').notNull(),
    /** case | penaltyRecord */
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    caseId: text('case_id').references(() => cases.id),
    penaltyRecordId: text('penalty_record_id').references(() => penaltyRecords.id),
    /** The criterion (sweep.*, interp.1.*) or the rule whose rung opened it. */
    criterionId: text('criterion_id').notNull(),
    reasonZh: text('reason_zh').notNull(),
    basis: text('basis').notNull(),
    /** The agency the supervision concerns (eeb | psb). */
    concernedAgency: text('concerned_agency').notNull(),
    /** The sweep's duty period (duty-supervision-sweep-<period>), when the sweep opened it. */
    sweepPeriodId: text('sweep_period_id'),
    /** opened | opinionIssued | answered | closed */
    status: text('status').notNull().default('opened'),
    opinionKind: text('opinion_kind'),
    opinionText: text('opinion_text'),
    answerText: text('answer_text'),
    /** The running clock: supervision.review (SPP), the opinion's answer rule (agency), or spp.review-outcome-notice. */
    clockRuleId: text('clock_rule_id'),
    clockAgency: text('clock_agency'),
    dueAt: timestamp('due_at', { withTimezone: true, mode: 'date' }),
    dueDate: date('due_date', { mode: 'string' }),
    /** none | warning | overdue | escalated */
    escalationLevel: text('escalation_level').notNull().default('none'),
    overdue: boolean('overdue').notNull().default(false),
    /** corrected | reasonsUpheld | noViolation | referred */
    result: text('result'),
    resultNote: text('result_note'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('supervision_items_subject_uq').on(t.subjectType, t.subjectId, t.kind, t.source),
    index('supervision_items_status_idx').on(t.status),
    index('supervision_items_case_idx').on(t.caseId),
  ],
);

/** Append-only history of a supervision item (id = the workflow's event id). */
export const supervisionEvents = pgTable(
  'supervision_events',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    itemId: text('item_id')
      .notNull()
      .references(() => supervisionItems.id),
    type: text('type').notNull(),
    labelZh: text('label_zh').notNull(),
    actorUserId: text('actor_user_id'),
    actorAgency: text('actor_agency'),
    ruleId: text('rule_id'),
    data: jsonb('data')
      .notNull()
      .default(sql`'{}'::jsonb`),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('supervision_events_item_idx').on(t.itemId, t.seq)],
);

/** A report (GET/POST /api/v1/reports): what was asked, its progress, and who asked; the files are in report_files. */
export const reports = pgTable(
  'reports',
  {
    id: text('id').primaryKey(),
    /** briefing | statistics */
    kind: text('kind').$type<ReportKind>().notNull(),
    periodKey: text('period_key').notNull(),
    titleZh: text('title_zh').notNull(),
    fromAt: timestamp('from_at', { withTimezone: true, mode: 'date' }).notNull(),
    toAt: timestamp('to_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** ['xlsx', 'pdf', 'csv'] as requested */
    formats: jsonb('formats').notNull(),
    /** queued | computing | rendering | done | failed */
    status: text('status').notNull().default('queued'),
    progress: integer('progress').notNull().default(0),
    messageZh: text('message_zh'),
    /** api | briefing */
    source: text('source').notNull(),
    /** The briefing period (duty workflow id) a briefing report belongs to. */
    dutyPeriodId: text('duty_period_id'),
    workflowId: text('workflow_id').notNull(),
    /** Headline figures for the list (totals, timings). */
    summary: jsonb('summary')
      .notNull()
      .default(sql`'{}'::jsonb`),
    requestedByUserId: text('requested_by_user_id'),
    requestedByAgency: text('requested_by_agency'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('reports_created_idx').on(t.createdAt), index('reports_duty_period_idx').on(t.dutyPeriodId)],
);

/** bytea as a Buffer on both drivers (pg gives a Buffer, PGlite a Uint8Array). */
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)),
});

/** The bytes of one report file (the database serves API and worker as separate processes alike). */
export const reportFiles = pgTable(
  'report_files',
  {
    reportId: text('report_id')
      .notNull()
      .references(() => reports.id),
    format: text('format').$type<ReportFormat>().notNull(),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    content: bytea('content').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.reportId, t.format] })],
);

/**
 * Work that keeps failing and is retried (a record while the database refuses connections, say): one row per
 * workflow and activity, written by the activity guard on each failed attempt and removed once it succeeds.
 * /metrics and the working group's dashboard show the rows older than STUCK_AFTER_SECONDS.
 */
export const stuckWork = pgTable(
  'stuck_work',
  {
    workflowId: text('workflow_id').notNull(),
    /** The run that failed: a row of an earlier run (reset, continued as new) is stale. */
    runId: text('run_id').notNull(),
    activityType: text('activity_type').notNull(),
    firstFailedAt: timestamp('first_failed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lastFailedAt: timestamp('last_failed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(1),
    reason: text('reason').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workflowId, t.activityType] })],
);
