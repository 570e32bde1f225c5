import path from 'node:path';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type LogLevel as SdkLogLevel,
  type WorkerOptions,
} from '@temporalio/worker';
import { createActivities } from './activities';
import { createMailer, type Mailer } from './activities/mailer';
import { loadConfig, policyInForce, type Config } from './config';
import type { DbHandle } from './db/client';
import { openDatabase } from './infra/bootstrap';
import { ensureSchedules } from './infra/schedules';
import { ensureDigestSchedule } from './infra/digest-schedule';
import { createLogger } from './infra/log';
import {
  assertNamespacePrepared,
  connectClient,
  describeConnection,
  platformDataConverter,
  temporalOptions,
} from './infra/temporal-connection';
import {
  prebuiltBundle,
  RUNNING_BUILT,
  WORKFLOWS_PATH,
  WORKFLOW_INTERCEPTOR_MODULES,
  WORKFLOW_PRELOAD_MODULES,
} from './infra/workflow-bundle';
import { actorKeyRing } from './infra/actor-claims';

/**
 * Memory of the worker: with the reusable V8 context (the SDK's default) every workflow evaluates the bundle's
 * modules for itself, except those preloaded and shared (workflows/shared-modules.ts: zod and the domain tables with
 * their schemas). Sharing them took a cached case workflow from about 2.4 MiB to about 0.3 MiB (bench `memory`).
 * The cache is bounded all the same (WORKER_MAX_CACHED_WORKFLOWS); an evicted case is replayed from its history on
 * its next task, and case workflows are idle between steps and clocks.
 */

export interface WorkerDeps {
  connection: NativeConnection;
  config: Config;
  db: DbHandle;
  mailer: Mailer;
  /** Prebuilt bundle (tests reuse one); otherwise npm run build's, else (under tsx only) workflows/ bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** The embedded dev server's address (npm start): the payload and actor keys may be generated. */
  embeddedAddress?: string;
}

export function buildMailer(config: Config): Mailer {
  return createMailer({
    smtpUrl: config.mail.smtpUrl,
    from: config.mail.from,
    mailDir: path.resolve(config.dataDir, 'mail'),
  });
}

/**
 * The workflow code of a worker: the compiled output runs only npm run build's bundle, and only if it was built
 * from the code here (a stale bundle would run other workflow code than its activities and replay tests expect).
 */
function workflowCode(
  given?: WorkerOptions['workflowBundle'],
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions' | 'interceptors'> {
  if (given) return { workflowBundle: given };
  const prebuilt = prebuiltBundle();
  if (!(prebuilt instanceof Error)) return { workflowBundle: prebuilt };
  if (RUNNING_BUILT) throw prebuilt;
  return {
    workflowsPath: WORKFLOWS_PATH,
    bundlerOptions: { preloadModules: WORKFLOW_PRELOAD_MODULES },
    interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
  };
}

/** Builds the worker: the bundle of workflows/ and the activities from their factories. */
export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  const embedded = deps.embeddedAddress !== undefined || !deps.config.temporal.address;
  return Worker.create({
    // The same encrypting converter as the clients (infra/data-converter.ts); the workflows see plain values.
    dataConverter: platformDataConverter(deps.config, deps.embeddedAddress),
    connection: deps.connection,
    namespace: deps.config.temporal.namespace,
    taskQueue: deps.config.temporal.taskQueue,
    ...workflowCode(deps.workflowBundle),
    activities: createActivities({
      db: deps.db.db,
      mailer: deps.mailer,
      reportFontPath: deps.config.reportFontPath,
      actorKeys: actorKeyRing(deps.config, embedded),
      policy: policyInForce(deps.config),
    }),
    // Bounded memory (see config: WORKER_MAX_CACHED_WORKFLOWS); one isolate context reused for all workflows.
    maxCachedWorkflows: deps.config.worker.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: deps.config.worker.maxConcurrentWorkflowTasks,
    maxConcurrentActivityTaskExecutions: deps.config.worker.maxConcurrentActivities,
    // A graceful stop lets running activities finish (or be retried elsewhere) before the process exits.
    shutdownGraceTime: '20 seconds',
  });
}

/**
 * Installs the Temporal SDK runtime of this process (once, before any connection): the SDK's and the workflows'
 * logs as JSON lines (component "worker"), and the SDK's worker metrics (task slots, poll and schedule-to-start
 * latencies, sticky cache, activity and workflow task counts) on a Prometheus endpoint of its own.
 */
export function installWorkerRuntime(config: Config): void {
  const log = createLogger('worker', config.logLevel);
  const level = ({ debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' } as const)[
    config.logLevel
  ] as SdkLogLevel;
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const lvl =
        entry.level === 'TRACE' || entry.level === 'DEBUG'
          ? 'debug'
          : (entry.level.toLowerCase() as 'info' | 'warn' | 'error');
      log.log(lvl, entry.message, entry.meta ? { ...entry.meta } : undefined);
    }),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(config.workerMetricsAddress ? { metrics: { prometheus: { bindAddress: config.workerMetricsAddress } } } : {}),
    },
  });
}

async function main() {
  const config = loadConfig();
  // The mail files it writes (no SMTP_URL) are owner-only; DATA_DIR itself is npm start's to secure.
  process.umask(0o077);
  installWorkerRuntime(config);
  const options = temporalOptions(config);
  // The check comes first: a namespace without the search attributes would fail every case's workflow task for ever.
  const { client: scheduleClient, connection: clientConnection } = await connectClient(config);
  await assertNamespacePrepared(clientConnection, options.namespace);
  const db = await openDatabase(config);
  const mailer = buildMailer(config);
  const connection = await NativeConnection.connect(options.connection);
  const worker = await createWorker({ connection, config, db, mailer });
  // The recurring duties' Schedules exist wherever a worker can run them (idempotent; the API process does the same).
  const schedules = await ensureSchedules(scheduleClient, config);
  const digest = await ensureDigestSchedule(scheduleClient, config);
  await clientConnection.close();
  console.log(
    `[worker] 定期任务：新建 ${schedules.created.join('、') || '无'}；更新 ${schedules.updated.join('、') || '无'}；每日预警摘要 ${{ created: '已新建', updated: '已更新', unchanged: '未变', off: '未启用' }[digest]}`,
  );
  console.log(
    `[worker] 已连接 ${describeConnection(options)}，任务队列 ${config.temporal.taskQueue}；数据库 ${db.location}；邮件 ${mailer.description}`,
  );
  if (config.workerMetricsAddress)
    console.log(`[worker] Temporal SDK 指标：http://${config.workerMetricsAddress}/metrics`);
  // Worker.run installs SIGINT/SIGTERM handlers and drains before resolving.
  await worker.run();
  await connection.close();
  mailer.close();
  await db.close();
  console.log('[worker] 已停止');
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`[worker] 启动失败：${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
