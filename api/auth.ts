import crypto from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { apiTokens, sessions, users } from '../db/schema';
import { HttpError, unauthorized } from './errors';

export const SESSION_COOKIE = 'lk_session';
export const SESSION_HOURS = 8;

// scrypt with N=2^15, r=8: 32 MiB per hash, memory-hard as the issue asks (argon2id or scrypt).
const SCRYPT = { N: 32768, r: 8, p: 1, keylen: 32, maxmem: 96 * 1024 * 1024 };

export function hashPassword(password: string): string {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(password.normalize('NFKC'), salt, SCRYPT.keylen, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function verifyPassword(password: string, stored: string | null): boolean {
  if (!stored) return false;
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt') return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = crypto.scryptSync(password.normalize('NFKC'), Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return crypto.timingSafeEqual(actual, expected);
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
  private readonly entries = new Map<string, { user: AuthUser; expiresAtMs: number | null; lastUsedAtMs: number; until: number }>();
  constructor(private readonly ttlMs = TOKEN_CACHE_MS, private readonly maxEntries = 10_000) {}
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
    for (const [k, e] of this.entries) if (e.user.tokenId === match.tokenId || e.user.id === match.userId) this.entries.delete(k);
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
          .where(and(eq(sessions.id, hashToken(cookie)), isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date())));
        if (!row || !row.user.active) throw unauthorized('登录已失效，请重新登录');
        // The codec endpoint changes nothing and its answers reach only the Temporal UI's origin (CORS): the UI sends
        // the session cookie without the console's CSRF token.
        const readOnly = ['GET', 'HEAD', 'OPTIONS'].includes(req.method) || req.originalUrl.startsWith('/api/v1/codec/');
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
        if (cached.expiresAtMs !== null && cached.expiresAtMs < Date.now()) throw unauthorized('令牌已过期，请重新申请');
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
      if (row.token.expiresAt && row.token.expiresAt.getTime() < Date.now()) throw unauthorized('令牌已过期，请重新申请');
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

/** ADMIN_TOKEN bootstraps the first administrator: the token is stored hashed and replaced when it changes. */
export async function ensureAdmin(db: Db, token: string): Promise<void> {
  await db
    .insert(users)
    .values({ id: 'admin', username: 'admin', displayName: '系统管理员', agency: 'admin', role: 'admin' })
    .onConflictDoNothing({ target: users.id });
  await db
    .insert(apiTokens)
    .values({ id: 'admin-bootstrap', userId: 'admin', name: 'ADMIN_TOKEN（启动时配置）', tokenHash: hashToken(token) })
    .onConflictDoUpdate({ target: apiTokens.id, set: { tokenHash: hashToken(token), revokedAt: null } });
}
