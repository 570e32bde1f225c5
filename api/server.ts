import type { Server } from 'node:http';
import type { Express } from 'express';
import { loadConfig } from '../config';
import { connectClient, openDatabase } from '../infra/bootstrap';
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
  if (!config.temporal.address) {
    throw new Error('独立运行 API 需要设置 TEMPORAL_ADDRESS（npm start 会启动内置 Temporal） (TEMPORAL_ADDRESS is required)');
  }
  const db = await openDatabase(config);
  const { client, connection } = await connectClient(config.temporal.address, config.temporal.namespace);
  const server = await listen(createApp({ db, temporal: client, config }), config.port, config.host);
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
