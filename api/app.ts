import crypto from 'node:crypto';
import express, { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { DbHandle } from '../db/client';
import { authenticate } from './auth';
import { errorHandler, notFoundHandler } from './errors';
import { openApiDocument } from './openapi';
import { casesRouter } from './routes/cases';
import { deadlinesRouter } from './routes/deadlines';
import { usersRouter } from './routes/users';
import { calendarsRouter } from './routes/calendars';

export interface AppDeps {
  db: DbHandle;
  temporal: Client;
  config: Config;
}

/** The HTTP API, built from its dependencies so tests can give it real or test parts. */
export function createApp(deps: AppDeps) {
  const { db, temporal, config } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    res.setHeader('x-request-id', incoming && /^[\w.-]{1,100}$/.test(incoming) ? incoming : crypto.randomUUID());
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const checks: Record<string, { ok: boolean; message?: string }> = {};
    try {
      await db.ping();
      checks.database = { ok: true };
    } catch (err) {
      checks.database = { ok: false, message: `数据库不可用：${(err as Error).message}` };
    }
    try {
      await temporal.workflowService.getSystemInfo({});
      checks.temporal = { ok: true };
    } catch (err) {
      checks.temporal = { ok: false, message: `流程引擎不可用：${(err as Error).message}` };
    }
    const ok = Object.values(checks).every((c) => c.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable', checks });
  });

  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument(config.publicUrl));
  });

  const api = Router();
  api.use(express.json({ limit: '1mb' }));
  api.use('/api/v1', authenticate(db.db));
  api.use(casesRouter({ db: db.db, temporal, config }));
  api.use(deadlinesRouter({ db: db.db, config }));
  api.use(usersRouter({ db: db.db }));
  api.use(calendarsRouter({ db: db.db, temporal, config }));
  app.use(api);

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
