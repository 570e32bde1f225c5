import crypto from 'node:crypto';
import express, { Router } from 'express';
import helmet from 'helmet';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { DbHandle } from '../db/client';
import { authenticate, FailureThrottle, TokenCache } from './auth';
import { errorHandler, notFoundHandler } from './errors';
import { openApiDocument, registeredRoutes, route } from './openapi';
import { PERMISSIONS, PRINCIPALS } from '../domain/policy';
import { casesRouter } from './routes/cases';
import { deadlinesRouter } from './routes/deadlines';
import { usersRouter } from './routes/users';
import { LOCKOUT_MINUTES, MAX_FAILED_LOGINS, authRouter } from './routes/auth';
import { notificationsRouter } from './routes/notifications';
import { dashboardRouter } from './routes/dashboard';
import { consoleRouter } from './console';
import { AuditWriter, auditMiddleware } from './audit';
import { inputCheck } from './input-check';
import { createStuckDetector } from './stuck';
import { calendarsRouter } from './routes/calendars';
import { dutiesRouter } from './routes/duties';
import { createMetrics, metricsAccess, requestLogger } from './metrics';
import { createLogger, type Logger } from '../infra/log';
import { informationRouter } from './routes/information';
import { agenciesRouter } from './routes/agencies';
import { IMPORT_BODY_LIMIT, importsRouter } from './routes/imports';
import { releasesRouter } from './routes/releases';
import { reportsRouter } from './routes/reports';
import { supervisionRouter } from './routes/supervision';
import { codecCors, codecRouter } from './routes/codec';

/** What an unauthenticated request may send (the login form's two fields need far less). */
export const ANONYMOUS_BODY_LIMIT = '8kb';

export interface AppDeps {
  db: DbHandle;
  temporal: Client;
  config: Config;
  /** Request log (one JSON line per request); default: stdout at LOG_LEVEL. */
  logger?: Logger;
}

