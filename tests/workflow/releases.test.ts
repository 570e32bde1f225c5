import fs from 'node:fs';
import path from 'node:path';
import { asc, eq, like } from 'drizzle-orm';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { cases, notifications, releaseApprovals, releaseEvents, releases } from '../../db/schema';
import { POLICY_RULES } from '../../domain/deadlines';
import type { ReleaseContent } from '../../domain/releases';
import type { DutyActor } from '../../workflows/definitions/duties';
import { jointReleaseWorkflow } from '../../workflows/releases';
import {
  approveReleaseUpdate,
  publishReleaseUpdate,
  rejectReleaseUpdate,
  releaseRegisteredUpdate,
  releaseStateQuery,
  releaseWorkflowId,
  requestChangesReleaseUpdate,
  reviseReleaseUpdate,
  submitReleaseUpdate,
  type ReleaseView,
} from '../../workflows/definitions/releases';
import { startStack, type Stack } from '../helpers/stack';
import { caseWorkflowId } from '../../workflows/definitions/case';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const MINUTE = 60_000;
const eeb: DutyActor = { userId: 'eeb-1', agency: 'eeb', role: 'officer', displayName: '生态环境局宣传科' };
const eebHead: DutyActor = { userId: 'eeb-head', agency: 'eeb', role: 'head', displayName: '生态环境局负责人' };
const psb: DutyActor = { userId: 'psb-head', agency: 'psb', role: 'head', displayName: '公安局负责人' };
const spp: DutyActor = { userId: 'spp-head', agency: 'spp', role: 'head', displayName: '检察院负责人' };

/**
 * 联合发布 (seed 五(三)) on the time-skipping server: the three agencies' approvals in rounds, rejection, revision,
 * the policy rule `release.approval` (5 working days) escalating, and content that may not go to the public.
 */
