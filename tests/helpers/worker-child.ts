/**
 * A worker in its own process for the fault tests (killed with SIGKILL and started again): the real activities on
 * DATABASE_URL, mail to SMTP_URL, the prebuilt workflow bundle WORKFLOW_BUNDLE. Prints "worker-ready" once running.
 */
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../config';
import { openDb } from '../../db/client';
import { temporalOptions } from '../../infra/temporal-connection';
import { buildMailer, createWorker } from '../../worker';

async function main() {
  const config = loadConfig();
  const db = await openDb({ databaseUrl: config.databaseUrl, poolMax: config.databasePoolMax });
  const mailer = buildMailer(config);
  const connection = await NativeConnection.connect(temporalOptions(config).connection);
  const worker = await createWorker({
    connection,
    config,
    db,
    mailer,
    workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE! },
  });
  const running = worker.run();
  process.stdout.write('worker-ready\n');
  await running;
  await connection.close();
  mailer.close();
  await db.close();
}

main().catch((err: Error) => {
  process.stderr.write(`[worker-child] ${err.stack ?? err.message}\n`);
  process.exit(1);
});
