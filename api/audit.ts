import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import { asc, desc, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { auditLog } from '../db/schema';

/**
 * The hash-chained audit log. Entries are written one at a time under an advisory lock so the chain has one
 * order; hash = sha256(prevHash + canonical JSON of the entry's fields).
 */
export interface AuditEntry {
  at: Date;
  userId: string | null;
  agency: string | null;
  role: string | null;
  action: string;
  target: string | null;
  status: number;
  ip: string | null;
  requestId: string | null;
  detail: Record<string, unknown>;
}

export const GENESIS = '0'.repeat(64);
const LOCK_KEY = 7_202_611; // any constant: serialises appends across processes

function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(',')}}`;
}

export function entryHash(prevHash: string, e: AuditEntry): string {
  const body = canonical({ ...e, at: e.at.toISOString() });
  return crypto.createHash('sha256').update(prevHash).update(body).digest('hex');
}

export async function appendAudit(db: Db, e: AuditEntry): Promise<void> {
  await appendAuditBatch(db, [e]);
}

/** Appends entries in their order under one lock: one transaction and one multi-row insert for all of them. */
export async function appendAuditBatch(db: Db, entries: AuditEntry[]): Promise<void> {
  if (!entries.length) return;
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_KEY})`);
    const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
    let prevHash = last?.hash ?? GENESIS;
    const rows = entries.map((e) => {
      const hash = entryHash(prevHash, e);
      const row = { ...e, prevHash, hash };
      prevHash = hash;
      return row;
    });
    // One INSERT … VALUES takes its ids from the sequence in row order, so id order is chain order.
    await tx.insert(auditLog).values(rows);
  });
}

/**
 * One writer per API process: entries queue in memory and are appended in batches (up to 500 per transaction),
 * one batch at a time. Appending each entry in its own transaction made every audited request take the global
 * advisory lock on its own connection: under 200 clients 8 of the pool's 10 connections sat waiting on that lock
 * and the reads queued behind them (bench load). Entries are still written after the response, in finish order.
 */
export class AuditWriter {
  private queue: AuditEntry[] = [];
  private draining: Promise<void> | undefined;
  constructor(
    private readonly db: Db,
    private readonly maxBatch = 500,
  ) {}

  append(e: AuditEntry): void {
    this.queue.push(e);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Resolves when everything queued so far is written (or has failed and been logged). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        await appendAuditBatch(this.db, batch);
      } catch {
        // One entry the database refuses must not take the others with it: those go one by one.
        for (const e of batch) {
          await appendAuditBatch(this.db, [e]).catch((err: Error) =>
            console.error(`[audit] 审计记录写入失败 (${e.action}, 请求 ${e.requestId}): ${err.message.split('\n')[0]}`),
          );
        }
      }
    }
  }
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  problems: { id: number; problemZh: string }[];
}

/** Recomputes the chain: a changed row breaks its hash, a removed or reordered one breaks the link. */
export async function verifyAudit(db: Db): Promise<VerifyResult> {
  const rows = await db.select().from(auditLog).orderBy(asc(auditLog.id));
  const problems: VerifyResult['problems'] = [];
  let prev = GENESIS;
  for (const r of rows) {
    const e: AuditEntry = {
      at: r.at,
      userId: r.userId,
      agency: r.agency,
      role: r.role,
      action: r.action,
      target: r.target,
      status: r.status,
      ip: r.ip,
      requestId: r.requestId,
      detail: r.detail as Record<string, unknown>,
    };
    if (r.prevHash !== prev) problems.push({ id: r.id, problemZh: `第 ${r.id} 条的前一条哈希不符：其前的记录被删除、插入或调换了顺序` });
    if (entryHash(r.prevHash, e) !== r.hash) problems.push({ id: r.id, problemZh: `第 ${r.id} 条的内容与哈希不符：该记录被修改` });
    prev = r.hash;
  }
  return { ok: problems.length === 0, entries: rows.length, problems };
}

/** Keys whose values never enter the audit detail (nor any log). */
const SECRET_KEYS = /pass(word)?|token|secret|authorization|cookie|smtp/i;

export function redactSecrets(v: unknown, depth = 0): unknown {
  if (depth > 6 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.slice(0, 50).map((x) => redactSecrets(x, depth + 1));
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, SECRET_KEYS.test(k) ? '***' : redactSecrets(x, depth + 1)]));
}

/**
 * Writes an audit entry for every change (any non-GET request) and for every read a handler marks as
 * confidential (res.locals.auditRead). Written when the response finishes, with its status.
 */
export function auditMiddleware(db: Db, writer: AuditWriter = new AuditWriter(db)): RequestHandler {
  return (req, res, next) => {
    res.on('finish', () => {
      const read = res.locals.auditRead as { target: string; what: string } | undefined;
      if (req.method === 'GET' && !read) return;
      if (req.method === 'HEAD' || req.method === 'OPTIONS') return;
      const user = res.locals.user as { id: string; agency: string; role: string } | undefined;
      // Unauthenticated noise (401 without a user) is not a change: rate limits handle it.
      if (!user && res.statusCode === 401) return;
      const entry: AuditEntry = {
        at: new Date(),
        userId: user?.id ?? null,
        agency: user?.agency ?? null,
        role: user?.role ?? null,
        action: `${req.method} ${req.route?.path ?? req.path}`,
        target: read?.target ?? (res.locals.auditTarget as string | undefined) ?? (req.params?.id as string | undefined) ?? null,
        status: res.statusCode,
        ip: req.ip ?? null,
        requestId: String(res.getHeader('x-request-id') ?? ''),
        detail: read ? { read: read.what } : { path: req.path, body: redactSecrets(req.body) as Record<string, unknown> },
      };
      writer.append(entry);
    });
    next();
  };
}
