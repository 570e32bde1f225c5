import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { eq } from 'drizzle-orm';
import { cases } from '../../db/schema';
import { actorClaimInterceptor } from '../../infra/actor-claims';
import { ENCRYPTED_ENCODING, WORKFLOW_ID_KEY } from '../../infra/data-converter';
import { parseKeyRing } from '../../infra/keys';
import { devServerExecutable } from '../../infra/temporal';
import { testDataConverter } from '../helpers/keys';
import { request, startStack, type Stack } from '../helpers/stack';
import { caseWorkflowId } from '../../workflows/definitions/case';

/**
 * Only the platform reads and drives the workflows: what the Temporal server stores is ciphertext, the codec
 * endpoint decrypts it only for someone who may read the case, and nothing sent to Temporal directly acts as an
 * agency (unsigned or falsely signed actors are refused).
 */

const exec = promisify(execFile);
/** The CLI's JSON output shows payload data as base64: is the title in the output or in any payload's data? */
const titleIn = (out: string) =>
  out.includes(TITLE) ||
  [...out.matchAll(/"data": "([A-Za-z0-9+/=]+)"/g)].some((m) => Buffer.from(m[1], 'base64').toString().includes(TITLE));
const TITLE = `保密案件·举报人住址·${crypto.randomBytes(3).toString('hex')}`;
const toB64 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('base64');
const payloadJson = (p: temporal.api.common.v1.IPayload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, toB64(v)])),
  data: toB64(p.data),
});

