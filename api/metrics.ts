import crypto from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { sql } from 'drizzle-orm';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/client';
import type { Logger } from '../infra/log';
import type { StuckDetector } from './stuck';

/**
 * Prometheus metrics of the API process. The record gauges (open cases, overdue clocks, outbox backlog) are read
 * from PostgreSQL at scrape time, so they are true for every process sharing the database, not this one only.
 * The Temporal SDK's worker metrics are served by the worker's own exporter (WORKER_METRICS_ADDRESS).
 */
export function createMetrics(db: Db, stuck?: StuckDetector) {
  // One registry per app: tests build several apps in one process.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'linkage_api_' });

  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const dbUp = new Gauge({
    name: 'linkage_database_up',
    help: '1 if the record gauges could be read from the database at this scrape',
    registers: [registry],
  });
  const scrapeErrors = new Counter({
    name: 'linkage_metrics_scrape_errors_total',
    help: 'Scrapes whose database gauges could not be read',
    registers: [registry],
  });
  const openCases = new Gauge({ name: 'linkage_open_cases', help: 'Cases not closed', registers: [registry] });
  const overdueCases = new Gauge({
    name: 'linkage_overdue_cases',
    help: 'Open cases marked overdue',
    registers: [registry],
  });
  const openClocks = new Gauge({
    name: 'linkage_open_clocks',
    help: 'Open statutory clocks by escalation level (none, warning, overdue, supervision, escalated)',
    labelNames: ['level'] as const,
    registers: [registry],
  });
  const overdueClocks = new Gauge({
    name: 'linkage_overdue_clocks',
    help: 'Open statutory clocks past their due instant',
    registers: [registry],
  });
  const outboxPending = new Gauge({
    name: 'linkage_outbox_pending',
    help: 'Outbox e-mails not yet accepted by the mail server',
    registers: [registry],
  });
  const outboxOldest = new Gauge({
    name: 'linkage_outbox_oldest_pending_seconds',
    help: 'Age of the oldest pending outbox e-mail (0 when none)',
    registers: [registry],
  });
  const outboxFailedAttempts = new Gauge({
    name: 'linkage_outbox_pending_with_errors',
    help: 'Pending outbox e-mails that failed at least once',
    registers: [registry],
  });

  const stuckWorkflows = new Gauge({
    name: 'linkage_stuck_workflows',
    help: 'Workflows (cases, duties, releases, supervision items) whose workflow task or record has been failing or retrying longer than STUCK_AFTER_SECONDS',
    registers: [registry],
  });
  const stuckWork = new Gauge({
    name: 'linkage_stuck_work',
    help: 'Stuck work by kind (activity: a record or delivery retrying; workflowTask: the workflow task failing)',
    labelNames: ['kind'] as const,
    registers: [registry],
  });

  async function readStuck() {
    if (!stuck) return;
    const items = await stuck.list();
    stuckWorkflows.set(new Set(items.map((i) => i.workflowId)).size);
    for (const kind of ['activity', 'workflowTask'] as const)
      stuckWork.set({ kind }, items.filter((i) => i.kind === kind).length);
  }

  async function readRecordGauges() {
    try {
      const rows = await db.execute(sql`select
          (select count(*) from cases where closed_at is null)::int as open_cases,
          (select count(*) from cases where closed_at is null and overdue)::int as overdue_cases,
          (select count(*) from deadlines where status = 'open' and due_at < now())::int as overdue_clocks,
          (select count(*) from notifications where status = 'pending')::int as outbox_pending,
          (select count(*) from notifications where status = 'pending' and last_error is not null)::int as outbox_errors,
          coalesce((select extract(epoch from now() - min(created_at)) from notifications where status = 'pending'), 0)::float8 as outbox_oldest`);
      const levels = await db.execute(
        sql`select escalation_level as level, count(*)::int as n from deadlines where status = 'open' group by escalation_level`,
      );
      const r = (rowsOf(rows)[0] ?? {}) as Record<string, number>;
      openCases.set(Number(r.open_cases ?? 0));
      overdueCases.set(Number(r.overdue_cases ?? 0));
      overdueClocks.set(Number(r.overdue_clocks ?? 0));
      outboxPending.set(Number(r.outbox_pending ?? 0));
      outboxFailedAttempts.set(Number(r.outbox_errors ?? 0));
      outboxOldest.set(Number(r.outbox_oldest ?? 0));
      openClocks.reset();
      for (const l of ['none', 'warning', 'overdue', 'supervision', 'escalated']) openClocks.set({ level: l }, 0);
      for (const row of rowsOf(levels) as { level: string; n: number }[])
        openClocks.set({ level: row.level }, Number(row.n));
      dbUp.set(1);
    } catch {
      // A scrape still answers while the database is down: the gauge says so and the last values stay.
      dbUp.set(0);
      scrapeErrors.inc();
    }
  }

  /** Times every request by its route template (never the raw path: ids would explode the label set). */
  const middleware: RequestHandler = (req, res, next) => {
    const start = process.hrtime.bigint();
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const status = res.writableFinished ? res.statusCode : 499;
      httpDuration.observe({ method: req.method, route: routeTemplate(req), status: String(status) }, seconds);
    });
    next();
  };

  return {
    registry,
    middleware,
    async render(): Promise<{ contentType: string; body: string }> {
      await Promise.all([readRecordGauges(), readStuck().catch(() => undefined)]);
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

function rowsOf(result: unknown): unknown[] {
  // node-postgres returns { rows }, PGlite returns { rows } too; be tolerant of an array.
  if (Array.isArray(result)) return result;
  return ((result as { rows?: unknown[] }).rows ?? []) as unknown[];
}

/** The route template Express matched (`/api/v1/cases/:id`), or a fixed label for what matched no route. */
export function routeTemplate(req: Request): string {
  const p = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof p === 'string') return p; // routes are registered with their full path
  return req.path.startsWith('/api/') ? '(unmatched api)' : '(other)';
}

/**
 * Who may read /metrics: with METRICS_TOKEN set, a request bearing it (from anywhere); without it, only a
 * request made directly over loopback (no X-Forwarded-For: a reverse proxy on the same host does not count).
 */
export function metricsAccess(token: string | undefined): (req: Request) => boolean {
  return (req) => {
    if (token) {
      const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
      if (!m) return false;
      const a = crypto.createHash('sha256').update(m[1]).digest();
      const b = crypto.createHash('sha256').update(token).digest();
      return crypto.timingSafeEqual(a, b);
    }
    const addr = req.socket.remoteAddress ?? '';
    const loopback = addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';
    return loopback && !req.get('x-forwarded-for') && !req.get('forwarded');
  };
}

/** One JSON line per request: request id, method, route template, status, duration, user (never query strings). */
export function requestLogger(log: Logger): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.once('close', () => {
      const durationMs = Math.round(Number(process.hrtime.bigint() - start) / 1e4) / 100;
      const status = res.writableFinished ? res.statusCode : 499;
      const user = res.locals.user as { id?: string; agency?: string } | undefined;
      log.log(status >= 500 ? 'error' : 'info', '请求', {
        requestId: String(res.getHeader('x-request-id') ?? ''),
        method: req.method,
        route: routeTemplate(req),
        status,
        durationMs,
        ...(user?.id ? { userId: user.id, agency: user.agency } : {}),
      });
    });
    next();
  };
}
