import crypto from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { apiTokens, sessions, users } from '../db/schema';
import { HttpError, unauthorized } from './errors';
import { needsConfirmation, type PolicyAgency, type PolicyRole } from '../domain/policy';

export const SESSION_COOKIE = 'lk_session';
export const SESSION_HOURS = 8;

// scrypt with N=2^15, r=8: 32 MiB per hash, memory-hard as the issue asks (argon2id or scrypt).
const SCRYPT = { N: 32768, r: 8, p: 1, keylen: 32, maxmem: 96 * 1024 * 1024 };

/**
 * At most this many hashes at once (each ~120 ms of a libuv thread and 32 MiB): scrypt runs off the event loop, but
 * unbounded it would take every libuv thread (and the file and DNS work queued behind them) and the memory with it.
 */
export const SCRYPT_CONCURRENCY = 2;
let running = 0;
const waiting: (() => void)[] = [];
async function withHashSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= SCRYPT_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function scrypt(password: string, salt: Buffer, keylen: number, opts: crypto.ScryptOptions): Promise<Buffer> {
  return withHashSlot(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        crypto.scrypt(password.normalize('NFKC'), salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key)));
      }),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, SCRYPT.keylen, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** A hash of nothing anyone knows: an unknown user's login costs the same scrypt as a real one's. */
