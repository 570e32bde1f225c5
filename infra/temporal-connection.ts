import { Client, Connection, isGrpcServiceError, type ClientOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import type { Config } from '../config';
import { CASE_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { actorClaimInterceptor, actorKeyRing } from './actor-claims';
import { dataConverterFor, payloadKeyRing } from './data-converter';

/**
 * The one place where the Temporal connection of every process is built: the worker, the API, `npm start`, the
 * setup command, the bench and the scripts. The settings come from config (envconfig's TOML profile and TEMPORAL_*
 * variables), so a secured cluster (TLS, mTLS, API key) needs no code of its own.
 */

export const SETUP_COMMAND = 'npm run temporal:setup';

/** Options accepted alike by the client's Connection and the worker's NativeConnection. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
  metadata?: Record<string, string>;
}

export interface TemporalOptions {
  connection: TemporalConnectionOptions;
  namespace: string;
}

/**
 * Connection options and namespace of clients and workers. `address` is the embedded dev server's when npm start
 * runs one (plain, no credentials); otherwise the configured server's.
 */
export function temporalOptions(config: Config, address?: string): TemporalOptions {
  const embedded = address !== undefined && address !== config.temporal.address;
  const target = address ?? config.temporal.address;
  if (!target) {
    throw new Error(
      '独立运行需要设置 TEMPORAL_ADDRESS 或 Temporal 配置文件（npm start 会启动内置 Temporal） (TEMPORAL_ADDRESS or a temporal.toml profile is required)',
    );
  }
  const t = config.temporal;
  return {
    connection: embedded
      ? { address: target }
      : { address: target, tls: t.tls, apiKey: t.apiKey, metadata: t.metadata },
    namespace: t.namespace,
  };
}

/** One line for start-up messages: where and how the process connects (never the key itself). */
export function describeConnection(options: TemporalOptions): string {
  const c = options.connection;
  const security = [
    c.tls ? (typeof c.tls === 'object' && c.tls.clientCertPair ? 'mTLS' : 'TLS') : undefined,
    c.apiKey ? 'API 密钥' : undefined,
  ].filter(Boolean);
  return `${c.address}，命名空间 ${options.namespace}${security.length ? `（${security.join('，')}）` : ''}`;
}

/** The embedded dev server's address given by npm start (not the configured one): keys may be generated then. */
const isEmbedded = (config: Config, address?: string) => address !== undefined && address !== config.temporal.address;

/**
 * The data converter of every client and worker: payloads encrypted with the payload key ring (infra/data-converter).
 * With an external server PAYLOAD_KEYS (or its file) is required; the embedded default generates its key.
 */
export function platformDataConverter(config: Config, address?: string): DataConverter {
  return dataConverterFor(payloadKeyRing(config, isEmbedded(config, address) || !config.temporal.address));
}

/** Client options besides the connection: the encrypting converter and the signing of actors (infra/actor-claims). */
export function platformClientOptions(
  config: Config,
  address?: string,
): Pick<ClientOptions, 'dataConverter' | 'interceptors'> {
  return {
    dataConverter: platformDataConverter(config, address),
    interceptors: {
      workflow: [actorClaimInterceptor(actorKeyRing(config, isEmbedded(config, address) || !config.temporal.address))],
    },
  };
}

export async function connectClient(
  config: Config,
  address?: string,
): Promise<{ client: Client; connection: Connection }> {
  const options = temporalOptions(config, address);
  const extra = platformClientOptions(config, address);
  const connection = await Connection.connect(options.connection);
  return { client: new Client({ connection, namespace: options.namespace, ...extra }), connection };
}

const IVT = temporal.api.enums.v1.IndexedValueType;
const GRPC_NOT_FOUND = 5;

/** The custom search attributes the workflows set, with the server's type of each (from workflows/search-attributes). */
export const REQUIRED_SEARCH_ATTRIBUTES = CASE_SEARCH_ATTRIBUTES.map((key) => ({
  name: key.name,
  type: key.type,
  indexedValueType: IVT[`INDEXED_VALUE_TYPE_${key.type}` as keyof typeof IVT] as temporal.api.enums.v1.IndexedValueType,
  /** The CLI's spelling (`temporal operator search-attribute create --type`, `start-dev --search-attribute`). */
  cliType: key.type
    .split('_')
    .map((w) => w[0] + w.slice(1).toLowerCase())
    .join(''),
}));

export class TemporalNotPreparedError extends Error {
  constructor(
    public readonly problems: string[],
    namespace: string,
  ) {
    super(
      `Temporal 命名空间 ${namespace} 尚未准备好：\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        `请先运行 ${SETUP_COMMAND}（使用相同的 TEMPORAL_* 设置）注册命名空间与自定义搜索属性。 ` +
        `(Temporal namespace ${namespace} is not prepared: run ${SETUP_COMMAND})`,
    );
    this.name = 'TemporalNotPreparedError';
  }
}

async function namespaceExists(connection: Connection, namespace: string): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch (err) {
    if (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND) return false;
    throw err;
  }
}

async function customAttributes(
  connection: Connection,
  namespace: string,
): Promise<Record<string, temporal.api.enums.v1.IndexedValueType>> {
  const res = await connection.operatorService.listSearchAttributes({ namespace });
  return (res.customAttributes ?? {}) as Record<string, temporal.api.enums.v1.IndexedValueType>;
}

const typeName = (t: temporal.api.enums.v1.IndexedValueType) =>
  (IVT[t] ?? String(t)).replace('INDEXED_VALUE_TYPE_', '');

/** What is missing or wrong on the namespace: nothing when every search attribute exists with its type. */
export async function namespaceProblems(connection: Connection, namespace: string): Promise<string[]> {
  if (!(await namespaceExists(connection, namespace))) return [`命名空间 ${namespace} 不存在`];
  const existing = await customAttributes(connection, namespace);
  return REQUIRED_SEARCH_ATTRIBUTES.flatMap((a) => {
    const found = existing[a.name];
    if (found === undefined) return [`缺少自定义搜索属性 ${a.name}（${a.cliType}）`];
    if (found !== a.indexedValueType) return [`搜索属性 ${a.name} 的类型为 ${typeName(found)}，应为 ${a.type}`];
    return [];
  });
}

/**
 * The start-up check of an external server: the namespace and each search attribute with its type. A missing one
 * would otherwise surface only as workflow tasks failing for ever (BadSearchAttributes) behind a 500.
 */
export async function assertNamespacePrepared(connection: Connection, namespace: string): Promise<void> {
  const problems = await namespaceProblems(connection, namespace);
  if (problems.length) throw new TemporalNotPreparedError(problems, namespace);
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`等待超时：${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * `npm run temporal:setup`: creates the namespace where the server allows it and registers each missing search
 * attribute; idempotent (a second run changes nothing). Returns one line per thing done or found.
 */
export async function prepareNamespace(
  connection: Connection,
  namespace: string,
  retentionDays = 30,
): Promise<string[]> {
  const done: string[] = [];
  if (await namespaceExists(connection, namespace)) {
    done.push(`命名空间 ${namespace} 已存在`);
  } else {
    try {
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`),
      });
    } catch (err) {
      throw new Error(
        `无法创建命名空间 ${namespace}（${(err as Error).message}）；在 Temporal Cloud 等托管服务上请在其控制台或 tcld 中创建`,
      );
    }
    // A new namespace reaches every service of the server after its cache refresh (about 10 s on the dev server).
    await until(
      `命名空间 ${namespace} 生效`,
      async () =>
        (await namespaceExists(connection, namespace)) && Boolean(await customAttributes(connection, namespace)),
    );
    done.push(`已创建命名空间 ${namespace}（保留 ${retentionDays} 天）`);
  }
  const existing = await customAttributes(connection, namespace);
  const missing = REQUIRED_SEARCH_ATTRIBUTES.filter((a) => existing[a.name] === undefined);
  for (const a of REQUIRED_SEARCH_ATTRIBUTES) {
    const found = existing[a.name];
    if (found === undefined) continue;
    if (found !== a.indexedValueType) {
      throw new Error(
        `搜索属性 ${a.name} 已存在但类型为 ${typeName(found)}，应为 ${a.type}；类型不能修改，请换用新的命名空间`,
      );
    }
    done.push(`搜索属性 ${a.name}（${a.cliType}）已存在`);
  }
  if (missing.length) {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((a) => [a.name, a.indexedValueType])),
    });
    // Registration is asynchronous on some servers: wait until the namespace answers with every attribute.
    await until('搜索属性生效', async () => (await namespaceProblems(connection, namespace)).length === 0);
    for (const a of missing) done.push(`已注册搜索属性 ${a.name}（${a.cliType}）`);
  }
  return done;
}
