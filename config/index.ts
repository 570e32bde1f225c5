import { loadClientConfigProfile, toClientOptions } from '@temporalio/envconfig';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import { z } from 'zod';
import { parseDeadlineOverrides } from '../domain/deadlines/rules';
import { dutySchedulesSchema, type DutyScheduleSettings } from '../domain/duties';

/**
 * The one typed configuration of the platform, read from the environment and validated with zod.
 * A bad value stops start-up with a message naming the variable (Chinese first, then English).
 */

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const port = (def: number) => z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(65535).default(def));

const urlWithProtocols = (protocols: string[]) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine(
        (v) => {
          try {
            return protocols.includes(new URL(v).protocol);
          } catch {
            return false;
          }
        },
        `必须是 ${protocols.join(' / ')} 开头的地址`,
      )
      .optional(),
  );

export const configSchema = z.object({
  NODE_ENV: z.preprocess(emptyToUndefined, z.enum(['development', 'production', 'test']).default('development')),
  HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
  PORT: port(3000),
  PUBLIC_URL: urlWithProtocols(['http:', 'https:']),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('.data')),
  DATABASE_URL: urlWithProtocols(['postgres:', 'postgresql:']),
  // The connection follows @temporalio/envconfig: a TOML profile (TEMPORAL_CONFIG_FILE, default
  // ~/.config/temporalio/temporal.toml; TEMPORAL_PROFILE) overridden by these variables.
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: optionalString,
  TEMPORAL_CONFIG_FILE: optionalString,
  TEMPORAL_PROFILE: optionalString,
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS: z.preprocess(emptyToUndefined, z.enum(['true', 'false', '1', '0']).optional()),
  TEMPORAL_TLS_CLIENT_CERT_PATH: optionalString,
  TEMPORAL_TLS_CLIENT_KEY_PATH: optionalString,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  TEMPORAL_TASK_QUEUE: z.preprocess(emptyToUndefined, z.string().default('linkage-cases')),
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_TEST_SERVER_PATH: optionalString,
  TEMPORAL_DEV_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  TEMPORAL_UI_URL: urlWithProtocols(['http:', 'https:']),
  // The embedded dev server's Web UI: off unless TEMPORAL_UI=1 (then read-only).
  TEMPORAL_UI: z.preprocess(emptyToUndefined, z.enum(['1', '0', 'true', 'false']).default('0')),
  // Payload encryption and actor signatures: `id:base64key,…` (first one current) or a file holding it.
  PAYLOAD_KEYS: optionalString,
  PAYLOAD_KEYS_FILE: optionalString,
  ACTOR_KEYS: optionalString,
  ACTOR_KEYS_FILE: optionalString,
  SMTP_URL: urlWithProtocols(['smtp:', 'smtps:']),
  MAIL_FROM: z.preprocess(emptyToUndefined, z.string().default('联动执法协作平台 <noreply@linkage.local>')),
  ADMIN_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16, '至少 16 个字符').optional()),
  ROSTER_FILE: optionalString,
  REPORT_FONT_PATH: optionalString,
  DEADLINE_POLICY_OVERRIDES: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => {
        try {
          return typeof JSON.parse(v) === 'object';
        } catch {
          return false;
        }
      }, '必须是 JSON 对象')
      .optional(),
  ),
  DUTY_SCHEDULES: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => {
        try {
          const parsed: unknown = JSON.parse(v);
          return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
        } catch {
          return false;
        }
      }, '必须是 JSON 对象')
      .optional(),
  ),
  DUTY_SCHEDULES_START_CURRENT: z.preprocess(emptyToUndefined, z.enum(['true', 'false']).default('true')),
  DIGEST_TIME: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^(off|([01]\d|2[0-3]):[0-5]\d)$/, '应为 北京时间 时:分（例如 08:30）或 off')
      .default('08:30'),
  ),
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['debug', 'info', 'warn', 'error']).default('info')),
  RATE_LIMIT_PER_MINUTE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(1_000_000).default(600)),
  REGISTRATION_ANSWER_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(60_000).default(5_000)),
  STUCK_AFTER_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(86_400).default(300)),
  UPDATE_ANSWER_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(120_000).default(10_000)),
  METRICS_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16, '至少 16 个字符').optional()),
  AUDIT_KEY: z.preprocess(emptyToUndefined, z.string().min(32, '至少 32 个字符').optional()),
  TRUST_PROXY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(
        /^[0-9A-Fa-f.:/]+(\s*,\s*[0-9A-Fa-f.:/]+)*$/,
        '应为反向代理的地址或网段，逗号分隔（例如 10.0.0.5,172.18.0.0/16）',
      )
      .optional(),
  ),
  WORKER_MAX_CACHED_WORKFLOWS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(100_000).default(500)),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(2).max(1_000).default(10),
  ),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(1).max(1_000).default(50),
  ),
  DATABASE_POOL_MAX: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(1_000).default(10)),
  WORKER_METRICS_ADDRESS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^(off|[\w.:[\]-]+:\d{1,5})$/, '应为 主机:端口（例如 127.0.0.1:9464）或 off')
      .default('127.0.0.1:9464'),
  ),
});