/** The HTTP API, built from its dependencies so tests can give it real or test parts. */
export function createApp(deps: AppDeps) {
  const { db, temporal, config } = deps;
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For is believed only from the reverse proxies named in TRUST_PROXY: from anyone else (a loopback
  // client included) it would choose the address the per-address limit counts and the audit log records.
  app.set('trust proxy', config.trustProxy.length ? config.trustProxy : false);

  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    res.setHeader('x-request-id', incoming && /^[\w.-]{1,100}$/.test(incoming) ? incoming : crypto.randomUUID());
    next();
  });

  const stuck = createStuckDetector({ db: db.db, temporal, stuckAfterMs: config.stuckAfterSeconds * 1000 });
  const metrics = createMetrics(db.db, stuck);
  app.use(metrics.middleware);
  const logger = deps.logger ?? createLogger('api', config.logLevel);
  app.use(requestLogger(logger));
  const mayReadMetrics = metricsAccess(config.metricsToken);
  app.get('/metrics', async (req, res, next) => {
    if (!mayReadMetrics(req)) {
      res.status(403).json({
        error: {
          code: 'forbidden',
          message: '无权读取监控指标：请使用 METRICS_TOKEN 令牌，或在本机直接访问',
          requestId: res.getHeader('x-request-id'),
        },
      });
      return;
    }
    try {
      const m = await metrics.render();
      res.type(m.contentType).send(m.body);
    } catch (err) {
      next(err);
    }
  });

  app.use(helmet());
  const tooMany = (_req: express.Request, res: express.Response) => {
    res.status(429).json({
      error: { code: 'rate_limited', message: '请求过于频繁，请稍后再试', requestId: res.getHeader('x-request-id') },
    });
  };
  // Per address before authentication (guards token guessing), per token after it.
  app.use(
    ['/api', '/public'],
    rateLimit({
      windowMs: 60_000,
      limit: config.rateLimitPerMinute * 2,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: tooMany,
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const checks: Record<string, { ok: boolean; message?: string }> = {};
    try {
      await db.ping();
      checks.database = { ok: true };
    } catch (err) {
      // The driver's text (host names, user names, versions) goes to the log, not to an unauthenticated caller.
      logger.warn('readyz: database unavailable', { error: (err as Error).message });
      checks.database = { ok: false, message: '数据库不可用' };
    }
    try {
      await temporal.workflowService.getSystemInfo({});
      checks.temporal = { ok: true };
    } catch (err) {
      logger.warn('readyz: temporal unavailable', { error: (err as Error).message });
      checks.temporal = { ok: false, message: '流程引擎不可用' };
    }
    const ok = Object.values(checks).every((c) => c.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable', checks });
  });

  app.use(consoleRouter());

  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument(config.publicUrl));
  });

  const api = Router();
  // Credentials first, then the body: an anonymous request is not parsed beyond a small limit (the login form),
  // and the large import limit applies to authenticated users only.
  api.use('/api/v1/codec', codecCors(config));
  const tokenCache = new TokenCache();
  api.use('/api/v1', authenticate(db.db, tokenCache));
  const importJson = express.json({ limit: IMPORT_BODY_LIMIT });
  const json = express.json({ limit: '1mb' });
  const anonymousJson = express.json({ limit: ANONYMOUS_BODY_LIMIT });
  api.use((req, res, next) => {
    if (!res.locals.user) anonymousJson(req, res, next);
    else if (req.path.startsWith('/api/v1/imports')) importJson(req, res, next);
    else json(req, res, next);
  });
  // What PostgreSQL cannot store (lone surrogates, NUL, overlong or overdeep input) is refused here, for every route.
  api.use(inputCheck);
  // A change needs the database before anything starts: with the token cached, a registration would otherwise start
  // its workflow and wait, without an answer, for as long as the database is down (its activity retrying) instead of
  // a 503; a duty action likewise. One `select 1` per write; reads fail (503) on their own first query.
  api.use('/api/v1', (req, _res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') {
      next();
      return;
    }
    db.ping().then(() => next(), next);
  });
  api.use('/api/v1', auditMiddleware(new AuditWriter(db.db, config.auditKey), config.auditKey));
  api.use(
    '/api/v1',
    rateLimit({
      windowMs: 60_000,
      limit: config.rateLimitPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      // Requests without credentials (the feed, the public output) count per address, not as one shared bucket.
      keyGenerator: (req, res) => {
        const tokenId = (res.locals.user as { tokenId?: string } | undefined)?.tokenId;
        return tokenId ? `token:${tokenId}` : `addr:${ipKeyGenerator(req.ip ?? '')}`;
      },
      handler: tooMany,
    }),
  );
  route(
    api,
    {
      method: 'get',
      path: '/api/v1/policy',
      permission: 'authenticated',
      summary: '访问控制策略：每个接口需要的权限，及各机关、角色是否具有',
      tags: ['权限'],
    },
    (_req, res) => {
      res.json({
        permissions: Object.fromEntries(
          Object.entries(PERMISSIONS).map(([k, v]) => [
            k,
            { labelZh: v.labelZh, caseScoped: Boolean(v.caseScoped), allowed: PRINCIPALS.filter((p) => v.allows(p)) },
          ]),
        ),
        endpoints: registeredRoutes(),
      });
    },
  );
  api.use(casesRouter({ db: db.db, temporal, config }));
  api.use(deadlinesRouter({ db: db.db, config }));
  const passwordFailures = new FailureThrottle(MAX_FAILED_LOGINS, LOCKOUT_MINUTES * 60_000);
  api.use(usersRouter({ db: db.db, tokenCache, passwordFailures }));
  api.use(notificationsRouter({ db: db.db, digestTime: config.digestTime }));
  api.use(dashboardRouter({ db: db.db, stuck }));
  api.use(
    authRouter({
      db: db.db,
      secureCookies: config.publicUrl.startsWith('https:'),
      auditKey: config.auditKey,
      tokenCache,
      passwordFailures,
    }),
  );
  api.use(calendarsRouter({ db: db.db, temporal, config }));
  api.use(dutiesRouter({ db: db.db, temporal, config }));
  api.use(informationRouter({ db: db.db, temporal }));
  api.use(agenciesRouter({ db: db.db }));
  api.use(importsRouter({ db: db.db, temporal, config }));
  api.use(releasesRouter({ db: db.db, temporal, config }));
  api.use(reportsRouter({ db: db.db, temporal, config }));
  api.use(supervisionRouter({ db: db.db, temporal, config }));
  api.use(codecRouter({ db: db.db, temporal, config }));
  app.use(api);

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
