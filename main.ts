import 'dotenv/config';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { closeServer, listen } from './api/server';
import { createApp } from './api/app';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './infra/bootstrap';
import { secureDataDir } from './infra/data-dir';
import {
  assertNamespacePrepared,
  connectClient,
  describeConnection,
  TemporalNotPreparedError,
  temporalOptions,
} from './infra/temporal-connection';
import { ensureSchedules } from './infra/schedules';
import { ensureDigestSchedule } from './infra/digest-schedule';
import { startEmbeddedTemporal } from './infra/temporal';
import { TemporalBinaryError } from './infra/temporal-binaries';
import { ensureDemoUsers } from './infra/demo-users';
import { buildMailer, createWorker, installWorkerRuntime } from './worker';

/**
 * The embedded default: `npm start` runs the Temporal dev server (unless TEMPORAL_ADDRESS is set),
 * applies migrations, and runs the worker and the API in one process.
 */
async function main() {
  const t0 = Date.now();
  const env = { ...process.env };
  const config0 = loadConfig(env);
  // Owner-only before anything is written there (see infra/data-dir.ts).
  secureDataDir(config0.dataDir);
  // Without ADMIN_TOKEN a token is generated once and kept under .data so the printed credentials stay valid.
  let generatedToken = false;
  if (!config0.adminToken) {
    const file = path.resolve(config0.dataDir, 'admin-token');
    fs.mkdirSync(config0.dataDir, { recursive: true });
    if (!fs.existsSync(file)) {
      fs.writeFileSync(file, `lk_${crypto.randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
      generatedToken = true;
    }
    env.ADMIN_TOKEN = fs.readFileSync(file, 'utf8').trim();
  }
  const config = loadConfig(env);
  installWorkerRuntime(config);
  const fromEnv = Boolean(config0.adminToken);
  const tokenFile = path.resolve(config.dataDir, 'admin-token');

  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\n正在停止：等待进行中的任务完成…');
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        console.error('停止时出错：', (err as Error).message);
      }
    }
    console.log('已停止。');
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  let address: string | undefined;
  let temporalSource = config.temporal.address ? `外部 Temporal ${describeConnection(temporalOptions(config))}` : '';
  if (!config.temporal.address) {
    const server = await startEmbeddedTemporal({
      dataDir: config.dataDir,
      namespace: config.temporal.namespace,
      port: config.temporal.devPort,
      uiPort: config.temporal.uiPort,
      ui: config.temporal.ui,
      codecEndpoint: `${config.publicUrl}/api/v1/codec`,
      cliPath: config.temporal.cliPath,
    });
    stops.push(() => server.env.teardown());
    address = server.address;
    temporalSource = `内置 Temporal 开发服务器 ${address}（${server.source}，数据 ${path.resolve(config.dataDir, 'temporal.sqlite')}）`;
  }

  const { client, connection } = await connectClient(config, address);
  stops.push(() => connection.close());
  // An external server must be prepared (npm run temporal:setup); the embedded one registers its attributes itself.
  if (!address) await assertNamespacePrepared(connection, config.temporal.namespace);
  const db = await openDatabase(config);
  stops.push(() => db.close());
  // Only the all-embedded default gets ready-made console accounts; a real deployment creates its own users.
  const accountsFile = !config.databaseUrl ? await ensureDemoUsers(db.db, config.dataDir) : undefined;
  const mailer = buildMailer(config);
  stops.push(async () => mailer.close());

  const nativeConnection = await NativeConnection.connect(temporalOptions(config, address).connection);
  stops.push(() => nativeConnection.close());
  const worker = await createWorker({ connection: nativeConnection, config, db, mailer, embeddedAddress: address });
  const running = worker.run();
  stops.push(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  });
  running.catch((err: Error) => {
    console.error('worker 异常退出：', err.message);
    void stopAll(1);
  });

  const schedules = await ensureSchedules(client, config);
  await ensureDigestSchedule(client, config);
  const server = await listen(createApp({ db, temporal: client, config }), config.port, config.host);
  stops.push(() => closeServer(server));

  const lines = [
    '',
    '联动执法协作平台 已启动',
    `  控制台:             ${config.publicUrl}/`,
    ...(accountsFile ? [`  控制台账号:         用户名与密码保存在 ${accountsFile}`] : []),
    `  接口（API）:        ${config.publicUrl}/api/v1   （OpenAPI: ${config.publicUrl}/api/v1/openapi.json）`,
    `  健康检查:           ${config.publicUrl}/readyz`,
    `  监控指标:           ${config.publicUrl}/metrics${config.metricsToken ? '（需 METRICS_TOKEN）' : '（仅限本机）'}${config.workerMetricsAddress ? `；Temporal SDK：http://${config.workerMetricsAddress}/metrics` : ''}`,
    `  Temporal 界面:      ${
      config.temporal.address
        ? '（外部 Temporal，见其部署）'
        : config.temporal.ui
          ? `${config.temporal.uiUrl}（TEMPORAL_UI=1：开发用，无登录、不能设为只读；载荷为密文，经 ${config.publicUrl}/api/v1/codec 按权限解密）`
          : '已关闭（需要时设 TEMPORAL_UI=1，仅限本机开发）'
    }`,
    `  载荷加密:           AES-256-GCM（密钥 ${config.keys.payloadKeys || config.keys.payloadKeysFile ? 'PAYLOAD_KEYS' : path.resolve(config.dataDir, 'payload-keys')}）；操作人签名（${config.keys.actorKeys || config.keys.actorKeysFile ? 'ACTOR_KEYS' : path.resolve(config.dataDir, 'actor-keys')}）`,
    `  流程引擎:           ${temporalSource}`,
    `  数据库:             ${db.kind === 'pglite' ? `内置 PGlite ${db.location}` : `PostgreSQL ${db.location}`}`,
    `  邮件:               ${mailer.description}`,
    `  定期任务:           新建 ${schedules.created.length}，更新 ${schedules.updated.length}，未变 ${schedules.unchanged.length}（temporal schedule list；GET /api/v1/schedules）`,
    `  每日预警摘要:       ${config.digestTime ? `北京时间每日 ${config.digestTime}（notification-digest-daily）` : '未启用（DIGEST_TIME=off）'}`,
    // The token itself is never printed (logs are kept): it is read from its file or the environment.
    fromEnv
      ? '  认证:               管理员令牌为环境变量 ADMIN_TOKEN 的值'
      : `  认证:               管理员令牌${generatedToken ? '已生成，' : ''}保存在 ${tokenFile}`,
    `  示例:               curl -H "Authorization: Bearer ${fromEnv ? '$ADMIN_TOKEN' : `$(cat ${tokenFile})`}" ${config.publicUrl}/api/v1/me`,
    '                      用户与令牌：POST /api/v1/users（管理员）；各机关用户再以自己的令牌或密码登录办理案件',
    `  启动耗时:           ${((Date.now() - t0) / 1000).toFixed(1)} 秒`,
    '按 Ctrl+C 停止。',
  ];
  console.log(lines.join('\n'));
}

main().catch((err) => {
  // What the user can fix is said as such; anything else is a fault worth its stack.
  if (err instanceof ConfigError || err instanceof TemporalNotPreparedError || err instanceof TemporalBinaryError)
    console.error(err.message);
  else console.error(`启动失败：${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