/** The audit chain's key when AUDIT_KEY is not set (development and tests); production sets its own. */
export const DEV_AUDIT_KEY = 'linkage-development-audit-key-not-secret';

/** Every environment variable the platform reads; `.env.example` documents each. */
export const CONFIG_VARIABLES = Object.keys(configSchema.shape) as (keyof typeof configSchema.shape)[];

export type RawConfig = z.infer<typeof configSchema>;

export interface Config {
  env: RawConfig['NODE_ENV'];
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl?: string;
  temporal: {
    /** Unset: no external server (npm start runs the embedded dev server). */
    address?: string;
    namespace: string;
    /** TLS (true: system CAs), API key and gRPC headers of the external server, from envconfig. */
    tls?: TLSConfig | boolean;
    apiKey?: string;
    metadata?: Record<string, string>;
    taskQueue: string;
    cliPath?: string;
    testServerPath?: string;
    devPort: number;
    uiPort: number;
    uiUrl: string;
    /** TEMPORAL_UI=1: the embedded dev server serves its Web UI (read-only). */
    ui: boolean;
  };
  /** Key rings (infra/keys.ts); unset with the embedded default: generated into the data directory. */
  keys: { payloadKeys?: string; payloadKeysFile?: string; actorKeys?: string; actorKeysFile?: string };
  mail: { smtpUrl?: string; from: string };
  adminToken?: string;
  rosterFile?: string;
  /** The CJK font of PDF reports and chart images (NotoSansCJK-Regular.ttc); unset: the usual fonts-noto-cjk paths. */
  reportFontPath?: string;
  deadlinePolicyOverrides: Record<string, unknown>;
  /** Per-duty schedule settings (DUTY_SCHEDULES), validated. */
  dutySchedules: Record<string, DutyScheduleSettings>;
  /** A schedule created now also runs once at once, so the current period has its workflow. */
  dutySchedulesStartCurrent: boolean;
  /** China time (HH:MM) of the daily warning digest (Schedule notification-digest-daily); undefined: off. */
  digestTime?: string;
  logLevel: RawConfig['LOG_LEVEL'];
  /** Requests per minute per token (authenticated) and per address (twice that, before authentication). */
  rateLimitPerMinute: number;
  /**
   * How long POST /cases waits for the case workflow's first task (case number, first clocks) before it answers
   * 202: the workflow is started (durable) and registers the case as soon as a worker takes it.
   */
  registrationAnswerMs: number;
  /** A step, duty action, release or supervision decision waits this long for its workflow, then 202 or 503. */
  updateAnswerMs: number;
  /** Work failing and retried this long counts as stuck (/metrics, the working group's dashboard). */
  stuckAfterSeconds: number;
  /** Bearer token for GET /metrics; unset → /metrics answers only direct loopback requests. */
  metricsToken?: string;
  /** HMAC key of the audit chain (AUDIT_KEY). */
  auditKey: string;
  auditKeyConfigured: boolean;
  /** Addresses of the reverse proxies whose X-Forwarded-For is believed (TRUST_PROXY); none by default. */
  trustProxy: string[];
  /**
   * Worker tuning. maxCachedWorkflows bounds the sticky cache (each cached case workflow keeps its state and
   * isolate context in memory; the SDK's default grows with the heap limit, ~2,300 on a 4 GiB heap); a workflow
   * not in the cache is replayed from its history on its next task.
   */
  worker: { maxCachedWorkflows: number; maxConcurrentWorkflowTasks: number; maxConcurrentActivities: number };
  /** PostgreSQL connections per process (API or worker). */
  databasePoolMax: number;
  /** Where the worker's Temporal SDK serves its Prometheus metrics (`off`: not at all). */
  workerMetricsAddress?: string;
}

export class ConfigError extends Error {
  constructor(public readonly issues: { variable: string; message: string }[]) {
    super('配置错误 (invalid configuration):\n' + issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

/**
 * The Temporal connection by the ecosystem's convention (@temporalio/envconfig): the TOML profile, then the
 * TEMPORAL_* variables over it. Certificates and keys named by path are read here, so a missing file stops start-up.
 */
function temporalProfile(env: Record<string, string | undefined>) {
  // envconfig takes an empty variable as a value; the rest of the configuration takes it as unset.
  const vars = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== ''),
  );
  let profile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: vars });
  } catch (err) {
    const variable =
      vars.TEMPORAL_PROFILE && /Profile/.test((err as Error).message) ? 'TEMPORAL_PROFILE' : 'TEMPORAL_CONFIG_FILE';
    throw new ConfigError([{ variable, message: `Temporal 连接配置无法读取：${(err as Error).message}` }]);
  }
  try {
    return toClientOptions(profile);
  } catch (err) {
    throw new ConfigError([
      { variable: 'TEMPORAL_TLS_*', message: `Temporal TLS 证书或密钥无法读取：${(err as Error).message}` },
    ]);
  }
}