describe('joint releases, rule release.approval (time-skipping)', () => {
  let h: Stack;
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    h = await startStack({}, { timeSkipping: true, api: false, prefix: 'rel' });
    env = h.env;
  });
  afterAll(async () => {
    await h.close();
  });

  let n = 0;
  const content = (over: Partial<ReleaseContent> = {}): ReleaseContent => ({
    title: '三部门联合开展危险废物专项执法行动',
    body: '市生态环境局、市公安局、市人民检察院于本月联合开展危险废物非法转移倾倒专项执法行动，检查企业四十家。',
    kind: 'majorAction',
    caseIds: [],
    confidentiality: 'public',
    ...over,
  });
  async function draft(c: ReleaseContent = content()) {
    n++;
    const releaseId = `00000000-0000-4000-9000-0000000000${String(n).padStart(2, '0')}`;
    const handle = await env.client.workflow.start(jointReleaseWorkflow, {
      workflowId: releaseWorkflowId(releaseId),
      taskQueue: h.taskQueue,
      args: [{ releaseId, content: c, drafter: eeb, createdAtMs: await env.currentTimeMs() }],
    });
    await handle.executeUpdate(releaseRegisteredUpdate);
    return { releaseId, handle };
  }
  const act = (
    handle: WorkflowHandle,
    update: typeof approveReleaseUpdate,
    actor: DutyActor,
    input?: unknown,
  ): Promise<ReleaseView> => handle.executeUpdate(update, { args: [{ actor, input }] });
  async function refusal(p: Promise<unknown>) {
    try {
      await p;
    } catch (err) {
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
      return { code: (cause.details?.[0] as { code: number }).code, message: cause.message };
    }
    throw new Error('the update was accepted');
  }
  const eventsOf = (releaseId: string) =>
    h.db.handle.db
      .select()
      .from(releaseEvents)
      .where(eq(releaseEvents.releaseId, releaseId))
      .orderBy(asc(releaseEvents.seq));
  const rowOf = async (releaseId: string) =>
    (await h.db.handle.db.select().from(releases).where(eq(releases.id, releaseId)))[0];
  async function saveFixture(name: string, handle: WorkflowHandle) {
    const history = await handle.fetchHistory();
    if (process.env.RECORD_FIXTURES)
      fs.writeFileSync(path.join(FIXTURES, `${name}.history.json`), historyToJSON(history));
  }

  it('is published only when all three agencies approve in the same round', async () => {
    const { releaseId, handle } = await draft();
    expect((await rowOf(releaseId)).status).toBe('draft');
    // Only the drafting agency submits; nobody decides or publishes a draft.
    expect(await refusal(act(handle, submitReleaseUpdate, psb))).toMatchObject({ code: 403 });
    expect(await refusal(act(handle, approveReleaseUpdate, psb))).toMatchObject({ code: 409 });
    const submitted = await act(handle, submitReleaseUpdate, eeb);
    expect(submitted).toMatchObject({ status: 'inReview', round: 1 });
    expect(submitted.approvals.map((a) => [a.agency, a.status])).toEqual([
      ['eeb', 'pending'],
      ['psb', 'pending'],
      ['spp', 'pending'],
    ]);
    await act(handle, approveReleaseUpdate, eebHead, {});
    await act(handle, approveReleaseUpdate, psb, { comment: '同意' });
    // Two of three: not yet publishable; an agency decides once per round; others than the three are refused.
    expect(await refusal(act(handle, publishReleaseUpdate, eeb))).toMatchObject({ code: 409 });
    expect(await refusal(act(handle, approveReleaseUpdate, psb))).toMatchObject({ code: 409 });
    expect(
      await refusal(act(handle, approveReleaseUpdate, { userId: 'wg', agency: 'workingGroup', role: 'leader' })),
    ).toMatchObject({ code: 403 });
    const approved = await act(handle, approveReleaseUpdate, spp, {});
    expect(approved.status).toBe('approved');
    expect(await refusal(act(handle, publishReleaseUpdate, psb))).toMatchObject({ code: 403 });
    const published = await act(handle, publishReleaseUpdate, eeb);
    expect(published.status).toBe('published');
    expect((await handle.result()).status).toBe('published');

    const row = await rowOf(releaseId);
    expect(row).toMatchObject({ status: 'published', round: 1, publishedByAgency: 'eeb' });
    expect(row.publishedAt).toBeInstanceOf(Date);
    expect((await eventsOf(releaseId)).map((e) => e.type)).toEqual([
      'releaseDrafted',
      'releaseSubmitted',
      'releaseApprove',
      'releaseApprove',
      'releaseApprove',
      'releasePublished',
    ]);
    // The record of decisions is append-only.
    await expect(
      h.db.handle.db.update(releaseEvents).set({ labelZh: '改写' }).where(eq(releaseEvents.releaseId, releaseId)),
    ).rejects.toThrow();
    await expect(h.db.handle.db.delete(releaseEvents).where(eq(releaseEvents.releaseId, releaseId))).rejects.toThrow();
    const approvals = await h.db.handle.db
      .select()
      .from(releaseApprovals)
      .where(eq(releaseApprovals.releaseId, releaseId));
    expect(approvals.map((a) => a.status)).toEqual(['approved', 'approved', 'approved']);
    expect(approvals.every((a) => a.decidedAt && !a.late)).toBe(true);
    // Every change's mail went through the outbox, once each.
    const outbox = await h.db.handle.db
      .select()
      .from(notifications)
      .where(like(notifications.eventId, `${releaseId}/%`));
    expect(outbox.length).toBeGreaterThan(0);
    expect(outbox.some((o) => o.subject.startsWith('【联合发布已发布】'))).toBe(true);
  });

  it('one agency rejecting ends the release: never published', async () => {
    const { releaseId, handle } = await draft();
    await act(handle, submitReleaseUpdate, eeb);
    await act(handle, approveReleaseUpdate, eebHead, {});
    const noReason = await refusal(act(handle, rejectReleaseUpdate, psb, {}));
    expect(noReason.code).toBe(422);
    expect(noReason.message).toContain('理由');
    const v = await act(handle, rejectReleaseUpdate, psb, { comment: '案件尚在侦查，公开时机不成熟' });
    expect(v).toMatchObject({
      status: 'rejected',
      rejected: { agency: 'psb', reason: '案件尚在侦查，公开时机不成熟' },
    });
    expect((await handle.result()).status).toBe('rejected');
    await expect(act(handle, publishReleaseUpdate, eeb)).rejects.toThrow();
    const row = await rowOf(releaseId);
    expect(row).toMatchObject({ status: 'rejected', publishedAt: null, rejectedByAgency: 'psb' });
    const approvals = await h.db.handle.db
      .select()
      .from(releaseApprovals)
      .where(eq(releaseApprovals.releaseId, releaseId))
      .orderBy(asc(releaseApprovals.agency));
    expect(approvals.map((a) => [a.agency, a.status])).toEqual([
      ['eeb', 'approved'],
      ['psb', 'rejected'],
      ['spp', 'superseded'],
    ]);
  });

  it('a request for changes ends the round; the revision starts a new round that all three must approve again', async () => {
    const { releaseId, handle } = await draft();
    await act(handle, submitReleaseUpdate, eeb);
    await act(handle, approveReleaseUpdate, eebHead, {});
    // Revising while in review is refused; changes need comments.
    expect(
      await refusal(act(handle, reviseReleaseUpdate, eeb, content({ title: '改' + content().title }))),
    ).toMatchObject({ code: 409 });
    expect(await refusal(act(handle, requestChangesReleaseUpdate, spp, {}))).toMatchObject({ code: 422 });
    const changes = await act(handle, requestChangesReleaseUpdate, spp, { comment: '请删除检查企业的具体数量' });
    expect(changes.status).toBe('changesRequested');
    expect(await refusal(act(handle, approveReleaseUpdate, psb, {}))).toMatchObject({ code: 409 });
    expect(await refusal(act(handle, reviseReleaseUpdate, psb, content()))).toMatchObject({ code: 403 });
    const revised = await act(
      handle,
      reviseReleaseUpdate,
      eeb,
      content({ body: '市生态环境局、市公安局、市人民检察院于本月联合开展危险废物非法转移倾倒专项执法行动。' }),
    );
    expect(revised).toMatchObject({ status: 'inReview', round: 2 });
    expect(revised.earlierRounds[0].approvals.map((a) => a.status)).toEqual(
      ['approved', 'pending', 'changesRequested'].map((s) => (s === 'pending' ? 'superseded' : s)),
    );
    expect(revised.approvals.every((a) => a.status === 'pending')).toBe(true);
    for (const who of [eebHead, psb, spp]) await act(handle, approveReleaseUpdate, who, {});
    expect((await act(handle, publishReleaseUpdate, eeb)).status).toBe('published');
    await handle.result();
    const row = await rowOf(releaseId);
    expect(row).toMatchObject({ status: 'published', round: 2 });
    expect(row.body).not.toContain('四十家');
    const rounds = await h.db.handle.db
      .select()
      .from(releaseApprovals)
      .where(eq(releaseApprovals.releaseId, releaseId))
      .orderBy(asc(releaseApprovals.round), asc(releaseApprovals.agency));
    expect(rounds.map((a) => `${a.round}/${a.agency}/${a.status}`)).toEqual([
      '1/eeb/approved',
      '1/psb/superseded',
      '1/spp/changesRequested',
      '2/eeb/approved',
      '2/psb/approved',
      '2/spp/approved',
    ]);
    expect((await eventsOf(releaseId)).map((e) => e.type)).toEqual([
      'releaseDrafted',
      'releaseSubmitted',
      'releaseApprove',
      'releaseRequestChanges',
      'releaseRevised',
      'releaseApprove',
      'releaseApprove',
      'releaseApprove',
      'releasePublished',
    ]);
    await saveFixture('joint-release-revised', handle);
  });

  it('an approval not given within 5 working days warns, goes overdue and is escalated to the working group', async () => {
    const { releaseId, handle } = await draft();
    const v = await act(handle, submitReleaseUpdate, eeb);
    await act(handle, approveReleaseUpdate, eebHead, {});
    await act(handle, approveReleaseUpdate, psb, {});
    const spps = v.approvals.find((a) => a.agency === 'spp')!;
    expect(POLICY_RULES['release.approval']).toMatchObject({ limit: 5, unit: 'workdays' });
    expect(spps.warningAtMs).not.toBeNull();
    expect(spps.escalationAtMs).not.toBeNull();
    await env.sleep(spps.escalationAtMs! - (await env.currentTimeMs()) + MINUTE);
    const until = Date.now() + 30_000;
    let clock: string[] = [];
    while (Date.now() < until) {
      clock = (await eventsOf(releaseId))
        .filter((e) => e.type.startsWith('releaseClock'))
        .map((e) => `${(e.data as { agency: string }).agency}/${e.type}`);
      if (clock.length >= 3) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    // Only the agency that has not decided: the others' clocks stopped with their decisions.
    expect(clock).toEqual(['spp/releaseClockWarning', 'spp/releaseClockOverdue', 'spp/releaseClockEscalation']);
    const events = (await eventsOf(releaseId)).filter((e) => e.type.startsWith('releaseClock'));
    expect(events.every((e) => e.ruleId === 'release.approval')).toBe(true);
    expect(events[1].occurredAt.getTime()).toBeGreaterThanOrEqual(spps.overdueAtMs);
    expect((await handle.query(releaseStateQuery)).approvals.find((a) => a.agency === 'spp')!.level).toBe('escalated');
    const [row] = await h.db.handle.db
      .select()
      .from(releaseApprovals)
      .where(eq(releaseApprovals.id, `${releaseId}/1/spp`));
    expect(row).toMatchObject({ status: 'pending', escalationLevel: 'escalated' });
    const mails = await h.db.handle.db
      .select()
      .from(notifications)
      .where(like(notifications.eventId, `${releaseId}/r1/spp/clock/%`));
    expect([...new Set(mails.map((m) => m.subject.slice(0, 4)))].sort()).toEqual(
      ['【督办】', '【预警】', '【超期】'].sort(),
    );
    // A late approval is still taken, and recorded as late.
    const late = await act(handle, approveReleaseUpdate, spp, {});
    expect(late.status).toBe('approved');
    expect(late.approvals.find((a) => a.agency === 'spp')!.late).toBe(true);
  });

  it('refuses to approve or publish confidential content or content referring to a confidential case', async () => {
    const secret = await draft(content({ confidentiality: 'confidential', confidentialityReason: '涉及侦查秘密' }));
    await act(secret.handle, submitReleaseUpdate, eeb);
    const r1 = await refusal(act(secret.handle, approveReleaseUpdate, psb, {}));
    expect(r1.code).toBe(409);
    expect(r1.message).toContain('保密内容不得向社会公开发布');
    const internal = await draft(content({ confidentiality: 'internal', confidentialityReason: '内部通报' }));
    await act(internal.handle, submitReleaseUpdate, eeb);
    expect((await refusal(act(internal.handle, approveReleaseUpdate, spp, {}))).message).toContain('须标明“公开”');

    // A case that becomes confidential after the approvals: publication is refused; dropping the reference re-opens review.
    const caseId = '00000000-0000-4000-8000-00000000aa01';
    await h.db.handle.db.insert(cases).values({
      id: caseId,
      caseNumber: '联动-2026-990001',
      title: '某公司非法处置废矿物油案',
      track: 'criminal',
      stage: 'investigation',
      stageLabelZh: '立案侦查',
      confidentiality: 'internal',
      workflowId: caseWorkflowId(caseId),
    });
    const { releaseId, handle } = await draft(content({ caseIds: [caseId] }));
    await act(handle, submitReleaseUpdate, eeb);
    for (const who of [eebHead, psb, spp]) await act(handle, approveReleaseUpdate, who, {});
    await h.db.handle.db.update(cases).set({ confidentiality: 'confidential' }).where(eq(cases.id, caseId));
    const refused = await refusal(act(handle, publishReleaseUpdate, eeb));
    expect(refused.code).toBe(409);
    expect(refused.message).toContain('联动-2026-990001');
    expect((await rowOf(releaseId)).status).toBe('approved');
    expect((await rowOf(releaseId)).publishedAt).toBeNull();
    const again = await act(handle, reviseReleaseUpdate, eeb, content({ caseIds: [] }));
    expect(again).toMatchObject({ status: 'inReview', round: 2 });
    // The same check at approval time.
    const other = await draft(content({ caseIds: [caseId] }));
    await act(other.handle, submitReleaseUpdate, eeb);
    expect((await refusal(act(other.handle, approveReleaseUpdate, spp, {}))).message).toContain('保密案件');
  });
});
