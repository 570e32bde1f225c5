import { Router, type NextFunction, type Request, type Response } from 'express';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { cases, supervisionItems } from '../../db/schema';
import { PERMISSIONS, type Principal } from '../../domain/policy';
import { isEncrypted, payloadOwner } from '../../infra/data-converter';
import { currentUser, type AuthUser } from '../auth';
import { decodePayloads, encodePayloads } from '../codec';
import { HttpError } from '../errors';
import { route } from '../openapi';
import { visibleTo } from './cases';

/**
 * Temporal's codec-server protocol (what `temporal --codec-endpoint` and the Temporal UI's TEMPORAL_CODEC_ENDPOINT
 * call) with the platform's rules: a signed-in user gets a payload decrypted only if they may read the workflow it
 * belongs to (domain/policy.ts, confidentiality included); one payload they may not read refuses the whole request.
 */

const b64 = z
  .string()
  .max(4_000_000)
  .regex(/^[A-Za-z0-9+/=_-]*$/, '应为 base64');
const payloadsBody = z
  .object({
    // Empty lists are sent as {} (protojson omits them), as the CLI does.
    payloads: z
      .array(z.object({ metadata: z.record(z.string(), b64).optional(), data: b64.optional() }).strict())
      .max(10_000)
      .default([]),
  })
  .strict();
type JsonPayload = z.infer<typeof payloadsBody>['payloads'][number];

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const PLATFORM_ENTRY = new RegExp(`^platform-entry-(${UUID})-\\d+$`);

/**
 * CORS of the codec endpoint for the Temporal UI's origin (TEMPORAL_UI_URL); mounted before authentication, since a
 * browser's preflight carries no credentials.
 */
export function codecCors(config: Config) {
  const uiOrigin = new URL(config.temporal.uiUrl).origin;
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.get('origin') === uiOrigin) {
      res.setHeader('access-control-allow-origin', uiOrigin);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('access-control-allow-headers', 'authorization, content-type, x-namespace');
      res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
      res.setHeader('cross-origin-resource-policy', 'cross-origin');
      res.setHeader('vary', 'origin');
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  };
}

export function codecRouter(deps: { db: Db; temporal: Client; config: Config }) {
  const { db, temporal, config } = deps;
  const r = Router();

  const caseVisible = async (user: AuthUser, where: ReturnType<typeof eq>) => {
    const [row] = await db
      .select({ id: cases.id, confidentiality: cases.confidentiality })
      .from(cases)
      .where(and(where, visibleTo(user)));
    return row;
  };

  /** May this user read the payloads of this workflow? Returns the confidential case read, for the audit log. */
  const mayRead = async (user: AuthUser, workflowId: string): Promise<{ ok: boolean; confidentialCase?: string }> => {
    let row: { id: string; confidentiality: string } | undefined;
    if (workflowId.startsWith('case-')) row = await caseVisible(user, eq(cases.workflowId, workflowId));
    else if (PLATFORM_ENTRY.test(workflowId))
      row = await caseVisible(user, eq(cases.id, PLATFORM_ENTRY.exec(workflowId)![1]));
    else {
      const [item] = await db
        .select({ caseId: supervisionItems.caseId })
        .from(supervisionItems)
        .where(eq(supervisionItems.workflowId, workflowId));
      if (item?.caseId) row = await caseVisible(user, eq(cases.id, item.caseId));
      // Duties, releases, reports, imports, the digest: what their own read permission allows.
      else return { ok: PERMISSIONS['duty.read'].allows(user as unknown as Principal) };
    }
    return row
      ? { ok: true, confidentialCase: row.confidentiality === 'confidential' ? row.id : undefined }
      : { ok: false };
  };

  const checkNamespace = (req: Request) => {
    const ns = req.get('x-namespace');
    if (ns && ns !== config.temporal.namespace)
      throw new HttpError(403, 'forbidden', `只能解码命名空间 ${config.temporal.namespace} 的数据`);
  };

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/codec/decode',
      permission: 'authenticated',
      summary: 'Temporal 编解码服务：解密载荷（仅限有权查阅所属案件或事项的用户）',
      tags: ['流程引擎'],
      body: payloadsBody,
    },
    async (req, res, { body }) => {
      checkNamespace(req);
      const user = currentUser(res);
      const payloads = body.payloads.map(fromJson);
      const owners = [...new Set(payloads.filter(isEncrypted).map((p) => payloadOwner(p) ?? ''))];
      const read: string[] = [];
      for (const owner of owners) {
        const verdict = owner ? await mayRead(user, owner) : { ok: false };
        if (!verdict.ok)
          throw new HttpError(403, 'forbidden', owner ? '无权查阅该流程的数据' : '载荷未标明所属流程，不予解密');
        if (verdict.confidentialCase) read.push(verdict.confidentialCase);
      }
      if (read.length)
        res.locals.auditRead = {
          target: read.length === 1 ? read[0] : 'cases',
          what: `解码保密案件的流程数据：${read.join(', ')}`,
        };
      let plain: Payload[];
      try {
        plain = await decodePayloads(temporal, payloads);
      } catch (err) {
        throw new HttpError(422, 'validation_failed', `无法解密：${(err as Error).message}`);
      }
      res.json({ payloads: plain.map(toJson) });
    },
  );

  route(
    r,
    {
      method: 'post',
      path: '/api/v1/codec/encode',
      permission: 'authenticated',
      summary: 'Temporal 编解码服务：加密载荷（不标所属流程，只有平台能解密）',
      tags: ['流程引擎'],
      body: payloadsBody,
    },
    async (req, res, { body }) => {
      checkNamespace(req);
      res.json({ payloads: (await encodePayloads(temporal, body.payloads.map(fromJson))).map(toJson) });
    },
  );

  return r;
}