/** DEADLINE_POLICY_OVERRIDES as a workflow's input carries them: fixed when it starts (planClock reads them). */
export interface PolicyInForce {
  policyOverrides?: Record<string, unknown>;
}

/**
 * The one place a started workflow takes its deadline policy from: case registration, joint releases, the lead of a
 * joint operation (through the update that opens its case), supervision items of the sweep and platform entries.
 */
export function policyInForce(config: Pick<Config, 'deadlinePolicyOverrides'>): PolicyInForce {
  return { policyOverrides: config.deadlinePolicyOverrides };
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message })));
  }
  const c = parsed.data;
  let overrides: Record<string, unknown> = {};
  if (c.DEADLINE_POLICY_OVERRIDES) {
    try {
      overrides = parseDeadlineOverrides(JSON.parse(c.DEADLINE_POLICY_OVERRIDES)) as Record<string, unknown>;
    } catch (err) {
      const detail =
        err instanceof z.ZodError
          ? err.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')
          : (err as Error).message;
      throw new ConfigError([{ variable: 'DEADLINE_POLICY_OVERRIDES', message: `期限政策覆盖无效：${detail}` }]);
    }
  }
  let dutySchedules: Record<string, DutyScheduleSettings> = {};
  if (c.DUTY_SCHEDULES) {
    const r = dutySchedulesSchema.safeParse(JSON.parse(c.DUTY_SCHEDULES));
    if (!r.success) {
      throw new ConfigError([
        {
          variable: 'DUTY_SCHEDULES',
          message: `定期职责设置无效：${r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
        },
      ]);
    }
    dutySchedules = r.data;
  }
  const temporal = temporalProfile(env);
  const publicUrl = c.PUBLIC_URL ?? `http://${c.HOST === '0.0.0.0' ? '127.0.0.1' : c.HOST}:${c.PORT}`;
  return {
    env: c.NODE_ENV,
    host: c.HOST,
    port: c.PORT,
    publicUrl: publicUrl.replace(/\/$/, ''),
    dataDir: c.DATA_DIR,
    databaseUrl: c.DATABASE_URL,
    temporal: {
      address: temporal.connectionOptions.address,
      namespace: temporal.namespace ?? 'default',
      tls: temporal.connectionOptions.tls ?? undefined,
      apiKey: temporal.connectionOptions.apiKey,
      // envconfig's headers come from TOML strings and variables: strings only.
      metadata: temporal.connectionOptions.metadata as Record<string, string> | undefined,
      taskQueue: c.TEMPORAL_TASK_QUEUE,
      cliPath: c.TEMPORAL_CLI_PATH,
      testServerPath: c.TEMPORAL_TEST_SERVER_PATH,
      devPort: c.TEMPORAL_DEV_PORT,
      uiPort: c.TEMPORAL_UI_PORT,
      uiUrl: (c.TEMPORAL_UI_URL ?? `http://127.0.0.1:${c.TEMPORAL_UI_PORT}`).replace(/\/$/, ''),
      ui: c.TEMPORAL_UI === '1' || c.TEMPORAL_UI === 'true',
    },
    keys: {
      payloadKeys: c.PAYLOAD_KEYS,
      payloadKeysFile: c.PAYLOAD_KEYS_FILE,
      actorKeys: c.ACTOR_KEYS,
      actorKeysFile: c.ACTOR_KEYS_FILE,
    },
    mail: { smtpUrl: c.SMTP_URL, from: c.MAIL_FROM },
    adminToken: c.ADMIN_TOKEN,
    rosterFile: c.ROSTER_FILE,
    reportFontPath: c.REPORT_FONT_PATH,
    deadlinePolicyOverrides: overrides,
    dutySchedules,
    dutySchedulesStartCurrent: c.DUTY_SCHEDULES_START_CURRENT === 'true',
    digestTime: c.DIGEST_TIME === 'off' ? undefined : c.DIGEST_TIME,
    logLevel: c.LOG_LEVEL,
    rateLimitPerMinute: c.RATE_LIMIT_PER_MINUTE,
    registrationAnswerMs: c.REGISTRATION_ANSWER_MS,
    updateAnswerMs: c.UPDATE_ANSWER_MS,
    stuckAfterSeconds: c.STUCK_AFTER_SECONDS,
    metricsToken: c.METRICS_TOKEN,
    // Unset outside production: a fixed development key (the chain is still checked, but anyone could recompute it).
    auditKey: c.AUDIT_KEY ?? DEV_AUDIT_KEY,
    auditKeyConfigured: c.AUDIT_KEY !== undefined,
    trustProxy: c.TRUST_PROXY ? c.TRUST_PROXY.split(',').map((x) => x.trim()) : [],
    worker: {
      maxCachedWorkflows: c.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentWorkflowTasks: c.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxConcurrentActivities: c.WORKER_MAX_CONCURRENT_ACTIVITIES,
    },
    databasePoolMax: c.DATABASE_POOL_MAX,
    workerMetricsAddress: c.WORKER_METRICS_ADDRESS === 'off' ? undefined : c.WORKER_METRICS_ADDRESS,
  };
}
