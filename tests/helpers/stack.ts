import crypto from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createApp, type AppDeps } from '../../api/app';
import { ensureAdmin } from '../../api/auth';
import { closeServer, listen } from '../../api/server';
import { createMailer } from '../../activities/mailer';
import { loadConfig, type Config } from '../../config';
import type { DbHandle } from '../../db/client';
import type { Principal } from '../../domain/policy';
import { createWorker } from '../../worker';
import { createPostgresTestDb, createTestDb, type TestDb } from './db';
import { workerProcess, type WorkerProcess } from './processes';
import { startSmtp, type TestSmtp } from './smtp';
import { createDevServerEnv, createTimeSkippingEnv, workflowBundle } from './temporal';
import { TEST_KEYS_ENV } from './keys';
import { createUserToken } from './users';

/** The platform on real parts: a Temporal server, a worker, the database, SMTP and (unless api: false) the HTTP API. */
export interface Stack {
  env: TestWorkflowEnvironment;
  db: TestDb;
  smtp: TestSmtp;
  config: Config;
  taskQueue: string;
  /** The API's address; '' with api: false. */
  base: string;
  /** The administrator's token (with the API only). */
  adminToken: string;
  /** With `workerProcess`: the worker's OS process id (its RSS is the worker's alone). */
  workerPid?: number;
  /** Creates a confirmed user of this agency and role and returns its bearer token. */
  userToken(p: Principal, name?: string, opts?: { id?: string; token?: string }): Promise<string>;
  /** A second API on the same database and Temporal with other configuration; closed with the stack. */
  listenApi(
    extraEnv: Record<string, string>,
    deps?: Pick<AppDeps, 'logger'>,
  ): Promise<{ base: string; config: Config; close(): Promise<void> }>;
  /** The in-process worker: stopped and started again by tests of a worker restart. */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** The time-skipping test server instead of the dev server, so a test can let days pass (`env.sleep`); it has no
   * Schedule API. */
  timeSkipping?: boolean;
  /** The HTTP API (default true); workflow tests drive the client (`env.client`) only. */
  api?: boolean;
  /** Start the worker (default true); false: nothing takes the tasks until `startWorker()`. */
  worker?: boolean;
  /** The worker runs as its own OS process (tests/helpers/worker-child.ts, the production shape; needs PostgreSQL),
   * so its memory and CPU are its own; the API stays in this process. */
  workerProcess?: boolean;
  /** Another workflow entry than workflows/index.ts (the bench passes bench/workflows.ts). */
  workflowsPath?: string;
  /** The administrator's token (default: a random one). */
  adminToken?: string;
  /** The task queue's prefix, which names the test in the Temporal UI. */
  prefix?: string;
  /** A fresh database on this PostgreSQL server (a private one, or requirePostgres()) instead of the default. */
  postgresUrl?: string;
  /** The API's own connection to the database (e.g. through a relay that a test cuts); closed by the test. */
  apiDb?: (db: TestDb) => Promise<DbHandle>;
}

/**
 * The one test stack. `extraEnv`: configuration beyond the test defaults (DEADLINE_POLICY_OVERRIDES, …);
 * extraEnv.DATABASE_POOL_MAX sets the API's (and the worker's) pool, tests otherwise use 5 connections.
 */
export async function startStack(extraEnv: Record<string, string> = {}, opts: StackOptions = {}): Promise<Stack> {
  const poolMax = extraEnv.DATABASE_POOL_MAX ? Number(extraEnv.DATABASE_POOL_MAX) : 5;
  const [env, db, smtp] = await Promise.all([
    opts.timeSkipping ? createTimeSkippingEnv() : createDevServerEnv(),
    opts.postgresUrl ? createPostgresTestDb(opts.postgresUrl, poolMax) : createTestDb({ poolMax }),
    startSmtp(),
  ]);
  const adminToken = opts.adminToken ?? `admin-${crypto.randomBytes(12).toString('hex')}`;
  if (opts.api ?? true) await ensureAdmin(db.handle.db, adminToken);
  const taskQueue = `${opts.prefix ?? 'stack'}-${crypto.randomBytes(4).toString('hex')}`;
  const workerEnv = {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    SMTP_URL: smtp.url,
    ...TEST_KEYS_ENV,
    ...extraEnv,
  };
  const config = loadConfig(workerEnv);
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let child: WorkerProcess | undefined;
  const servers: Server[] = [];
  let apiDb: Promise<DbHandle> | undefined;
  const serve = async (apiConfig: Config, deps: Pick<AppDeps, 'logger'> = {}) => {
    apiDb ??= opts.apiDb ? opts.apiDb(db) : Promise.resolve(db.handle);
    const server: Server = await listen(
      createApp({ db: await apiDb, temporal: env.client, config: apiConfig, ...deps }),
      0,
      '127.0.0.1',
    );
    servers.push(server);
    return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  };
  const stack: Stack = {
    env,
    db,
    smtp,
    config,
    taskQueue,
    base: '',
    adminToken,
    userToken: (p, name, o = {}) => createUserToken(db.handle.db, p, { ...o, displayName: name }),
    async listenApi(env2, deps) {
      const apiConfig = loadConfig({ ...workerEnv, ...env2 });
      const { server, base } = await serve(apiConfig, deps);
      return {
        base,
        config: apiConfig,
        async close() {
          servers.splice(servers.indexOf(server), 1);
          await closeServer(server);
        },
      };
    },
    async startWorker() {
      if (opts.workerProcess) {
        if (!db.url) throw new Error('workerProcess 需要 PostgreSQL（TEST_DATABASE_URL）');
        child = await workerProcess(
          { ...workerEnv, DATABASE_URL: db.url, DATABASE_POOL_MAX: String(poolMax), NODE_ENV: 'test' },
          opts.workflowsPath,
        );
        await child.start();
        stack.workerPid = child.pid;
        return;
      }
      const mailer = createMailer({ smtpUrl: smtp.url, from: config.mail.from, mailDir: '/nonexistent' });
      worker = await createWorker({
        connection: env.nativeConnection,
        config,
        db: db.handle,
        mailer,
        workflowBundle: await workflowBundle(opts.workflowsPath),
      });
      running = worker.run().finally(() => mailer.close());
    },
    async stopWorker() {
      if (child) await child.kill('SIGTERM');
      child = undefined;
      worker?.shutdown();
      await running;
      worker = undefined;
      running = undefined;
    },
    async close() {
      for (const s of servers.splice(0)) await closeServer(s);
      await stack.stopWorker();
      await env.teardown();
      await smtp.close();
      await db.cleanup();
    },
  };
  if (opts.worker ?? true) await stack.startWorker();
  if (opts.api ?? true) stack.base = (await serve(config)).base;
  return stack;
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
