/**
 * `npm run temporal:setup`: prepares the configured Temporal namespace for the platform (the namespace where the
 * server allows creating it, and every custom search attribute the workflows set, with its type). Idempotent; the
 * same TEMPORAL_* variables or temporal.toml profile as the worker and the API.
 */
import { Connection } from '@temporalio/client';
import { ConfigError, loadConfig } from '../config';
import { describeConnection, prepareNamespace, temporalOptions } from '../infra/temporal-connection';

async function main() {
  const config = loadConfig();
  if (!config.temporal.address) {
    console.log(
      '[temporal:setup] 未设置 TEMPORAL_ADDRESS（也没有 temporal.toml 配置）：npm start 的内置 Temporal 启动时自行注册搜索属性，无需准备。',
    );
    return;
  }
  const options = temporalOptions(config);
  console.log(`[temporal:setup] 连接 ${describeConnection(options)}`);
  const connection = await Connection.connect(options.connection);
  try {
    for (const line of await prepareNamespace(connection, options.namespace)) console.log(`[temporal:setup] ${line}`);
  } finally {
    await connection.close();
  }
  console.log(`[temporal:setup] 完成：命名空间 ${options.namespace} 可供平台使用。`);
}

main().catch((err) => {
  console.error(
    err instanceof ConfigError
      ? err.message
      : `[temporal:setup] 失败：${err instanceof Error ? err.message : String(err)}`,
  );
  process.exit(1);
});
