import crypto from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createMailer } from '../../activities/mailer';
import { loadConfig, type Config } from '../../config';
import { createWorker } from '../../worker';
import { createTestDb, type TestDb } from './db';
import { startSmtp, type TestSmtp } from './smtp';
import { workflowBundle } from './temporal';
import { TEST_KEYS_ENV } from './keys';

/** A Temporal environment with a worker running the real activities on a test database and a real SMTP server. */
export interface Harness {
  env: TestWorkflowEnvironment;
  db: TestDb;
  smtp: TestSmtp;
  config: Config;
  taskQueue: string;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/** `extraEnv`: configuration of the worker beyond the test defaults (DEADLINE_POLICY_OVERRIDES, …). */
export async function startHarness(
  makeEnv: () => Promise<TestWorkflowEnvironment>,
  prefix = 'wf',
  extraEnv: Record<string, string> = {},
): Promise<Harness> {
  const [env, db, smtp] = await Promise.all([makeEnv(), createTestDb(), startSmtp()]);
  const taskQueue = `${prefix}-${crypto.randomBytes(4).toString('hex')}`;
  const config = loadConfig({ TEMPORAL_TASK_QUEUE: taskQueue, ...TEST_KEYS_ENV, ...extraEnv });
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const h: Harness = {
    env,
    db,
    smtp,
    config,
    taskQueue,
    async startWorker() {
      const mailer = createMailer({ smtpUrl: smtp.url, from: config.mail.from, mailDir: '/nonexistent' });
      worker = await createWorker({
        connection: env.nativeConnection,
        config,
        db: db.handle,
        mailer,
        workflowBundle: await workflowBundle(),
      });
      running = worker.run().finally(() => mailer.close());
    },
    async stopWorker() {
      worker?.shutdown();
      await running;
      worker = undefined;
    },
    async close() {
      await h.stopWorker();
      await env.teardown();
      await smtp.close();
      await db.cleanup();
    },
  };
  await h.startWorker();
  return h;
}
