import { sql } from 'drizzle-orm';
import { startStack, type Stack } from '../helpers/stack';

/**
 * The reports API over HTTP with a real worker: request (idempotent per Idempotency-Key), progress until done,
 * download with the Chinese file name, refusals in Chinese.
 */
describe('reports API', () => {
  let stack: Stack;
  let token: string;
  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_PER_MINUTE: '100000' });
    token = await stack.userToken({ agency: 'psb', role: 'officer' });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${stack.base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('requests a report once per Idempotency-Key, follows it to done and downloads each format with its Chinese name', async () => {
    const body = { kind: 'statistics', period: '2026-Q3', formats: ['xlsx', 'csv'] };
    const first = await call('POST', '/reports', body, { 'idempotency-key': 'k-1' });
    expect(first.status).toBe(202);
    const r = (await first.json()) as { id: string; titleZh: string; status: string };
    expect(r.titleZh).toBe('2026年第三季度统计报表');
    const again = (await (await call('POST', '/reports', body, { 'idempotency-key': 'k-1' })).json()) as { id: string };
    expect(again.id).toBe(r.id);
    const rows = (await stack.db.handle.db.execute(
      sql`select count(*)::int as n from reports where title_zh = '2026年第三季度统计报表'`,
    )) as unknown as { rows: { n: number }[] };
    expect(rows.rows[0].n).toBe(1);

    let view: { status: string; progress: number; files: { format: string; href: string; size: number }[] } = {
      status: '',
      progress: 0,
      files: [],
    };
    for (let i = 0; i < 120 && view.status !== 'done'; i++) {
      view = (await (await call('GET', `/reports/${r.id}`)).json()) as typeof view;
      if (view.status === 'failed') throw new Error(JSON.stringify(view));
      if (view.status !== 'done') await new Promise((res) => setTimeout(res, 500));
    }
    expect(view).toMatchObject({ status: 'done', progress: 100 });
    expect(view.files.map((f) => f.format)).toEqual(['xlsx', 'csv']);

    const xlsx = await call('GET', `/reports/${r.id}/xlsx`);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
    expect(xlsx.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent('2026年第三季度统计报表.xlsx')}`,
    );
    const bytes = Buffer.from(await xlsx.arrayBuffer());
    expect(bytes.length).toBe(view.files[0].size);
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    const csv = Buffer.from(await (await call('GET', `/reports/${r.id}/csv`)).arrayBuffer());
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.toString('utf8')).toContain('【各机关指标】');

    const pdf = await call('GET', `/reports/${r.id}/pdf`);
    expect(pdf.status).toBe(404);
    expect(((await pdf.json()) as { error: { message: string } }).error.message).toBe('该报表没有此格式的文件');
    const list = (await (await call('GET', '/reports?kind=statistics')).json()) as { items: { id: string }[] };
    expect(list.items.map((i) => i.id)).toContain(r.id);
  }, 120_000);

  it('refuses a malformed or future period in Chinese', async () => {
    const bad = await call('POST', '/reports', { kind: 'statistics', period: '2026-13' });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('统计期间格式错误');
    const future = await call('POST', '/reports', { kind: 'briefing', period: `${new Date().getUTCFullYear() + 2}` });
    expect(future.status).toBe(422);
    expect(((await future.json()) as { error: { message: string } }).error.message).toBe('统计期间尚未开始');
  });
});
