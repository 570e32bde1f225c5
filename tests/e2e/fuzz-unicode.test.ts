import fc from 'fast-check';
import { z } from 'zod';
import { STEPS, STEP_NAMES } from '../../domain/case';
import { request, startStack, type Stack } from '../helpers/stack';
import { caseWorkflowId } from '../../workflows/definitions/case';

/**
 * A fuzzer for input that cannot be stored and for requests that never answer: full-Unicode strings (lone
 * surrogates, NUL, 4-byte characters, bidi marks), deep and wide JSON and huge numbers, on every endpoint of the
 * OpenAPI document. Every request must answer within the bound and never 5xx; after every case-scoped request the
 * case must still take a valid step (a written consultation and its reply) and its workflow must have no failing
 * task. Fixed seed in CI; a larger run: FUZZ_REQUESTS=3000 FUZZ_SEED=<n> npm test -- tests/e2e/fuzz-unicode
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 500);
const ANSWER_MS = 3000;
/** The answer bound of one request: UPDATE_ANSWER_MS, the acceptance check and a margin for a loaded machine. */
const BOUND_MS = ANSWER_MS + 4000;

const ODD = [
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '\u0000',
  '\u202e',
  '\u202d',
  '\u200f',
  '\u2066',
  '\u2069',
  '\ufeff',
  '\ufffe',
  '😀',
  '𠀀',
  '\u{10ffff}',
  '\u0301',
  '甲',
  '乙',
  'a',
  ' ',
  '\n',
  '\u001b',
  '\\',
  '"',
];
const unicodeString = fc.oneof(
  fc
    .array(fc.oneof(fc.constantFrom(...ODD), fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 10 })
    .map((a) => a.join('')),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '甲\ud800',
    '议题\ud800',
    '\ud800\ud800',
    '\udc00\ud800',
    'x'.repeat(60_000),
    '案'.repeat(5_000),
    '1e309',
    'NaN',
    '__proto__',
  ),
);
/** Raw JSON numbers JSON.stringify cannot write: spliced in for their placeholders. */
const HUGE = [
  '1e400',
  '-1e400',
  '123456789012345678901234567890123456789',
  '1e-400',
  '-0',
  '9007199254740993',
  '1.7976931348623157e308',
];
const huge = fc.integer({ min: 0, max: HUGE.length - 1 }).map((i) => `__HUGE_${i}__`);
const leaf = fc.oneof(unicodeString, huge, fc.double(), fc.integer(), fc.boolean(), fc.constant(null));
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(unicodeString, tie('v'), { maxKeys: 4 }),
  ),
})).v;
const deep = fc
  .integer({ min: 17, max: 400 })
  .chain((d) =>
    fc
      .constantFrom('[', '{"a":')
      .map((open) => (open === '[' ? '['.repeat(d) + ']'.repeat(d) : '{"a":'.repeat(d) + '1' + '}'.repeat(d))),
  );
const wide = fc
  .integer({ min: 500, max: 20_000 })
  .map((n) =>
    n % 2
      ? JSON.stringify(Array.from({ length: n }, (_, i) => `\ud800${i}`))
      : JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, '甲']))),
  );

interface JsonSchema {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  minItems?: number;
  minimum?: number;
  format?: string;
  properties?: Record<string, JsonSchema>;
}
const STEP_SCHEMAS: Record<string, JsonSchema> = Object.fromEntries(
  STEP_NAMES.map((s) => [s, z.toJSONSchema(STEPS[s].schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema]),
);

/**
 * A body its schema accepts in shape (enums, consts, array sizes, booleans), whose strings are ordinary Chinese text
 * with the fuzzed strings inside: the odd character reaches the workflow and the record, as in the report.
 */
function nearValid(s: JsonSchema | undefined, pool: string[], i: number): unknown {
  if (!s) return pool[i % pool.length];
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return s.enum[i % s.enum.length];
  const alt = s.anyOf ?? s.oneOf;
  if (alt?.length) return nearValid(alt[i % alt.length], pool, i + 1);
  switch (s.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(s.properties ?? {}).map(([k, v], j) => [k, nearValid(v, pool, i + j + 1)]),
      );
    case 'array':
      return Array.from({ length: Math.max(s.minItems ?? 1, 2) }, (_, j) => nearValid(s.items, pool, i + j + 1));
    case 'boolean':
      return true;
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    default:
      if (s.format === 'date-time') return new Date().toISOString();
      if (s.format === 'date') return new Date().toISOString().slice(0, 10);
      return `甲${pool[i % pool.length]}乙`;
  }
}

interface Op {
  method: string;
  path: string;
  permission: string;
  body?: JsonSchema;
  pathParams: string[];
  queryParams: string[];
}

interface Planned {
  op: number;
  params: string[];
  useCase: boolean;
  stepPick: number;
  query: Record<string, string>;
  body: { kind: 'near'; values: string[] } | { kind: 'value'; v: unknown } | { kind: 'raw'; text: string };
  who: number;
}

