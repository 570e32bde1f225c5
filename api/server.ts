import type { Server } from 'node:http';
import type { Express } from 'express';
import { loadConfig } from '../config';
import { openDatabase } from '../infra/bootstrap';
import { assertNamespacePrepared, connectClient, temporalOptions } from '../infra/temporal-connection';
import { createApp } from './app';

export function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(server)));
    server.once('error', reject);
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

async function main() {
  const config = loadConfig();
  const { namespace } = temporalOptions(config);
  const { client, connection } = await connectClient(config);
  // Refused here rather than as a 500 at the first case: the namespace lacks what the workflows need.
  await assertNamespacePrepared(connection, namespace);
  const db = await openDatabase(config);
  const server = await listen(createApp({ db, temporal: client, config }), config.port, config.host);
  if (config.env === 'production' && !config.auditKeyConfigured)
    console.warn('[api] 警告：未设置 AUDIT_KEY，审计日志哈希链使用公开的开发密钥，任何人都可以重算');
  console.log(`[api] 接口地址 ${config.publicUrl}/api/v1 （OpenAPI：${config.publicUrl}/api/v1/openapi.json）`);
  const stop = async () => {
    await closeServer(server);
    await connection.close();
    await db.close();
    console.log('[api] 已停止');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`[api] 启动失败：${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
