/**
 * An external Temporal as a new cluster is (`temporal server start-dev` without the platform's search attributes):
 * the worker and the API refuse to start naming what is missing and the setup command; `npm run temporal:setup`
 * registers every attribute with its type (and a namespace that does not exist yet), idempotently; afterwards the
 * start-up check passes.
 */
import os from 'node:os';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { loadConfig } from '../../config';
import { namespaceProblems, REQUIRED_SEARCH_ATTRIBUTES } from '../../infra/temporal-connection';
import { devServer, runEntry, type DevServer } from '../helpers/processes';
import { TEST_KEYS_ENV } from '../helpers/keys';

jest.setTimeout(180_000);

describe('npm run temporal:setup and the start-up check against an unprepared external server', () => {
  let server: DevServer;
  let connection: Connection;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await devServer({ searchAttributes: false });
    connection = await Connection.connect({ address: server.address });
    // The check comes before the database is opened: none is needed to be refused.
    env = {
      TEMPORAL_ADDRESS: server.address,
      DATA_DIR: os.tmpdir(),
      TEMPORAL_TASK_QUEUE: 'setup-test',
      ...TEST_KEYS_ENV,
    };
  });
  afterAll(async () => {
    await connection?.close();
    await server?.close();
  });

  test('worker and API connected to an external server refuse to start without the payload and actor keys', async () => {
    const { PAYLOAD_KEYS: _p, ACTOR_KEYS: _a, ...noKeys } = env;
    for (const entry of ['worker.ts', 'api/server.ts']) {
      const r = await runEntry(entry, noKeys);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('PAYLOAD_KEYS');
    }
  });

  test('worker and API exit non-zero naming each missing attribute and the setup command', async () => {
    for (const entry of ['worker.ts', 'api/server.ts']) {
      const r = await runEntry(entry, env);
      expect({ entry, code: r.code }).toEqual({ entry, code: 1 });
      for (const a of REQUIRED_SEARCH_ATTRIBUTES)
        expect(r.stderr).toContain(`缺少自定义搜索属性 ${a.name}（${a.cliType}）`);
      expect(r.stderr).toContain('npm run temporal:setup');
      expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    }
  });

  test('setup registers every attribute with its type, then changes nothing on a second run', async () => {
    const first = await runEntry('scripts/temporal-setup.ts', env);
    expect(first.code).toBe(0);
    for (const a of REQUIRED_SEARCH_ATTRIBUTES)
      expect(first.stdout).toContain(`已注册搜索属性 ${a.name}（${a.cliType}）`);
    const listed = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    for (const a of REQUIRED_SEARCH_ATTRIBUTES)
      expect({ [a.name]: listed.customAttributes?.[a.name] }).toEqual({ [a.name]: a.indexedValueType });
    expect(await namespaceProblems(connection, 'default')).toEqual([]);

    const second = await runEntry('scripts/temporal-setup.ts', env);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain('已注册');
    for (const a of REQUIRED_SEARCH_ATTRIBUTES)
      expect(second.stdout).toContain(`搜索属性 ${a.name}（${a.cliType}）已存在`);
  });

  test('a namespace that does not exist: refused at start-up, then created by setup', async () => {
    const nsEnv = { ...env, TEMPORAL_NAMESPACE: 'linkage-new' };
    const refused = await runEntry('api/server.ts', nsEnv);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('命名空间 linkage-new 不存在');
    const setup = await runEntry('scripts/temporal-setup.ts', nsEnv);
    expect(setup.code).toBe(0);
    expect(setup.stdout).toContain('已创建命名空间 linkage-new');
    expect(await namespaceProblems(connection, 'linkage-new')).toEqual([]);
  });

  test('an attribute registered with another type is named with both types; setup refuses to change it', async () => {
    await connection.workflowService.registerNamespace({
      namespace: 'linkage-wrong',
      workflowExecutionRetentionPeriod: { seconds: 86_400 } as never,
    });
    const IVT = temporal.api.enums.v1.IndexedValueType;
    const config = loadConfig({ ...env, TEMPORAL_NAMESPACE: 'linkage-wrong' });
    // A new namespace answers everywhere after the server's cache refresh.
    for (let i = 0; i < 60; i++) {
      try {
        await connection.operatorService.addSearchAttributes({
          namespace: config.temporal.namespace,
          searchAttributes: { CaseStage: IVT.INDEXED_VALUE_TYPE_TEXT },
        });
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const problems = await namespaceProblems(connection, 'linkage-wrong');
    expect(problems).toContain('搜索属性 CaseStage 的类型为 TEXT，应为 KEYWORD');
    const setup = await runEntry('scripts/temporal-setup.ts', { ...env, TEMPORAL_NAMESPACE: 'linkage-wrong' });
    expect(setup.code).toBe(1);
    expect(setup.stderr).toContain('搜索属性 CaseStage 已存在但类型为 TEXT，应为 KEYWORD');
  });
});
