import type { RequestHandler } from 'express';
import { findUnstorable, textProblem, TEXT_PROBLEM_ZH, type UnstorableField } from '../domain/text';
import { HttpError } from './errors';

/** Longest string anywhere in a request; fields have their own, shorter limits (zod). */
export const MAX_STRING_LENGTH = 50_000;
/** Nothing the API takes nests deeper than this. */
export const MAX_DEPTH = 16;
/** Header values that are recorded (update ids, case ids, the request log). */
const RECORDED_HEADERS = ['idempotency-key', 'x-request-id', 'user-agent'];
/** An imported file's content has its own byte limit (api/uploads.ts), not the string limit. */
const FILE_CONTENT = new Set(['content', 'contentBase64']);

const WHERE_ZH = { body: '请求体', query: '查询参数', params: '路径参数', header: '请求头', path: '请求地址' } as const;

export function unstorableError(where: keyof typeof WHERE_ZH, found: UnstorableField): HttpError {
  const what =
    found.problem === 'tooDeep'
      ? `嵌套超过 ${MAX_DEPTH} 层`
      : found.problem === 'tooLong'
        ? `超过 ${MAX_STRING_LENGTH} 个字符`
        : TEXT_PROBLEM_ZH[found.problem];
  const name = found.path || WHERE_ZH[where];
  const message = `${WHERE_ZH[where]}校验失败：${name} ${what}`;
  return new HttpError(422, 'validation_failed', message, [{ path: found.path, message, field: found.path }]);
}

function checkBody(body: unknown): UnstorableField | undefined {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    // Top level: file content is exempt from the string length (not from the rest).
    for (const [k, v] of Object.entries(body)) {
      const kp = textProblem(k, 1000);
      if (kp) return { path: k, problem: kp };
      const found = findUnstorable(v, {
        prefix: k,
        maxDepth: MAX_DEPTH - 1,
        maxLength: FILE_CONTENT.has(k) ? Infinity : MAX_STRING_LENGTH,
      });
      if (found) return found;
    }
    return undefined;
  }
  return findUnstorable(body, { maxDepth: MAX_DEPTH, maxLength: MAX_STRING_LENGTH });
}

/**
 * The one edge check of every request, before any route, the audit log or Temporal sees it: every string of the
 * body, the query, the path and the recorded headers is well-formed Unicode without NUL and within length;
 * otherwise 422 naming the field. Path parameters are checked again, by name, in route() (api/openapi.ts).
 */
export const inputCheck: RequestHandler = (req, _res, next) => {
  let url: string;
  try {
    url = decodeURIComponent(req.originalUrl.split('?')[0]);
    if (req.originalUrl.includes('?')) decodeURIComponent(req.originalUrl.slice(req.originalUrl.indexOf('?') + 1));
  } catch {
    next(new HttpError(400, 'bad_request', '请求地址编码无效（不是有效的 UTF-8）'));
    return;
  }
  const pathProblem = textProblem(url, 10_000);
  if (pathProblem) {
    next(unstorableError('path', { path: '', problem: pathProblem }));
    return;
  }
  for (const h of RECORDED_HEADERS) {
    const v = req.get(h);
    const p = v === undefined ? undefined : textProblem(v, 1000);
    if (p) {
      next(unstorableError('header', { path: h, problem: p }));
      return;
    }
  }
  const q = findUnstorable(req.query, { maxDepth: 4, maxLength: 10_000 });
  if (q) {
    next(unstorableError('query', q));
    return;
  }
  const b = checkBody(req.body);
  if (b) {
    next(unstorableError('body', b));
    return;
  }
  next();
};

/** Path parameters by name (route() calls it once express has matched them). */
export function checkParams(params: Record<string, string> | undefined): void {
  const found = findUnstorable(params ?? {}, { maxDepth: 2, maxLength: 1000 });
  if (found) throw unstorableError('params', found);
}