describe('Temporal holds ciphertext; the platform alone decodes and acts', () => {
  let stack: Stack;
  let eeb: string, spp: string, psb: string, wg: string;
  let caseId: string;
  let workflowId: string;
  const namespace = () => stack.env.namespace ?? 'default';
  /** The history as the server stores it, read with a plain gRPC call (no codec). */
  const storedHistory = async () =>
    (
      await stack.env.connection.workflowService.getWorkflowExecutionHistory({
        namespace: namespace(),
        execution: { workflowId },
      })
    ).history!;

  beforeAll(async () => {
    stack = await startStack();
    eeb = await stack.userToken({ agency: 'eeb', role: 'officer' }, '环境局办案员');
    spp = await stack.userToken({ agency: 'spp', role: 'officer' }, '检察官');
    psb = await stack.userToken({ agency: 'psb', role: 'officer' }, '民警');
    wg = await stack.userToken({ agency: 'workingGroup', role: 'member' }, '工作组成员');
    const created = await request(stack.base, eeb, 'POST', '/api/v1/cases', {
      title: TITLE,
      summary: `${TITLE} 的举报材料`,
      track: 'criminal',
      confidentiality: 'confidential',
    });
    if (created.status !== 201) console.log(created.text);
    expect(created.status).toBe(201);
    caseId = (created.json.case as { id: string }).id;
    workflowId = caseWorkflowId(caseId);
    const step = await request(stack.base, eeb, 'POST', `/api/v1/cases/${caseId}/steps/formTaskForce`, {
      members: ['张三', '李四'],
    });
    expect(step.status).toBe(200);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('stores the confidential title nowhere in the server history: every payload is encrypted and names its workflow', async () => {
    const history = await storedHistory();
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    expect(bytes.includes(Buffer.from(TITLE))).toBe(false);
    expect(bytes.includes(Buffer.from('举报'))).toBe(false);
    const started = history.events![0].workflowExecutionStartedEventAttributes!;
    const [input] = started.input!.payloads!;
    expect(Buffer.from(input.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(input.metadata![WORKFLOW_ID_KEY]!).toString()).toBe(workflowId);
    // Every update's arguments too (the task-force step and its actor).
    const accepted = history.events!.find(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'formTaskForce',
    )!;
    const [arg] = accepted.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.args!.payloads!;
    expect(Buffer.from(arg.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
    console.log(
      `start event as the server stores it:\n${JSON.stringify(JSON.parse(historyToJSON({ events: [history.events![0]] })).events[0].workflowExecutionStartedEventAttributes.input, null, 2)}`,
    );
  });

  it('decodes the start event through the codec endpoint for the procuratorate, not for another agency or the working group', async () => {
    const history = await storedHistory();
    const body = {
      payloads: history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads!.map(payloadJson),
    };
    const forSpp = await request(stack.base, spp, 'POST', '/api/v1/codec/decode', body);
    expect(forSpp.status).toBe(200);
    const decoded = forSpp.json.payloads as { metadata: Record<string, string>; data: string }[];
    expect(Buffer.from(decoded[0].metadata.encoding, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(decoded[0].data, 'base64').toString()).title).toBe(TITLE);
    console.log(
      `codec decode as spp officer: ${forSpp.status} ${Buffer.from(decoded[0].data, 'base64').toString().slice(0, 160)}…`,
    );
    // The read of a confidential case through the codec is audited (written when the response has finished).
    let audited = '';
    for (let i = 0; i < 50 && !audited.includes('解码保密案件的流程数据'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      audited = JSON.stringify(
        (await request(stack.base, stack.adminToken, 'GET', `/api/v1/audit?target=${caseId}`)).json,
      );
    }
    expect(audited).toContain('解码保密案件的流程数据');
    for (const [who, token] of [
      ['psb', psb],
      ['workingGroup', wg],
    ] as const) {
      const refused = await request(stack.base, token, 'POST', '/api/v1/codec/decode', body);
      expect(refused.status).toBe(403);
      expect(refused.text).not.toContain(TITLE);
      console.log(`codec decode as ${who}: ${refused.status} ${refused.text}`);
    }
    expect((await request(stack.base, undefined, 'POST', '/api/v1/codec/decode', body)).status).toBe(401);
    // The CLI sends {} for an empty list.
    expect((await request(stack.base, spp, 'POST', '/api/v1/codec/decode', {})).json).toEqual({ payloads: [] });
    // The creating agency reads its case; the raw export is decrypted for it.
    expect((await request(stack.base, eeb, 'POST', '/api/v1/codec/decode', body)).status).toBe(200);
    const raw = await request(stack.base, eeb, 'GET', `/api/v1/cases/${caseId}/history?format=raw`);
    expect(raw.status).toBe(200);
    expect(raw.text).toContain(Buffer.from(JSON.stringify(TITLE).slice(1, -1)).toString('base64').slice(0, 12));
    const timeline = await request(stack.base, eeb, 'GET', `/api/v1/cases/${caseId}/history`);
    expect(JSON.stringify(timeline.json)).toContain('环境局办案员');
  });

  it("decodes for the Temporal UI with the signed-in user's session cookie (no CSRF token), per the same rules", async () => {
    const history = await storedHistory();
    const body = JSON.stringify({
      payloads: history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads!.map(payloadJson),
    });
    const password = '检察监督-Correct-Horse-7';
    const cookieOf = async (token: string) => {
      const me = (await request(stack.base, token, 'GET', '/api/v1/me')).json as { id: string };
      expect(
        (await request(stack.base, stack.adminToken, 'PUT', `/api/v1/users/${me.id}/password`, { password })).status,
      ).toBe(204);
      const login = await fetch(`${stack.base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: me.id, password }),
      });
      expect(login.status).toBe(200);
      return (login.headers.get('set-cookie') ?? '').split(';')[0];
    };
    const origin = new URL(stack.config.temporal.uiUrl).origin;
    const decode = (cookie: string) =>
      fetch(`${stack.base}/api/v1/codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin, cookie, 'x-namespace': namespace() },
        body,
      });
    const ok = await decode(await cookieOf(spp));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(origin);
    expect(
      JSON.parse(
        Buffer.from(((await ok.json()) as { payloads: { data: string }[] }).payloads[0].data, 'base64').toString(),
      ).title,
    ).toBe(TITLE);
    expect((await decode(await cookieOf(psb))).status).toBe(403);
  });

  it("answers the Temporal UI origin's preflight", async () => {
    const res = await fetch(`${stack.base}/api/v1/codec/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: new URL(stack.config.temporal.uiUrl).origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-namespace',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(new URL(stack.config.temporal.uiUrl).origin);
    const other = await fetch(`${stack.base}/api/v1/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses an update sent straight to Temporal with a made-up actor, unsigned or falsely signed', async () => {
    // A forger who has even the payload key (reads and writes ciphertext), but not the actor key.
    const forger = new Client({
      connection: stack.env.connection,
      namespace: namespace(),
      dataConverter: testDataConverter(),
    });
    const nobody = { userId: 'nobody', agency: 'eeb', role: 'officer', displayName: '冒充的办案员' };
    const unsigned = forger.workflow
      .getHandle(workflowId)
      .executeUpdate('submitTransferReport', { args: [{ actor: nobody, input: { documentNumber: '伪〔2026〕1号' } }] });
    await expect(unsigned).rejects.toThrow(WorkflowUpdateFailedError);
    const err = (await unsigned.catch((e: unknown) => e)) as WorkflowUpdateFailedError;
    expect(err.cause?.message).toContain('缺少平台签发的操作人签名');
    console.log(`forged update (no claim): ${err.message} — ${err.cause?.message}`);

    // Signed, but with a key of the forger's own under the platform's key id.
    const wrongKey = parseKeyRing(`test-actor:${crypto.randomBytes(32).toString('base64')}`, 'forged');
    const signer = new Client({
      connection: stack.env.connection,
      namespace: namespace(),
      dataConverter: testDataConverter(),
      interceptors: { workflow: [actorClaimInterceptor(wrongKey)] },
    });
    const forged = await signer.workflow
      .getHandle(workflowId)
      .executeUpdate('submitTransferReport', { args: [{ actor: nobody, input: { documentNumber: '伪〔2026〕1号' } }] })
      .catch((e: WorkflowUpdateFailedError) => e);
    expect(forged).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((forged as WorkflowUpdateFailedError).cause?.message).toContain('操作人签名无效');
    console.log(`forged update (false signature): ${(forged as WorkflowUpdateFailedError).cause?.message}`);

    const events = await request(stack.base, eeb, 'GET', `/api/v1/cases/${caseId}/events`);
    expect(JSON.stringify(events.json)).not.toContain('nobody');
    // The platform's own steps still go through.
    expect(
      (
        await request(stack.base, eeb, 'POST', `/api/v1/cases/${caseId}/steps/submitTransferReport`, {
          documentNumber: '环移〔2026〕1号',
        })
      ).status,
    ).toBe(200);
  });

  it('refuses a case started straight on Temporal with a made-up actor: nothing is registered', async () => {
    // A forger who has even the payload key (reads and writes ciphertext), but not the actor key.
    const forger = new Client({
      connection: stack.env.connection,
      namespace: namespace(),
      dataConverter: testDataConverter(),
    });
    const fakeId = crypto.randomUUID();
    const handle = await forger.workflow.start('caseWorkflow', {
      workflowId: caseWorkflowId(fakeId),
      taskQueue: stack.config.temporal.taskQueue,
      args: [
        {
          caseId: fakeId,
          title: '伪造的案件',
          track: 'criminal',
          confidentiality: 'public',
          createdAtMs: Date.now(),
          actor: { userId: 'nobody', agency: 'eeb', role: 'officer', displayName: '冒充' },
        },
      ],
    });
    const failed = await handle.result().catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(WorkflowFailedError);
    expect(String((failed as WorkflowFailedError).cause?.message)).toContain('缺少平台签发的操作人签名');
    expect(await stack.db.handle.db.select().from(cases).where(eq(cases.id, fakeId))).toEqual([]);
  });

  it('temporal workflow show --codec-endpoint shows the decoded title to an entitled user only', async () => {
    const { executable } = devServerExecutable();
    if (executable.type !== 'existing-path') throw new Error('temporal CLI not found (TEMPORAL_CLI_PATH)');
    const show = (token: string) =>
      exec(
        executable.path,
        [
          'workflow',
          'show',
          '--workflow-id',
          workflowId,
          '--address',
          stack.env.address,
          '--namespace',
          namespace(),
          '--codec-endpoint',
          `${stack.base}/api/v1/codec`,
          '--codec-auth',
          `Bearer ${token}`,
          '--output',
          'json',
          '--command-timeout',
          '30s',
        ],
        { timeout: 60_000, maxBuffer: 20 * 1024 * 1024 },
      ).then(
        (r) => ({ ok: true, out: r.stdout + r.stderr }),
        (e: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
      );
    const entitled = await show(spp);
    if (!entitled.ok) console.log(entitled.out.slice(0, 2000));
    expect(entitled.ok).toBe(true);
    expect(titleIn(entitled.out)).toBe(true);
    const refused = await show(psb);
    expect(titleIn(refused.out)).toBe(false);
    const plain = await exec(
      executable.path,
      [
        'workflow',
        'show',
        '--workflow-id',
        workflowId,
        '--address',
        stack.env.address,
        '--namespace',
        namespace(),
        '--output',
        'json',
        '--command-timeout',
        '30s',
      ],
      { timeout: 60_000, maxBuffer: 20 * 1024 * 1024 },
    );
    expect(titleIn(plain.stdout)).toBe(false);
    expect(plain.stdout).toContain(Buffer.from(ENCRYPTED_ENCODING).toString('base64'));
  });
});
