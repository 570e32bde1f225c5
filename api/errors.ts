import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';

/** An error a user reads: an HTTP status, a stable code and a Chinese message. */
export class HttpError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (message = '资源不存在') => new HttpError(404, 'not_found', message);
export const unauthorized = (message = '未登录或令牌无效，请提供有效的 Bearer 令牌') =>
  new HttpError(401, 'unauthorized', message);
export const forbidden = (message = '无权执行此操作') => new HttpError(403, 'forbidden', message);

const FIELD_ZH: Record<string, string> = {
  title: '案件名称',
  track: '办理类型',
  summary: '案情摘要',
  confidentiality: '密级',
  rule: '期限规则',
  from: '起算时间',
  custody: '羁押状态',
};

function issueZh(issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join('.') || '请求';
  const name = FIELD_ZH[field] ? `${FIELD_ZH[field]}（${field}）` : field;
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `缺少必填字段：${name}` : `字段类型错误：${name}`;
    case 'too_small':
      return `${name} 过短或过小`;
    case 'too_big':
      return `${name} 过长或过大`;
    case 'invalid_value':
      return `${name} 的取值无效，可选值：${(issue.values as unknown[]).map(String).join(' / ')}`;
    case 'unrecognized_keys':
      return `不支持的字段：${issue.keys.join('、')}`;
    default:
      return `${name}：${issue.message}`;
  }
}

export function validationError(err: z.ZodError, where: 'body' | 'query' | 'params'): HttpError {
  const whereZh = { body: '请求体', query: '查询参数', params: '路径参数' }[where];
  const issues = err.issues.map((i) => ({ path: i.path.map(String).join('.'), message: issueZh(i) }));
  return new HttpError(
    422,
    'validation_failed',
    `${whereZh}校验失败：${issues.map((i) => i.message).join('；')}`,
    issues,
  );
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `接口不存在：${req.method} ${req.path}`));
};

/** Every error leaves as JSON with a Chinese message; unexpected ones are logged with the request id only. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const requestId = String(res.getHeader('x-request-id') ?? '');
  if (err instanceof HttpError && err.status === 202) {
    res.setHeader('retry-after', '5');
    res.status(202).json({
      status: 'accepted',
      code: err.code,
      messageZh: err.message,
      updateId: (err as { updateId?: string }).updateId,
      requestId,
    });
    return;
  }
  if (err instanceof HttpError) {
    if (err.status === 503) res.setHeader('retry-after', '5');
    res.status(err.status).json({ error: { code: err.code, message: err.message, details: err.details, requestId } });
    return;
  }
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.too.large') {
    res.status(413).json({ error: { code: 'payload_too_large', message: '请求体过大', requestId } });
    return;
  }
  if (e?.type === 'entity.parse.failed') {
    res.status(400).json({ error: { code: 'invalid_json', message: '请求体不是有效的 JSON', requestId } });
    return;
  }
  if (isUnavailable(err)) {
    res.setHeader('retry-after', '5');
    res.status(503).json({
      error: {
        code: 'unavailable',
        message:
          '服务暂时不可用：数据库或流程引擎连接中断，恢复后自动继续，请稍后重试（可用相同的 Idempotency-Key 安全重试）',
        requestId,
      },
    });
    return;
  }
  // Query parameters (which may hold personal data or token hashes) never reach the log.
  const logged = String(e?.message ?? err)
    .split('\nparams:')[0]
    .slice(0, 500);
  console.error(`[api] ${req.method} ${req.route?.path ?? '(no route)'} 请求 ${requestId} 出错: ${logged}`);
  res
    .status(500)
    .json({ error: { code: 'internal', message: '服务器内部错误，请联系管理员并提供请求编号', requestId } });
};

/**
 * Connection failures of PostgreSQL or Temporal (refused, reset, server shutting down, pool timeout): the request
 * may succeed later, so 503 and not 500. Drizzle wraps driver errors (`cause`); a refused dual-stack connect is an
 * AggregateError (`errors`).
 */
export function isUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const msg = String((err as Error).message ?? '');
  const code = String((err as { code?: string }).code ?? '');
  if (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'EPIPE',
      'ETIMEDOUT',
      'EHOSTUNREACH',
      '57P01',
      '57P02',
      '57P03',
      '08000',
      '08003',
      '08006',
      '08001',
      '08004',
    ].includes(code) ||
    /UNAVAILABLE|Connection terminated|ECONNREFUSED|timeout exceeded when trying to connect|the database system is (starting up|shutting down)|Client has encountered a connection error/.test(
      msg,
    )
  ) {
    return true;
  }
  const nested = [(err as { cause?: unknown }).cause, ...(((err as { errors?: unknown[] }).errors ?? []) as unknown[])];
  return nested.some((e) => isUnavailable(e, depth + 1));
}
