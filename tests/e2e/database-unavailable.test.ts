import crypto from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { keyedUuid } from '../../api/idempotency';
import { caseWorkflowId } from '../../workflows/definitions/case';
import { openDb, type DbHandle } from '../../db/client';
import { requirePostgres } from '../helpers/db';
import { request, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

/**
 * A TCP relay to the real PostgreSQL that can go down (listener closed, open connections cut: what the API sees of
 * a stopped server) and come back on the same port. The slow version with a real cluster stopped for 30 s is
 * tests/faults/postgres-outage.test.ts (npm run test:faults).
 */
async function relay(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listenOn = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  await listenOn(0);
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    down: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
    up: () => listenOn(port),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        if (server.listening) server.close(() => resolve());
        else resolve();
      }),
  };
}

// A relay needs a PostgreSQL server on the network (TEST_DATABASE_URL); PGlite has none.
describe('database unavailable: 503 in Chinese, nothing started, recovery by itself (needs TEST_DATABASE_URL)', () => {
  let stack: Stack;
  let apiDb: DbHandle | undefined;
  let link: Awaited<ReturnType<typeof relay>> | undefined;
  let env: TestWorkflowEnvironment;
  let base: string;
  const token = `tok-${crypto.randomBytes(16).toString('hex')}`;

  beforeAll(async () => {
    // No worker: a registration that reached Temporal would wait for ever, which is what must not happen.
    stack = await startStack(
      { RATE_LIMIT_PER_MINUTE: '100000' },
      {
        prefix: 'db-down',
        worker: false,
        postgresUrl: requirePostgres(),
        // The API reaches the database through the relay, which the test takes down.
        async apiDb(db) {
          const target = new URL(db.url!);
          link = await relay({ host: target.hostname, port: Number(target.port || 5432) });
          const through = new URL(db.url!);
          through.hostname = '127.0.0.1';
          through.port = String(link.port);
          apiDb = await openDb({ databaseUrl: through.toString(), poolMax: 3 });
          return apiDb;
        },
      },
    );
    ({ env, base } = stack);
    await stack.userToken({ agency: 'eeb', role: 'officer' }, '生态环境局办案人员', { id: 'u-eeb', token });
  }, 180_000);
  afterAll(async () => {
    await apiDb?.close();
    await link?.close();
    await stack?.close();
  });

  it('reads and writes answer 503 with Retry-After while it is down, a registration starts no workflow, and the API recovers', async () => {
    // The token is looked up (and cached) while the database is up.
    expect((await request(base, token, 'GET', '/api/v1/cases')).status).toBe(200);
    await link!.down();

    const read = await request(base, token, 'GET', '/api/v1/cases');
    expect(read.status).toBe(503);
    expect(read.json.error?.code).toBe('unavailable');
    expect(read.json.error?.message).toContain('服务暂时不可用');
    expect(read.headers.get('retry-after')).toBe('5');

    // With the token still cached, the registration's first contact with the database would be its workflow's
    // activity: it must be refused before the workflow starts, not wait for the database.
    const res = await fetch(`${base}/api/v1/cases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': 'db-down-1' },
      body: JSON.stringify({ title: '数据库中断期间登记', track: 'criminal' }),
      signal: AbortSignal.timeout(15_000),
    });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      '可用相同的 Idempotency-Key 安全重试',
    );
    const workflowId = caseWorkflowId(keyedUuid('u-eeb', 'db-down-1'));
    await expect(env.client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    // Unauthenticated: the state, not the driver's text (addresses, user names, versions).
    expect(((await ready.json()) as { checks: { database: unknown } }).checks.database).toEqual({
      ok: false,
      message: '数据库不可用',
    });
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^linkage_database_up 0$/m);

    await link!.up();
    await waitFor('接口恢复', async () => (await request(base, token, 'GET', '/api/v1/cases')).status === 200, 30_000);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^linkage_database_up 1$/m);
  }, 120_000);
});
