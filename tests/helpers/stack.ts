import crypto from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createApp } from '../../api/app';
import { ensureAdmin, hashToken } from '../../api/auth';
import { closeServer, listen } from '../../api/server';
import { createMailer } from '../../activities/mailer';
import { loadConfig, type Config } from '../../config';
import { apiTokens, users } from '../../db/schema';
import type { Principal } from '../../domain/policy';
import { createWorker } from '../../worker';
import { createTestDb, type TestDb } from './db';
import { workerProcess, type WorkerProcess } from './processes';
import { startSmtp, type TestSmtp } from './smtp';
import { createDevServerEnv, createTimeSkippingEnv, workflowBundle } from './temporal';
import { TEST_KEYS_ENV } from './keys';

/** The whole platform on real parts: dev server, worker, database, SMTP and the HTTP API on a free port. */
export interface Stack {
  env: TestWorkflowEnvironment;
  db: TestDb;
  smtp: TestSmtp;
  config: Config;
  base: string;
  adminToken: string;
  /** With `workerProcess`: the worker's OS process id (its RSS is the worker's alone). */
  workerPid?: number;
  /** Creates a user of this agency and role and returns its bearer token. */
  userToken(p: Principal, name?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * timeSkipping: the time-skipping test server instead of the dev server, so a test can let days pass
 * (`env.sleep`); it has no Schedule API.
 * workerProcess: the worker runs as its own OS process (tests/helpers/worker-child.ts, the production shape; needs
 * PostgreSQL), so its memory and CPU are its own; the API stays in this process.
 * workflowsPath: another workflow entry than workflows/index.ts (the bench passes bench/workflows.ts).
 * extraEnv.DATABASE_POOL_MAX sets the API's (and the worker's) pool; tests otherwise use 5 connections.
 */
export async function startStack(
  extraEnv: Record<string, string> = {},
  opts: { timeSkipping?: boolean; workerProcess?: boolean; workflowsPath?: string } = {},
): Promise<Stack> {
  const poolMax = extraEnv.DATABASE_POOL_MAX ? Number(extraEnv.DATABASE_POOL_MAX) : 5;
  const [env, db, smtp] = await Promise.all([
    opts.timeSkipping ? createTimeSkippingEnv() : createDevServerEnv(),
    createTestDb({ poolMax }),
    startSmtp(),
  ]);
  const adminToken = `admin-${crypto.randomBytes(12).toString('hex')}`;
  await ensureAdmin(db.handle.db, adminToken);
  const workerEnv = {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: `stack-${crypto.randomBytes(4).toString('hex')}`,
    SMTP_URL: smtp.url,
    ...TEST_KEYS_ENV,
    ...extraEnv,
  };
  const config = loadConfig(workerEnv);
  const mailer = createMailer({ smtpUrl: smtp.url, from: config.mail.from, mailDir: '/nonexistent' });
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let child: WorkerProcess | undefined;
  if (opts.workerProcess) {
    if (!db.url) throw new Error('workerProcess 需要 PostgreSQL（TEST_DATABASE_URL）');
    child = await workerProcess(
      { ...workerEnv, DATABASE_URL: db.url, DATABASE_POOL_MAX: String(poolMax), NODE_ENV: 'test' },
      opts.workflowsPath,
    );
    await child.start();
  } else {
    worker = await createWorker({
      connection: env.nativeConnection,
      config,
      db: db.handle,
      mailer,
      workflowBundle: await workflowBundle(opts.workflowsPath),
    });
    running = worker.run();
  }
  const server: Server = await listen(createApp({ db: db.handle, temporal: env.client, config }), 0, '127.0.0.1');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let n = 0;
  return {
    env,
    db,
    smtp,
    config,
    base,
    adminToken,
    workerPid: child?.pid,
    async userToken(p, name) {
      n++;
      const id = `u-${p.agency}-${p.role}-${n}`;
      const token = `tok-${crypto.randomBytes(16).toString('hex')}`;
      await db.handle.db.insert(users).values({
        id,
        username: id,
        displayName: name ?? `${p.agency} ${p.role}`,
        agency: p.agency,
        role: p.role,
        email: `${id}@test.local`,
        confirmedAt: new Date(),
        confirmedBy: 'test',
      });
      await db.handle.db
        .insert(apiTokens)
        .values({ id: `t-${id}`, userId: id, name: 'test', tokenHash: hashToken(token) });
      return token;
    },
    async close() {
      await closeServer(server);
      if (child) await child.kill('SIGTERM');
      worker?.shutdown();
      await running;
      mailer.close();
      await env.teardown();
      await smtp.close();
      await db.cleanup();
    },
  };
}

/** fetch with a bearer token and JSON. */
export async function request(base: string, token: string | undefined, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: res.status,
    json: json as { error?: { message: string; code: string } } & Record<string, unknown>,
    text,
    headers: res.headers,
  };
}
