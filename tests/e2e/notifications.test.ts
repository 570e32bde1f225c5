import { request, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

/** A step hands the case to the PSB: its officer gets the e-mail once and finds it in the in-app inbox. */
describe('notifications: inbox and delivery status', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000' });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('notifies the agency that must act next, by e-mail and in the inbox, and shows delivery on the case', async () => {
    const eebHead = await stack.userToken({ agency: 'eeb', role: 'head' }, '生态环境局负责人');
    const psb = await stack.userToken({ agency: 'psb', role: 'officer' }, '公安局办案人员');
    const created = await request(stack.base, eebHead, 'POST', '/api/v1/cases', {
      title: '拒不停产整治',
      track: 'detention',
      documentNumber: '长环移拘审〔2026〕9号',
    });
    const caseId = (created.json.case as { id: string }).id;
    const moved = await request(stack.base, eebHead, 'POST', `/api/v1/cases/${caseId}/steps/deliverDetentionTransfer`, {
      documentNumber: '长环移拘〔2026〕9号',
    });
    expect(moved.status).toBe(200);

    // The inbox has the notice with the step's answer; the e-mail goes out in the background (the delivery is off the case's lock).
    const inbox = await request(stack.base, psb, 'GET', '/api/v1/me/notifications?unread=true');
    expect(inbox.json.unread).toBe(1);
    const [item] = inbox.json.items as { id: string; subject: string; bodyText: string; status: string }[];
    expect(item.subject).toContain('【待办】');
    expect(item.bodyText).toContain('受理行政拘留案件');
    await waitFor(
      '邮件已发出',
      async () => {
        const again = await request(stack.base, psb, 'GET', '/api/v1/me/notifications');
        return (again.json.items as { id: string; status: string }[]).find((n) => n.id === item.id)?.status === 'sent';
      },
      30_000,
    );
    const mail = stack.smtp.received.filter((m) => m.subject === item.subject);
    expect(mail).toHaveLength(1);

    expect(
      (await request(stack.base, psb, 'POST', `/api/v1/me/notifications/${encodeURIComponent(item.id)}/read`)).status,
    ).toBe(200);
    expect((await request(stack.base, psb, 'GET', '/api/v1/me/notifications?unread=true')).json.unread).toBe(0);
    // Someone else's notification cannot be marked.
    expect(
      (await request(stack.base, eebHead, 'POST', `/api/v1/me/notifications/${encodeURIComponent(item.id)}/read`))
        .status,
    ).toBe(404);

    const status = await request(stack.base, eebHead, 'GET', `/api/v1/cases/${caseId}/notifications`);
    expect((status.json.items as { status: string; recipient: string }[]).map((n) => n.status)).toContain('sent');
  });
});