function serialise(v: unknown): string {
  return (JSON.stringify(v) ?? 'null').replace(/"__HUGE_(\d)__"/g, (_m, i: string) => HUGE[Number(i)]);
}

describe('fuzzing every endpoint with unstorable input, and watching the case', () => {
  let stack: Stack;
  const tokens: Record<string, string> = {};
  let victim: string;
  let available: { step: string; agencies: string[] }[] = [];
  let probes = 0;
  let sent = 0;
  const statuses = new Map<number, number>();
  const findings: string[] = [];
  let slowest = 0;

  const newVictim = async () => {
    const res = await request(stack.base, tokens.eeb, 'POST', '/api/v1/cases', {
      title: '模糊测试受试案件',
      track: 'criminal',
    });
    if (res.status !== 201) throw new Error(`受试案件登记失败：${res.status} ${res.text}`);
    victim = (res.json.case as { id: string }).id;
    available = [{ step: 'formTaskForce', agencies: ['eeb'] }];
  };

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '1000000', UPDATE_ANSWER_MS: String(ANSWER_MS) });
    tokens.eeb = await stack.userToken({ agency: 'eeb', role: 'head' });
    tokens.psb = await stack.userToken({ agency: 'psb', role: 'head' });
    tokens.spp = await stack.userToken({ agency: 'spp', role: 'head' });
    tokens.wg = await stack.userToken({ agency: 'workingGroup', role: 'liaison' });
    tokens.admin = stack.adminToken;
    await newVictim();
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    console.log(
      `fuzz-unicode: seed ${SEED}, ${sent} requests, ${probes} case probes, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}, slowest ${slowest} ms, ${findings.length} findings${findings.length ? ':\n' + findings.slice(0, 20).join('\n') : ''}`,
    );
  });

  /** One request with the answer bound: a request that does not answer is a finding, not a hang of the test. */
  const send = async (token: string | undefined, method: string, path: string, body?: string) => {
    const t0 = Date.now();
    try {
      const res = await fetch(`${stack.base}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body,
        signal: AbortSignal.timeout(BOUND_MS),
      });
      const text = await res.text();
      const ms = Date.now() - t0;
      slowest = Math.max(slowest, ms);
      return { status: res.status, text, ms };
    } catch (err) {
      return { status: 0, text: `无应答（${BOUND_MS} ms 内）：${(err as Error).message}`, ms: Date.now() - t0 };
    }
  };

  /** The case takes a valid step (a consultation and its reply) and its workflow has no failing task. */
  const probe = async (after: string) => {
    probes++;
    const handle = stack.env.client.workflow.getHandle(caseWorkflowId(victim));
    const d = await handle.describe();
    if (d.status.name !== 'RUNNING') return newVictim();
    const wft = d.raw.pendingWorkflowTask;
    if ((wft?.attempt ?? 1) > 1) findings.push(`${after} → 案件流程任务失败重试（第 ${wft!.attempt} 次）`);
    const failing = (d.raw.pendingActivities ?? []).filter((a) => (a.attempt ?? 1) > 1);
    if (failing.length)
      findings.push(`${after} → 活动重试中：${failing.map((a) => `${a.activityType?.name}×${a.attempt}`).join('、')}`);
    const state = await send(tokens.eeb, 'GET', `/api/v1/cases/${victim}/state`);
    if (state.status !== 200)
      return findings.push(`${after} → 读取案件状态 ${state.status} ${state.text.slice(0, 200)}`);
    const view = JSON.parse(state.text) as { closed: boolean; availableSteps: { step: string; agencies: string[] }[] };
    if (view.closed) return newVictim(); // a fuzzed step that closed it is no finding
    available = view.availableSteps.filter((a) => a.agencies.length);
    const asked = await send(
      tokens.eeb,
      'POST',
      `/api/v1/cases/${victim}/steps/requestConsultation`,
      JSON.stringify({ documentNumber: `咨询-${probes}`, toAgency: 'spp', question: '探测' }),
    );
    if (asked.status !== 200)
      return findings.push(`${after} → 案件不能再办理书面咨询：${asked.status} ${asked.text.slice(0, 200)}`);
    const clock = (JSON.parse(asked.text) as { openClocks: { clockId: string; ruleId: string }[] }).openClocks
      .filter((c) => c.ruleId.startsWith('any.written-consultation-reply'))
      .pop();
    const replied = await send(
      tokens.spp,
      'POST',
      `/api/v1/cases/${victim}/steps/replyConsultation`,
      JSON.stringify({ documentNumber: `答复-${probes}`, clockId: clock?.clockId, answer: '答复' }),
    );
    if (replied.status !== 200)
      findings.push(`${after} → 案件不能再答复书面咨询：${replied.status} ${replied.text.slice(0, 200)}`);
  };

  it(`answers ${REQUESTS} fuzzed requests within the bound, never 5xx, and no case stops moving`, async () => {
    const doc = (await request(stack.base, tokens.eeb, 'GET', '/api/v1/openapi.json')).json as unknown as {
      paths: Record<
        string,
        Record<
          string,
          {
            'x-permission': string;
            parameters?: { name: string; in: string }[];
            requestBody?: { content: { 'application/json': { schema: unknown } } };
          }
        >
      >;
    };
    const ops: Op[] = Object.entries(doc.paths).flatMap(([p, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(),
        path: p,
        permission: op['x-permission'],
        body: op.requestBody?.content['application/json'].schema as JsonSchema | undefined,
        pathParams: (op.parameters ?? []).filter((x) => x.in === 'path').map((x) => x.name),
        queryParams: (op.parameters ?? []).filter((x) => x.in === 'query').map((x) => x.name),
      })),
    );
    expect(ops.length).toBeGreaterThan(50);
    const plan = fc.record<Planned>({
      op: fc.nat(),
      params: fc.array(unicodeString, { minLength: 3, maxLength: 3 }),
      useCase: fc.boolean(),
      stepPick: fc.nat(),
      query: fc.dictionary(
        fc.oneof(unicodeString, fc.constantFrom('q', 'page', 'pageSize', 'stage', 'format', 'limit', 'year', 'status')),
        unicodeString,
        { maxKeys: 3 },
      ),
      body: fc.oneof(
        {
          weight: 3,
          arbitrary: fc
            .array(unicodeString, { minLength: 8, maxLength: 8 })
            .map((values) => ({ kind: 'near' as const, values })),
        },
        { weight: 2, arbitrary: value.map((v) => ({ kind: 'value' as const, v })) },
        { weight: 1, arbitrary: fc.oneof(deep, wide).map((text) => ({ kind: 'raw' as const, text })) },
      ),
      who: fc.nat(),
    });
    const planned = fc.sample(plan, { seed: SEED, numRuns: REQUESTS });
    for (let i = 0; i < planned.length; i++) {
      const pl = planned[i];
      // Every endpoint in turn, then at random, half of them on the case.
      const caseOps = ops.filter((o) => o.path.startsWith('/api/v1/cases/{id}'));
      const op =
        i < ops.length ? ops[i] : pl.op % 2 ? caseOps[(pl.op >> 1) % caseOps.length] : ops[(pl.op >> 1) % ops.length];
      const caseScoped = op.path.startsWith('/api/v1/cases/{id}');
      const onVictim = caseScoped && (pl.useCase || op.path.endsWith('/steps/{step}'));
      // On the case: one of the steps its stage allows, by an agency that may take it (the input reaches the record).
      const choice = available.length ? available[pl.stepPick % available.length] : undefined;
      const stepName = onVictim && choice ? choice.step : STEP_NAMES[pl.stepPick % STEP_NAMES.length];
      let k = 0;
      const path = op.path.replace(/\{([A-Za-z]+)\}/g, (_m, name: string) => {
        if (name === 'id' && onVictim) return victim;
        if (name === 'step' && (pl.useCase || onVictim)) return stepName;
        // A URL cannot carry a lone surrogate (no UTF-8 for it); overlong URLs are the HTTP parser's (431), not ours.
        return (
          encodeURIComponent(
            String(pl.params[k++ % pl.params.length])
              .replace(/[\ud800-\udfff]/g, '')
              .slice(0, 300),
          ) || 'x'
        );
      });
      const qs = new URLSearchParams(
        Object.entries(pl.query).map(([a, b]) => [
          a.replace(/[\ud800-\udfff]/g, '?').slice(0, 300),
          b.replace(/[\ud800-\udfff]/g, '?').slice(0, 300),
        ]),
      ).toString();
      const schema = op.path.endsWith('/steps/{step}') ? STEP_SCHEMAS[stepName] : op.body;
      let body: string | undefined;
      if (op.method !== 'GET' && op.method !== 'DELETE') {
        if (pl.body.kind === 'raw') body = pl.body.text;
        else if (pl.body.kind === 'near') body = serialise(nearValid(schema, pl.body.values, pl.who));
        else body = serialise(pl.body.v);
      }
      const admin =
        op.permission.startsWith('user.') ||
        op.permission.startsWith('calendar.write') ||
        op.permission.startsWith('schedule.') ||
        op.permission.startsWith('audit');
      const agencies =
        onVictim && choice && op.path.endsWith('/steps/{step}')
          ? choice.agencies
          : ['eeb', 'psb', 'spp', 'workingGroup'];
      const who = admin ? 'admin' : agencies[pl.who % agencies.length].replace('workingGroup', 'wg');
      const res = await send(tokens[who], op.method, path + (qs ? `?${qs}` : ''), body);
      sent++;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const what = `#${i} ${who} ${op.method} ${path.slice(0, 120)} ${body ? `body ${body.length} 字符` : ''}`;
      if (res.status === 0 || res.status >= 500) findings.push(`${what} → ${res.status} ${res.text.slice(0, 300)}`);
      if (onVictim) await probe(what);
    }
    expect(findings).toEqual([]);
  }, 600_000);
});
