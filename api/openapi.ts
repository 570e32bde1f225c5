import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { PERMISSIONS, type Permission, type Principal } from '../domain/policy';
import { HttpError, unauthorized, validationError } from './errors';
import { checkParams } from './input-check';

/**
 * Routes are declared once with their zod schemas: the same schemas validate requests and produce
 * the OpenAPI document served at /api/v1/openapi.json.
 */
export interface RouteSpec<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string; // express style, e.g. /api/v1/cases/:id
  summary: string;
  tags?: string[];
  body?: B;
  query?: Q;
  params?: P;
  responses?: Record<number, { description: string; schema?: z.ZodType }>;
  /** Who may call it (domain/policy.ts); checked before the request is validated. */
  permission: Permission;
}

export interface Validated<B, Q, P> {
  body: B;
  query: Q;
  params: P;
}

const registry: RouteSpec<z.ZodType, z.ZodType, z.ZodType>[] = [];

export function route<
  B extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  P extends z.ZodType = z.ZodUnknown,
>(
  router: Router,
  spec: RouteSpec<B, Q, P>,
  ...handlers: [
    ...RequestHandler[],
    (req: Request, res: Response, v: Validated<z.infer<B>, z.infer<Q>, z.infer<P>>) => Promise<void> | void,
  ]
): void {
  if (!registry.some((r) => r.method === spec.method && r.path === spec.path)) registry.push(spec as never);
  const final = handlers.pop() as (
    req: Request,
    res: Response,
    v: Validated<unknown, unknown, unknown>,
  ) => Promise<void> | void;
  const middleware = handlers as RequestHandler[];
  const rule = PERMISSIONS[spec.permission];
  router[spec.method](spec.path, ...middleware, async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (spec.permission !== 'public') {
        const user = res.locals.user as Principal | undefined;
        if (!user) throw unauthorized();
        if (!rule.allows(user)) throw new HttpError(403, 'forbidden_by_policy', rule.deniedZh || '无权执行此操作');
      }
      checkParams(req.params as Record<string, string>);
      if (!spec.body && spec.method !== 'get' && hasContent(req.body)) {
        throw new HttpError(400, 'unexpected_body', '此接口不接受请求体');
      }
      const v: Validated<unknown, unknown, unknown> = { body: undefined, query: undefined, params: undefined };
      for (const where of ['body', 'query', 'params'] as const) {
        const schema = spec[where];
        if (!schema) continue;
        const parsed = schema.safeParse(req[where] ?? {});
        if (!parsed.success) throw validationError(parsed.error, where);
        v[where] = parsed.data;
      }
      await final(req, res, v);
    } catch (err) {
      next(err);
    }
  });
}

function hasContent(body: unknown): boolean {
  if (body === undefined || body === null) return false;
  if (typeof body === 'object' && !Array.isArray(body)) return Object.keys(body).length > 0;
  return true;
}

/** The endpoint table: every registered route with its permission (GET /api/v1/policy, permission tests). */
export function registeredRoutes(): {
  method: string;
  path: string;
  permission: Permission;
  labelZh: string;
  caseScoped: boolean;
  takesBody: boolean;
  summary: string;
}[] {
  return registry.map((r) => ({
    method: r.method.toUpperCase(),
    path: r.path,
    permission: r.permission,
    labelZh: PERMISSIONS[r.permission].labelZh,
    caseScoped: Boolean(PERMISSIONS[r.permission].caseScoped),
    takesBody: Boolean(r.body),
    summary: r.summary,
  }));
}

function toOpenApiPath(p: string): string {
  return p.replace(/:([A-Za-z_]+)/g, '{$1}');
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input') {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' });
}

export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of registry) {
    const op: Record<string, unknown> = { summary: r.summary, tags: r.tags ?? [] };
    const parameters: unknown[] = [];
    for (const where of ['query', 'params'] as const) {
      const s = r[where];
      if (!s) continue;
      const js = jsonSchema(s) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(js.properties ?? {})) {
        parameters.push({
          name,
          in: where === 'params' ? 'path' : 'query',
          required: where === 'params' || (js.required ?? []).includes(name),
          schema,
        });
      }
    }
    if (parameters.length) op.parameters = parameters;
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } };
    const responses: Record<string, unknown> = {};
    for (const [code, resp] of Object.entries(r.responses ?? { 200: { description: '成功' } })) {
      responses[code] = resp.schema
        ? {
            description: resp.description,
            content: { 'application/json': { schema: jsonSchema(resp.schema, 'output') } },
          }
        : { description: resp.description };
    }
    responses['422'] ??= { description: '请求校验失败（中文说明见 error.message）' };
    if (r.permission !== 'public') {
      responses['401'] ??= { description: '未认证' };
      responses['403'] ??= { description: `无权限（${PERMISSIONS[r.permission].labelZh}）` };
    }
    op.responses = responses;
    if (r.permission !== 'public') op.security = [{ bearerAuth: [] }];
    op['x-permission'] = r.permission;
    (paths[toOpenApiPath(r.path)] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: '联动执法协作平台 API',
      version: '1.0.0',
      description: '生态环境局、公安局、人民检察院环境执法联动协作平台接口',
    },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
