import { eq, sql } from 'drizzle-orm';
import { createRecordActivities } from '../../activities/records';
import type { RecordChangeInput } from '../../activities/types';
import { migrate } from '../../db/client';
import { readRoster, seed } from '../../db/seed';
import { agencies, caseEvents, cases, deadlines, notifications, workingGroupPositions } from '../../db/schema';
import { createPgliteTestDb, createPostgresTestDb, TEST_PG_URL, type TestDb } from '../helpers/db';
import { caseWorkflowId } from '../../workflows/definitions/case';

const backends: [string, () => Promise<TestDb>][] = [['PGlite', createPgliteTestDb]];
if (TEST_PG_URL) backends.unshift(['PostgreSQL', () => createPostgresTestDb(TEST_PG_URL!)]);
else console.warn('TEST_DATABASE_URL/DATABASE_URL 未设置：只在 PGlite 上运行（CI 会在 PostgreSQL 上运行）');

describe.each(backends)('records on %s', (_name, make) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await make();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('seeds the three agencies and the working group, idempotently', async () => {
    await migrate(t.handle); // a second run applies nothing
    await seed(t.handle.db, readRoster());
    const rows = await t.handle.db.select().from(agencies);
    expect(rows.map((r) => r.code).sort()).toEqual(['admin', 'eeb', 'psb', 'spp', 'workingGroup']);
    const group = await t.handle.db.select().from(workingGroupPositions);
    expect(group.filter((g) => g.position === 'leader')).toHaveLength(1);
    expect(group.filter((g) => g.position === 'deputy')).toHaveLength(4);
    expect(group).toHaveLength(10);
  });

  const acts = () => createRecordActivities({ db: t.handle.db });
  const caseId = '00000000-0000-4000-8000-000000000001';

  it('registers a case once, even when retried', async () => {
    const input = {
      caseId,
      workflowId: caseWorkflowId(caseId),
      title: '某化工厂非法倾倒危险废物',
      track: 'criminal',
      stage: 'lead',
      stageLabelZh: '线索发现',
      responsibleAgency: 'eeb',
      confidentiality: 'internal',
      createdBy: { userId: 'admin', agency: 'admin' },
      event: {
        id: `${caseId}/created`,
        type: 'caseCreated',
        labelZh: '案件登记',
        occurredAtMs: Date.parse('2026-03-02T02:00:00Z'),
      },
    };
    const a = await acts().registerCase(input);
    const b = await acts().registerCase(input);
    expect(a.caseNumber).toMatch(/^联动-2026-\d{6}$/);
    expect(b).toEqual(a);
    expect(await t.handle.db.select().from(cases).where(eq(cases.id, caseId))).toHaveLength(1);
    expect(await t.handle.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId))).toHaveLength(1);
  });

  it('records a change in one transaction, exactly once per event id', async () => {
    const change: RecordChangeInput = {
      caseId,
      event: {
        id: `${caseId}/clock/x#1/overdue`,
        type: 'clockOverdue',
        labelZh: '超期',
        occurredAtMs: Date.parse('2026-03-04T16:00:00Z'),
        ruleId: 'eeb.transfer-approval',
      },
      caseUpdate: { overdue: true },
      deadlines: [
        {
          clockId: 'x#1',
          ruleId: 'eeb.transfer-approval',
          labelZh: '移送审批',
          responsibleAgency: 'eeb',
          basis: '《行政执法机关移送涉嫌犯罪案件的规定》第五条',
          startedAtMs: Date.parse('2026-03-02T02:00:00Z'),
          dueAtMs: Date.parse('2026-03-05T15:59:59Z'),
          dueDate: '2026-03-05',
          custody: false,
          provisional: false,
          status: 'open',
          escalationLevel: 'overdue',
        },
      ],
      notify: [{ audience: ['agencyHead'], agency: 'eeb', subject: '超期', bodyText: '正文' }],
    };
    const first = await acts().recordCaseChange(change);
    const again = await acts().recordCaseChange(change);
    expect(first.notificationIds.length).toBeGreaterThanOrEqual(2); // EEB mailbox + working group liaison mailbox
    expect(again.notificationIds.sort()).toEqual(first.notificationIds.sort());
    const outbox = await t.handle.db.select().from(notifications).where(eq(notifications.eventId, change.event.id));
    expect(outbox).toHaveLength(first.notificationIds.length);
    expect(new Set(outbox.map((o) => o.messageId)).size).toBe(outbox.length);
    const [row] = await t.handle.db.select().from(cases).where(eq(cases.id, caseId));
    expect(row.overdue).toBe(true);
    const [d] = await t.handle.db.select().from(deadlines).where(eq(deadlines.caseId, caseId));
    expect(d.dueDate).toBe('2026-03-05');
    expect(d.overdueAt).not.toBeNull();
  });

  it('keeps case_events append-only', async () => {
    // drizzle wraps the driver's error; the trigger's message is in its cause.
    const failure = (q: Promise<unknown>) =>
      q.then(
        () => 'no error',
        (err: Error & { cause?: Error }) => `${err.message} ${err.cause?.message ?? ''}`,
      );
    expect(await failure(t.handle.db.execute(sql`update case_events set label_zh = 'x'`))).toMatch(/append-only/);
    expect(await failure(t.handle.db.execute(sql`delete from case_events`))).toMatch(/append-only/);
    expect(await t.handle.db.select().from(caseEvents)).not.toHaveLength(0);
  });
});
