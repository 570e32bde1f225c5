import { asc, eq } from 'drizzle-orm';
import { caseEvents, notifications } from '../../db/schema';
import type { Actor } from '../../domain/case';
import { caseWorkflow } from '../../workflows/case';
import { registeredUpdate, stepUpdate, type CaseWorkflowInput } from '../../workflows/definitions/case';
import { waitFor } from '../helpers/wait';
import { startStack, type Stack } from '../helpers/stack';
import { caseWorkflowId } from '../../workflows/definitions/case';

const eebOfficer: Actor = { userId: 'eeb-1', agency: 'eeb', role: 'officer', displayName: '生态环境局办案人员' };
const eebHead: Actor = { userId: 'eeb-head', agency: 'eeb', role: 'head', displayName: '生态环境局负责人' };
const psbOfficer: Actor = { userId: 'psb-1', agency: 'psb', role: 'officer', displayName: '公安局办案人员' };

/**
 * A worker stopped in the middle of a case, with a step waiting for it, and a new worker taking over
 * (real dev server: sticky task queues time out and the new worker picks the case up).
 */
describe('worker stopped and restarted mid-case', () => {
  let h: Stack;
  beforeAll(async () => {
    h = await startStack({}, { api: false, prefix: 'restart' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('loses nothing and duplicates no event and no email', async () => {
    const caseId = '00000000-0000-4000-8000-00000000beef';
    const input: CaseWorkflowInput = {
      caseId,
      title: '重启测试案件',
      track: 'criminal',
      confidentiality: 'internal',
      createdAtMs: Date.now(),
      actor: eebOfficer,
    };
    const handle = await h.env.client.workflow.start(caseWorkflow, {
      workflowId: caseWorkflowId(caseId),
      taskQueue: h.taskQueue,
      args: [input],
    });
    await handle.executeUpdate(registeredUpdate);
    const step = (name: string, actor: Actor, body: Record<string, unknown>) =>
      handle.executeUpdate(stepUpdate(name), { args: [{ actor, input: body }] });

    await step('formTaskForce', eebOfficer, { members: ['张三', '李四'] });
    await h.stopWorker();
    const pending = step('submitTransferReport', eebOfficer, { documentNumber: 'R-restart' });
    await new Promise((r) => setTimeout(r, 1000));
    await h.startWorker();
    expect((await pending).stage).toBe('approvalPending');
    await step('approveTransfer', eebHead, { documentNumber: 'A-restart' });
    await step('deliverTransfer', eebOfficer, { documentNumber: 'T-restart', copiedToSpp: true });
    // deliverTransfer hands the case to the PSB: one notice, sent once.
    await h.stopWorker();
    await h.startWorker();
    await step('acknowledgeReceipt', psbOfficer, { documentNumber: 'H-restart' });

    // The Art 34 duty opened by the transfer (rule any.platform-entry) runs in its own workflow, started by the
    // transfer's record and recording its first event on its own time: once, in its own order.
    const events = await waitFor(
      'platform-entry event',
      async () => {
        const rows = await h.db.handle.db
          .select()
          .from(caseEvents)
          .where(eq(caseEvents.caseId, caseId))
          .orderBy(asc(caseEvents.seq));
        return rows.some((e) => e.type === 'informationEntryDue') ? rows : undefined;
      },
      60_000,
    );
    expect(events.filter((e) => e.type === 'informationEntryDue').map((e) => e.ruleId)).toEqual(['any.platform-entry']);
    const caseOwn = events.filter((e) => e.ruleId !== 'any.platform-entry');
    expect(caseOwn.map((e) => (e.data as { step?: string }).step ?? e.type)).toEqual([
      'caseCreated',
      'formTaskForce',
      'submitTransferReport',
      'approveTransfer',
      'deliverTransfer',
      'acknowledgeReceipt',
    ]);
    // Mail goes out in the background of the steps (the delivery is off the case's lock), across the restart too.
    const outbox = await waitFor(
      'all mail sent',
      async () => {
        const rows = await h.db.handle.db.select().from(notifications).where(eq(notifications.caseId, caseId));
        return rows.length > 0 && rows.every((o) => o.status === 'sent') ? rows : undefined;
      },
      60_000,
    );
    const ids = new Set(outbox.map((o) => `<${o.messageId}>`));
    const received = h.smtp.received.filter((m) => ids.has(m.messageId ?? ''));
    expect(received.length).toBe(outbox.length);
    expect(new Set(received.map((m) => m.messageId)).size).toBe(received.length);
  });
});
