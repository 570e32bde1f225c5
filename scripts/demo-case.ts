import 'dotenv/config';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';

/**
 * Runs one criminal case from lead to judgment through the HTTP API of a running platform (npm start), the way
 * the agencies' coordinators would, and prints the case's timeline as the API returns it:
 *   npm run demo:case [-- --api http://127.0.0.1:3000]
 * It creates (once) one user per role it needs with the administrator's token.
 */
type Json = Record<string, unknown>;

async function main() {
  const config = loadConfig();
  const i = process.argv.indexOf('--api');
  const api = `${(i >= 0 ? process.argv[i + 1] : config.publicUrl).replace(/\/$/, '')}/api/v1`;
  const tokenFile = path.resolve(config.dataDir, 'admin-token');
  const admin = config.adminToken ?? fs.readFileSync(tokenFile, 'utf8').trim();
  const suffix = Date.now().toString(36);

  const call = async (token: string, method: string, p: string, body?: unknown, key?: string): Promise<Json> => {
    const res = await fetch(`${api}${p}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const out = (await res.json()) as Json;
    if (!res.ok) throw new Error(`${method} ${p} → ${res.status} ${JSON.stringify(out)}`);
    return out;
  };
  const user = async (username: string, displayName: string, agency: string, role: string) =>
    (
      await call(admin, 'POST', '/users', {
        username: `${username}-${suffix}`,
        displayName,
        agency,
        role,
        email: `${username}@example.gov.cn`,
      })
    ).token as string;

  const eeb = await user('eeb-officer', '张明（生态环境局执法队）', 'eeb', 'officer');
  const eebHead = await user('eeb-head', '局长（生态环境局）', 'eeb', 'head');
  const psb = await user('psb-officer', '李强（公安局环保大队）', 'psb', 'officer');
  const spp = await user('spp-officer', '王茜（检察院第一检察部）', 'spp', 'officer');

  const created = await call(
    eeb,
    'POST',
    '/cases',
    { title: '某化工公司非法倾倒危险废物案', track: 'criminal', summary: '执法检查发现厂区外倾倒废酸约20吨' },
    `demo-${suffix}`,
  );
  const id = (created.case as Json).id as string;
  console.log(`案件 ${(created.case as Json).caseNumber} 已登记（${id}）`);
  const steps: [string, string, Json][] = [
    [eeb, 'formTaskForce', { members: ['张明', '赵亮'] }],
    [eeb, 'submitTransferReport', { documentNumber: '长环报〔2026〕11号' }],
    [eebHead, 'approveTransfer', { documentNumber: '长环批〔2026〕11号' }],
    [eeb, 'deliverTransfer', { documentNumber: '长环移〔2026〕11号', copiedToSpp: true, psbUnit: '长治市公安局' }],
    [psb, 'acknowledgeReceipt', { documentNumber: '长公回〔2026〕11号' }],
    [psb, 'fileCase', { documentNumber: '长公立〔2026〕11号' }],
    [psb, 'notifyFiling', { documentNumber: '长公立通〔2026〕11号', copiedToSpp: true }],
    [eeb, 'handOverEvidence', { documentNumber: '长环交〔2026〕11号' }],
    [psb, 'detainSuspect', { documentNumber: '长公拘〔2026〕11号' }],
    [psb, 'requestArrest', { documentNumber: '长公提捕〔2026〕11号' }],
    [spp, 'approveArrest', { documentNumber: '长检批捕〔2026〕11号' }],
    [psb, 'executeArrest', { documentNumber: '长公捕〔2026〕11号' }],
    [psb, 'transferForProsecution', { documentNumber: '长公诉意〔2026〕11号' }],
    [spp, 'prosecute', { documentNumber: '长检诉〔2026〕11号', court: '长治市中级人民法院' }],
    [
      spp,
      'recordJudgment',
      { documentNumber: '（2026）晋04刑初11号', court: '长治市中级人民法院', outcome: 'convicted' },
    ],
  ];
  for (const [token, step, body] of steps) {
    const view = await call(token, 'POST', `/cases/${id}/steps/${step}`, body, `${step}-${suffix}`);
    const clocks = (view.openClocks as Json[]).map((c) => `${c.ruleId} 期满 ${c.dueDate}`).join('；') || '无未结期限';
    console.log(`  ${step} → ${view.stageLabelZh}（${clocks}）`);
  }
  const history = await call(eeb, 'GET', `/cases/${id}/history`);
  console.log(`\n时间线（GET /api/v1/cases/${id}/history）：`);
  for (const e of history.timeline as Json[]) console.log(`  ${e.atChina}  ${e.textZh}`);
  console.log(`\nTemporal 界面：${history.temporalUiUrl}`);
}

main().catch((err: Error) => {
  console.error(`演示失败：${err.message}`);
  process.exitCode = 1;
});