const DUMMY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${crypto.randomBytes(16).toString('base64')}$${crypto.randomBytes(32).toString('base64')}`;

/** With `stored` null (unknown user, no password) the dummy hash is checked anyway, and false returned. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = (stored ?? '').split('$');
  const [kind, n, r, p, salt, hash] = parts[0] === 'scrypt' && parts.length === 6 ? parts : DUMMY_HASH.split('$');
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return (
    kind === 'scrypt' && stored !== null && stored.startsWith('scrypt$') && crypto.timingSafeEqual(actual, expected)
  );
}

/**
 * Failed attempts per key within a window (in this process): after `max` failures the key is refused until the
 * window of its first failure ends. Kept in memory and bounded; a restart forgets, which only helps the user.
 */
export class FailureThrottle {
  private readonly entries = new Map<string, { count: number; since: number }>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly maxEntries = 100_000,
  ) {}
  private live(key: string, now: number) {
    const e = this.entries.get(key);
    if (e && now - e.since >= this.windowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }
  blocked(key: string, now = Date.now()): boolean {
    return (this.live(key, now)?.count ?? 0) >= this.max;
  }
  fail(key: string, now = Date.now()): void {
    const e = this.live(key, now);
    if (e) e.count++;
    else {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, { count: 1, since: now });
    }
  }
  clear(key: string): void {
    this.entries.delete(key);
  }
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/**
 * Opens a console session for a user who has proven who they are (today a password; an OIDC callback can call
 * the same function later). Returns the cookie value (stored only as its hash) and the CSRF token.
 */
export async function startSession(db: Db, userId: string, ip: string | undefined) {
  const value = crypto.randomBytes(32).toString('base64url');
  const csrfToken = crypto.randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000);
  await db.insert(sessions).values({ id: hashToken(value), userId, csrfToken, expiresAt, ip: ip ?? null });
  return { value, csrfToken, expiresAt };
}

export interface AuthUser {
  id: string;
  username: string;
  displayName: string;
  agency: string;
  role: string;
  tokenId: string;
  /** Set when the request came with a console session cookie instead of a bearer token. */
  sessionId?: string;
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): string {
  return `lk_${crypto.randomBytes(32).toString('base64url')}`;
}

export function currentUser(res: Response): AuthUser {
  const u = res.locals.user as AuthUser | undefined;
  if (!u) throw unauthorized();
  return u;
}

/**
 * Bearer tokens looked up recently, by hash, for TOKEN_CACHE_MS: under load the lookup (a join of tokens and users)
 * was one more query per request on the shared pool. A revocation through this API process takes effect at once
 * (forget); one written by another process (another API replica, SQL) within TOKEN_CACHE_MS. Expiry is checked on
 * every request. Only successful lookups are kept.
 */
export const TOKEN_CACHE_MS = 5_000;
export class TokenCache {
  private readonly entries = new Map<
    string,
    { user: AuthUser; expiresAtMs: number | null; lastUsedAtMs: number; until: number }
  >();
  constructor(
    private readonly ttlMs = TOKEN_CACHE_MS,
    private readonly maxEntries = 10_000,
  ) {}
  get(hash: string, now = Date.now()) {
    const e = this.entries.get(hash);
    if (!e) return undefined;
    if (e.until <= now) {
      this.entries.delete(hash);
      return undefined;
    }
    return e;
  }
  set(hash: string, user: AuthUser, expiresAtMs: number | null, lastUsedAtMs: number, now = Date.now()) {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(hash, { user, expiresAtMs, lastUsedAtMs, until: now + this.ttlMs });
  }
  /** Drops every cached lookup of this token id (revocation) or of this user. */
  forget(match: { tokenId?: string; userId?: string }) {
    for (const [k, e] of this.entries)
      if (e.user.tokenId === match.tokenId || e.user.id === match.userId) this.entries.delete(k);
  }
}

/**
 * Bearer tokens (looked up by hash, refused when revoked or expired; see TokenCache) or the console's session
 * cookie; a cookie session must send its CSRF token in X-CSRF-Token with every change.
 */
export function authenticate(db: Db, cache: TokenCache = new TokenCache()): RequestHandler {
  return async (req, res, next) => {
    try {
      const header = req.get('authorization') ?? '';
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const cookie = readCookie(req.get('cookie'), SESSION_COOKIE);
      if (!m && cookie) {
        const [row] = await db
          .select({ session: sessions, user: users })
          .from(sessions)
          .innerJoin(users, eq(users.id, sessions.userId))
          .where(
            and(eq(sessions.id, hashToken(cookie)), isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date())),
          );
        // A stale cookie must not stand between the user and the login form (nor the public output).
        const anonymousOk =
          (req.method === 'POST' && req.path === '/auth/login') ||
          (req.method === 'GET' && (req.path.startsWith('/public/') || req.path === '/feed/cases'));
        if ((!row || !row.user.active) && anonymousOk) {
          next();
          return;
        }
        if (!row || !row.user.active) throw unauthorized('登录已失效，请重新登录');
        refuseUnconfirmed(row.user, req.path);
        // The codec endpoint changes nothing and its answers reach only the Temporal UI's origin (CORS): the UI sends
        // the session cookie without the console's CSRF token.
        const readOnly =
          ['GET', 'HEAD', 'OPTIONS'].includes(req.method) || req.originalUrl.startsWith('/api/v1/codec/');
        if (!readOnly && req.get('x-csrf-token') !== row.session.csrfToken) {
          throw new HttpError(403, 'csrf', '缺少或错误的 CSRF 令牌，请刷新页面后重试');
        }
        res.locals.user = {
          id: row.user.id,
          username: row.user.username,
          displayName: row.user.displayName,
          agency: row.user.agency,
          role: row.user.role,
          tokenId: `session:${row.session.id.slice(0, 16)}`,
          sessionId: row.session.id,
        } satisfies AuthUser;
        next();
        return;
      }
      // The login form itself is the one route reachable without credentials.
      // The export feed answers without credentials too, with what is marked public only (domain/policy feedLevel).
      // So does the public output (published joint releases, aggregate statistics): nothing there needs a reader's identity.
      if (!m && req.method === 'GET' && req.path.startsWith('/public/')) {
        next();
        return;
      }
      if (!m && req.method === 'GET' && req.path === '/feed/cases') {
        next();
        return;
      }
      if (!m && req.method === 'POST' && req.path === '/auth/login') {
        next();
        return;
      }
      if (!m) throw unauthorized();
      const hash = hashToken(m[1]);
      const cached = cache.get(hash);
      if (cached) {
        if (cached.expiresAtMs !== null && cached.expiresAtMs < Date.now())
          throw unauthorized('令牌已过期，请重新申请');
        res.locals.user = cached.user;
        next();
        return;
      }
      const [row] = await db
        .select({ token: apiTokens, user: users })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(and(eq(apiTokens.tokenHash, hash), isNull(apiTokens.revokedAt)));
      if (!row || !row.user.active) throw unauthorized();
      refuseUnconfirmed(row.user, req.path);
      if (row.token.expiresAt && row.token.expiresAt.getTime() < Date.now())
        throw unauthorized('令牌已过期，请重新申请');
      // Throttled to a minute so a busy token does not write on every request.
      let lastUsedAtMs = row.token.lastUsedAt?.getTime() ?? 0;
      if (Date.now() - lastUsedAtMs > 60_000) {
        await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.token.id));
        lastUsedAtMs = Date.now();
      }
      const user: AuthUser = {
        id: row.user.id,
        username: row.user.username,
        displayName: row.user.displayName,
        agency: row.user.agency,
        role: row.user.role,
        tokenId: row.token.id,
      };
      cache.set(hash, user, row.token.expiresAt?.getTime() ?? null, lastUsedAtMs);
      res.locals.user = user;
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** The bootstrap token's life: it is meant for the first set-up, after which administrators use their own tokens. */
export const ADMIN_TOKEN_DAYS = 30;

/**
 * ADMIN_TOKEN bootstraps the first administrator: the token is stored hashed. A new ADMIN_TOKEN value replaces it
 * (with a new 30-day life); the same value at a restart changes nothing, so a revoked token stays revoked.
 */
export async function ensureAdmin(db: Db, token: string): Promise<void> {
  await db
    .insert(users)
    .values({
      id: 'admin',
      username: 'admin',
      displayName: '系统管理员',
      agency: 'admin',
      role: 'admin',
      confirmedAt: new Date(),
      confirmedBy: 'bootstrap',
    })
    .onConflictDoNothing({ target: users.id });
  const hash = hashToken(token);
  const expiresAt = new Date(Date.now() + ADMIN_TOKEN_DAYS * 86_400_000);
  await db
    .insert(apiTokens)
    .values({ id: 'admin-bootstrap', userId: 'admin', name: 'ADMIN_TOKEN（启动时配置）', tokenHash: hash, expiresAt })
    .onConflictDoUpdate({
      target: apiTokens.id,
      set: { tokenHash: hash, revokedAt: null, expiresAt, createdAt: new Date() },
      setWhere: sql`${apiTokens.tokenHash} <> ${hash}`,
    });
}

/**
 * Accounts that read confidential cases (domain/policy needsConfirmation) do nothing until a head of their agency
 * has confirmed them, except asking who they are.
 */
function refuseUnconfirmed(u: { agency: string; role: string; confirmedAt: Date | null }, path: string) {
  if (u.confirmedAt || !needsConfirmation({ agency: u.agency as PolicyAgency, role: u.role as PolicyRole })) return;
  if (path === '/me' || path === '/auth/logout') return;
  throw new HttpError(403, 'account_unconfirmed', '账号尚未经本机关负责人确认，确认前不能查阅或办理业务');
}
