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
/** The first keyed row: it names the key (by fingerprint) the chain is kept with from there on. */
export const ANCHOR_ACTION = 'audit.anchor';

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

/** Rows written before the chain was keyed: sha256 (verifiable, but anyone could recompute them). */
export function entryHash(prevHash: string, e: AuditEntry): string {
  const body = canonical({ ...e, at: e.at.toISOString() });
  return crypto.createHash('sha256').update(prevHash).update(body).digest('hex');
}

/** Keyed rows: HMAC-SHA256 under AUDIT_KEY, so a removed and recomputed chain cannot be passed off without the key. */
export function keyedHash(key: string, prevHash: string, e: AuditEntry): string {
  const body = canonical({ ...e, at: e.at.toISOString() });
  return crypto.createHmac('sha256', key).update(prevHash).update(body).digest('hex');
}

export const keyFingerprint = (key: string) =>
  crypto.createHmac('sha256', key).update('linkage-audit-key-id').digest('hex').slice(0, 16);

export async function appendAudit(db: Db, key: string, e: AuditEntry): Promise<void> {
  await appendAuditBatch(db, key, [e]);
}

/**
 * Appends entries in their order under one lock: one transaction and one multi-row insert for all of them. The first
 * keyed append writes the anchor row before them.
 */
export async function appendAuditBatch(db: Db, key: string, entries: AuditEntry[]): Promise<void> {
  if (!entries.length) return;
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_KEY})`);
    const [last] = await tx
      .select({ hash: auditLog.hash, keyed: auditLog.keyed })
      .from(auditLog)
      .orderBy(desc(auditLog.id))
      .limit(1);
    let prevHash = last?.hash ?? GENESIS;
    const all = last?.keyed ? entries : [anchorEntry(key, entries[0].at), ...entries];
    const rows = all.map((e) => {
      const hash = keyedHash(key, prevHash, e);
      const row = { ...e, prevHash, hash, keyed: true };
      prevHash = hash;
      return row;
    });
    // One INSERT … VALUES takes its ids from the sequence in row order, so id order is chain order.
    await tx.insert(auditLog).values(rows);
  });
}

function anchorEntry(key: string, at: Date): AuditEntry {
  return {
    at,
    userId: null,
    agency: null,
    role: null,
    action: ANCHOR_ACTION,
    target: null,
    status: 0,
    ip: null,
    requestId: null,
    detail: { keyId: keyFingerprint(key) },
  };
}

/**
 * One writer per API process: entries queue in memory and are appended in batches (up to 500 per transaction),
 * one batch at a time. Appending each entry in its own transaction made every audited request take the global
 * advisory lock on its own connection: under 200 clients 8 of the pool's 10 connections sat waiting on that lock
 * and the reads queued behind them (bench load). Each request waits for its own entry (append resolves once the
 * batch holding it is committed), so nothing is answered before it is on record.
 */
export class AuditWriter {
  private queue: { e: AuditEntry; done: (err?: Error) => void }[] = [];
  private draining: Promise<void> | undefined;
  constructor(
    private readonly db: Db,
    private readonly key: string,
    private readonly maxBatch = 500,
  ) {}

  append(e: AuditEntry): Promise<void> {
    const written = new Promise<void>((resolve, reject) =>
      this.queue.push({ e, done: (err) => (err ? reject(err) : resolve()) }),
    );
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
    return written;
  }

  /** Resolves when everything queued so far is written (or has failed). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        await appendAuditBatch(
          this.db,
          this.key,
          batch.map((b) => b.e),
        );
        for (const b of batch) b.done();
      } catch {
        // One entry the database refuses must not take the others with it: those go one by one.
        for (const b of batch) {
          await appendAuditBatch(this.db, this.key, [b.e]).then(
            () => b.done(),
            (err: Error) => {
              console.error(
                `[audit] 审计记录写入失败 (${b.e.action}, 请求 ${b.e.requestId}): ${err.message.split('\n')[0]}`,
              );
              b.done(err);
            },
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

/**
 * Recomputes the chain: a changed row breaks its hash, a removed or reordered one breaks the link. Unkeyed rows may
 * only precede the anchor; from the anchor on every row must carry the HMAC under `key`, so a chain removed and
 * recomputed without the key (or with another key) fails.
 */
export async function verifyAudit(db: Db, key: string): Promise<VerifyResult> {
  const rows = await db.select().from(auditLog).orderBy(asc(auditLog.id));
  const problems: VerifyResult['problems'] = [];
  let prev = GENESIS;
  let anchored = false;
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
    if (r.prevHash !== prev)
      problems.push({ id: r.id, problemZh: `第 ${r.id} 条的前一条哈希不符：其前的记录被删除、插入或调换了顺序` });
    if (!r.keyed && anchored)
      problems.push({ id: r.id, problemZh: `第 ${r.id} 条未用审计密钥签名，却位于锚定记录之后：该记录是伪造的` });
    if (r.keyed && !anchored) {
      if (r.action !== ANCHOR_ACTION)
        problems.push({ id: r.id, problemZh: `第 ${r.id} 条之前缺少锚定记录：链的开头被删除或重算` });
      else if ((r.detail as { keyId?: string }).keyId !== keyFingerprint(key))
        problems.push({ id: r.id, problemZh: `第 ${r.id} 条（锚定记录）的密钥与 AUDIT_KEY 不符` });
      anchored = true;
    }
    const expected = r.keyed ? keyedHash(key, r.prevHash, e) : entryHash(r.prevHash, e);
    if (expected !== r.hash)
      problems.push({ id: r.id, problemZh: `第 ${r.id} 条的内容与哈希不符：该记录被修改或未经审计密钥重算` });
    prev = r.hash;
  }
  if (rows.length && !anchored)
    problems.push({
      id: rows[rows.length - 1].id,
      problemZh: '审计日志没有锚定记录：全部记录均未用审计密钥签名，可能被整体重算',
    });
  return { ok: problems.length === 0, entries: rows.length, problems };
}

/** Bodies with a field of this name get no hash: a keyed hash of a password is still something to guess against. */
const SECRET_KEYS = /pass(word)?|token|secret|authorization|cookie|smtp/i;

/** PostgreSQL text and jsonb refuse a lone surrogate: replaced, so such a request is still recorded. */
const wellFormed = (s: string) =>
  s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

/**
 * What the audit keeps of a request body: its field names (top level, at most 50, never a value) and a keyed hash
 * of the whole body, which proves what was sent to whoever holds the body and the key, and tells nobody else
 * anything. Case titles, summaries, step inputs, records and opinions are content the administrator does not read.
 */
export function bodyDigest(key: string, body: unknown): { fields?: string[]; bodyHash?: string } {
  if (
    body === undefined ||
    body === null ||
    (typeof body === 'object' && !Array.isArray(body) && !Object.keys(body).length)
  )
    return {};
  const fields =
    typeof body === 'object' && !Array.isArray(body)
      ? Object.keys(body)
          .slice(0, 50)
          .map((f) => wellFormed(f.slice(0, 100)))
          .sort()
      : undefined;
  if (fields?.some((f) => SECRET_KEYS.test(f))) return { fields };
  const bodyHash = crypto
    .createHmac('sha256', key)
    .update(JSON.stringify(body) ?? '')
    .digest('hex');
  return { ...(fields ? { fields } : {}), bodyHash };
}

/**
 * Writes an audit entry for every change (any non-GET request) and for every read a handler marks as
 * confidential (res.locals.auditRead), before the response goes out: the response is held until the entry is
 * committed, and a request whose entry cannot be written answers 503 instead of going unrecorded.
 */
export function auditMiddleware(writer: AuditWriter, key: string): RequestHandler {
  return (req, res, next) => {
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    let held = false;
    res.end = ((...args: unknown[]) => {
      if (held) return end(...args);
      held = true;
      const read = res.locals.auditRead as { target: string; what: string } | undefined;
      const user = res.locals.user as { id: string; agency: string; role: string } | undefined;
      const skip =
        (req.method === 'GET' && !read) ||
        req.method === 'HEAD' ||
        req.method === 'OPTIONS' ||
        // Unauthenticated noise (401 without a user) is not a change: rate limits handle it.
        (!user && res.statusCode === 401);
      if (skip) return end(...args);
      const entry: AuditEntry = {
        at: new Date(),
        userId: user?.id ?? null,
        agency: user?.agency ?? null,
        role: user?.role ?? null,
        action: wellFormed(`${req.method} ${req.route?.path ?? req.path}`),
        target: ((t) => (t ? wellFormed(t) : null))(
          read?.target ?? (res.locals.auditTarget as string | undefined) ?? (req.params?.id as string | undefined),
        ),
        status: res.statusCode,
        ip: req.ip ?? null,
        requestId: String(res.getHeader('x-request-id') ?? ''),
        detail: read ? { read: read.what } : { path: wellFormed(req.path), ...bodyDigest(key, req.body) },
      };
      writer.append(entry).then(
        () => end(...args),
        () => {
          // Nothing of the held answer has gone out yet (unless it was streamed): replace it by a 503.
          if (res.headersSent || res.statusCode >= 500) {
            end(...args);
            return;
          }
          res.statusCode = 503;
          for (const h of ['content-length', 'etag', 'content-type', 'location', 'content-disposition'])
            res.removeHeader(h);
          res.setHeader('content-type', 'application/json; charset=utf-8');
          res.setHeader('retry-after', '5');
          end(
            JSON.stringify({
              error: {
                code: 'audit_unavailable',
                message: '审计记录未能写入，本次请求的结果未经确认：请稍后核实后再试',
                requestId: res.getHeader('x-request-id'),
              },
            }),
          );
        },
      );
      return res;
    }) as typeof res.end;
    next();
  };
}
