import { createLogger } from '../../infra/log';
import { request, startStack, type Stack } from '../helpers/stack';

/** GET /metrics (Prometheus text) and the JSON request log, on the real stack. */
describe('observability: /metrics and structured request logs', () => {
  let stack: Stack;
  let eeb: string;
  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000' });
    eeb = await stack.userToken({ agency: 'eeb', role: 'officer' }, '生态环境局办案人员');
  });
  afterAll(async () => {
    await stack.close();
  });

  const metric = (text: string, name: string, labels = '') => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}${labels}`) && !l.startsWith('#'));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  it('counts requests by route template and status, and reads open cases, clocks and the outbox from the database', async () => {
    const created = await request(stack.base, eeb, 'POST', '/api/v1/cases', {
      title: '指标测试案件',
      track: 'criminal',
    });
    expect(created.status).toBe(201);
    const id = (created.json.case as { id: string }).id;
    expect((await request(stack.base, eeb, 'GET', `/api/v1/cases/${id}`)).status).toBe(200);
    expect((await request(stack.base, eeb, 'GET', `/api/v1/cases/00000000-0000-4000-8000-000000000000`)).status).toBe(
      404,
    );

    const res = await fetch(`${stack.base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    // The template, never the id: the label set stays bounded.
    expect(
      metric(text, 'http_request_duration_seconds_count', '{method="GET",route="/api/v1/cases/:id",status="200"}'),
    ).toBe(1);
    expect(
      metric(text, 'http_request_duration_seconds_count', '{method="GET",route="/api/v1/cases/:id",status="404"}'),
    ).toBe(1);
    expect(
      metric(text, 'http_request_duration_seconds_count', '{method="POST",route="/api/v1/cases",status="201"}'),
    ).toBe(1);
    expect(text).not.toContain(id);
    expect(metric(text, 'linkage_database_up')).toBe(1);
    expect(metric(text, 'linkage_open_cases')).toBe(1);
    // eeb.task-force is open and not yet due.
    expect(metric(text, 'linkage_open_clocks', '{level="none"}')).toBeGreaterThanOrEqual(1);
    expect(metric(text, 'linkage_overdue_clocks')).toBe(0);
    expect(metric(text, 'linkage_outbox_pending')).toBeGreaterThanOrEqual(0);
    expect(text).toContain('linkage_api_process_resident_memory_bytes');
  });

  it('answers /metrics only over loopback without a token, and only with METRICS_TOKEN when one is set', async () => {
    // Behind a reverse proxy every request comes from loopback: a forwarded request is not local.
    const proxied = await fetch(`${stack.base}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(proxied.status).toBe(403);
    expect(((await proxied.json()) as { error: { message: string } }).error.message).toContain('无权读取监控指标');

    const lines: string[] = [];
    const api = await stack.listenApi(
      { METRICS_TOKEN: 'metrics-token-0123456789', LOG_LEVEL: 'info' },
      { logger: createLogger('api', 'info', (l) => lines.push(l)) },
    );
    const base = api.base;
    try {
      expect((await fetch(`${base}/metrics`)).status).toBe(403);
      expect(
        (await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status,
      ).toBe(403);
      expect(
        (await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } })).status,
      ).toBe(200);

      // One JSON line per request: request id (ours when given), method, route template, status, duration, user.
      const r = await fetch(`${base}/api/v1/cases?page=1`, {
        headers: { authorization: `Bearer ${eeb}`, 'x-request-id': 'req-observability-1' },
      });
      expect(r.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const entry = entries.find((e) => e.requestId === 'req-observability-1');
      expect(entry).toMatchObject({
        level: 'info',
        component: 'api',
        msg: '请求',
        method: 'GET',
        route: '/api/v1/cases',
        status: 200,
        agency: 'eeb',
      });
      expect(typeof entry!.durationMs).toBe('number');
      expect(typeof entry!.ts).toBe('string');
      // Query strings never reach the log.
      expect(lines.join('\n')).not.toContain('page=1');
      expect(entries.filter((e) => e.route === '/metrics').map((e) => e.status)).toEqual([403, 403, 200]);
    } finally {
      await api.close();
    }
  });
});
