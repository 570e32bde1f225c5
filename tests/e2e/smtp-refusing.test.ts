import { eq } from 'drizzle-orm';
import { notifications } from '../../db/schema';
import { startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

/**
 * The mail server refusing mail (450) while a case moves: the step answers at once, its notice waits in the outbox
 * with the server's error, the case goes on (the next step is not held behind the mail), and the notice goes out by
 * itself, once, when the server accepts again. tests/integration/mail-smtp.test.ts checks the delivery activity alone.
 */
describe('SMTP refusing mail while a case moves', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000' });
  });
  afterAll(async () => {
    stack.smtp.refuse = false;
    await stack.close();
  });

  const send = (token: string, path: string, body: unknown) =>
    fetch(`${stack.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      // A step held behind the refused mail would not answer at all.
      signal: AbortSignal.timeout(20_000),
    }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));

  it('answers the step, keeps the notice queued with its error, lets the case go on and sends it once when SMTP returns', async () => {
    const eebHead = await stack.userToken({ agency: 'eeb', role: 'head' }, '生态环境局负责人');
    const psb = await stack.userToken({ agency: 'psb', role: 'officer' }, '公安局办案人员');
    const created = await send(eebHead, '/api/v1/cases', {
      title: '邮件服务器拒收测试',
      track: 'detention',
      documentNumber: '长环移拘审〔2026〕11号',
    });
    expect(created.status).toBe(201);
    const caseId = (created.json.case as { id: string }).id;
    const outbox = () => stack.db.handle.db.select().from(notifications).where(eq(notifications.caseId, caseId));
    const before = (await outbox()).length;

    stack.smtp.refuse = true;
    // The transfer hands the case to the PSB: a notice to its officers.
    const moved = await send(eebHead, `/api/v1/cases/${caseId}/steps/deliverDetentionTransfer`, {
      documentNumber: '长环移拘〔2026〕11号',
    });
    expect(moved.status).toBe(200);
    const refused = await waitFor(
      '拒收后发件箱保留待发',
      async () => {
        const rows = (await outbox()).filter((r) => r.channel === 'email' && r.status === 'pending' && r.attempts > 0);
        return rows.length > before ? rows : undefined;
      },
      30_000,
    );
    expect(refused.every((r) => (r.lastError ?? '').includes('mailbox unavailable'))).toBe(true);
    expect(stack.smtp.received).toHaveLength(0);

    // The case is not held behind its mail: the PSB takes the next step while the server still refuses.
    const accepted = await send(psb, `/api/v1/cases/${caseId}/steps/acceptDetentionCase`, {
      documentNumber: '受案〔2026〕11号',
    });
    expect(accepted.status).toBe(200);
    expect(accepted.json.stage).toBe('detentionAccepted');
    expect((await outbox()).filter((r) => r.id === refused[0].id)[0].status).toBe('pending');

    // The server accepts again: the activity's own retry sends it, once, under its Message-ID.
    stack.smtp.refuse = false;
    const sent = await waitFor(
      '恢复后自动发出',
      async () => {
        const rows = (await outbox()).filter((r) => r.channel === 'email');
        return rows.length > 0 && rows.every((r) => r.status === 'sent') ? rows : undefined;
      },
      60_000,
      500,
    );
    const ids = sent.map((r) => `<${r.messageId}>`);
    const received = stack.smtp.received.map((m) => m.messageId ?? '');
    expect(received.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
    expect(new Set(received).size).toBe(received.length);
  }, 180_000);
});
