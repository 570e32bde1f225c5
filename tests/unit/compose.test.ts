/**
 * No Docker engine runs on the development machines, so docker-compose.yml is checked by
 * parsing it: every service the platform needs is present and wired through environment
 * variables, Temporal persists to PostgreSQL, start-up order follows depends_on, and the
 * variables given to the app are ones the app reads (config/index.ts) and .env.example documents.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../config';

const root = path.resolve(__dirname, '..', '..');

type Env = Record<string, string>;
interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string; required?: boolean }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  ports?: unknown[];
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), {
  maxAliasCount: -1,
}) as Compose;
const services = compose.services;
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

/** Compose variable interpolation with nothing set in the environment: the defaults apply. */
function interpolate(value: string, env: Env = {}): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, name?: string, op?: string, arg?: string, bare?: string) => {
      if (match === '$$') return '$';
      if (bare) return env[bare] ?? '';
      const set = name! in env;
      const current = env[name!];
      switch (op) {
        case ':-':
          return current ? current : (arg ?? '');
        case '-':
          return set ? current : (arg ?? '');
        case ':?':
        case '?':
          if (op === ':?' ? !current : !set) throw new Error(`docker-compose.yml requires ${name}: ${arg}`);
          return current;
        case ':+':
          return current ? (arg ?? '') : '';
        case '+':
          return set ? (arg ?? '') : '';
        default:
          return current ?? '';
      }
    },
  );
}

function environmentOf(name: string): Env {
  const raw = services[name]?.environment ?? {};
  const entries: [string, string][] = Array.isArray(raw)
    ? raw.map((item) => {
        const at = item.indexOf('=');
        return at < 0 ? [item, ''] : [item.slice(0, at), item.slice(at + 1)];
      })
    : Object.entries(raw).map(([key, value]) => [key, value == null ? '' : String(value)]);
  return Object.fromEntries(entries.map(([key, value]) => [key, interpolate(value)]));
}

function dependsOn(name: string): Record<string, string> {
  const raw = services[name]?.depends_on ?? [];
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((dep) => [dep, 'service_started']));
  return Object.fromEntries(Object.entries(raw).map(([dep, spec]) => [dep, spec?.condition ?? 'service_started']));
}

const words = (value: string | string[] | undefined): string =>
  Array.isArray(value) ? value.join(' ') : (value ?? '');

const mailCatcher = Object.keys(services).find((name) =>
  /mailpit|mailhog|smtp4dev|maildev/i.test(`${name} ${services[name].image ?? ''}`),
);
const appServices = ['api', 'worker'];

describe('docker-compose.yml', () => {
  test('has every service the platform needs', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'api', 'worker']) {
      expect(Object.keys(services)).toContain(name);
    }
    expect(mailCatcher).toBeDefined();
    expect(services.postgresql.image).toMatch(/^postgres:/);
    expect(services.temporal.image).toMatch(/^temporalio\/(auto-setup|server)/);
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui/);
  });

  test('PostgreSQL keeps its data in a named volume', () => {
    const volumes = (services.postgresql.volumes ?? []).map((v) =>
      typeof v === 'string' ? v : `${v.source}:${v.target}`,
    );
    const data = volumes.find((v) => v.split(':')[1] === '/var/lib/postgresql/data');
    expect(data).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(data!.split(':')[0]);
  });

  test('Temporal persists to the PostgreSQL service', () => {
    const env = environmentOf('temporal');
    expect(env.DB).toMatch(/^postgres/);
    expect(env.POSTGRES_SEEDS).toBe('postgresql');
    expect(env.DB_PORT ?? '5432').toBe('5432');
    // Same credentials as the PostgreSQL service creates.
    const pg = environmentOf('postgresql');
    expect(env.POSTGRES_USER).toBe(pg.POSTGRES_USER);
    expect(env.POSTGRES_PWD).toBe(pg.POSTGRES_PASSWORD);
    expect(dependsOn('temporal').postgresql).toBe('service_healthy');
  });

  test('publishes only the API: Temporal, its UI and the mail catcher stay on the internal network', () => {
    const published = Object.entries(services)
      .filter(([, svc]) => (svc.ports ?? []).length > 0)
      .map(([name]) => name);
    expect(published).toEqual(['api']);
    const ui = environmentOf('temporal-ui');
    expect(ui.TEMPORAL_DISABLE_WRITE_ACTIONS).toBe('true');
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toMatch(/\/api\/v1\/codec$/);
  });

  test('api and worker get the payload and actor keys', () => {
    for (const name of appServices)
      expect(Object.keys(environmentOf(name))).toEqual(expect.arrayContaining(['PAYLOAD_KEYS', 'ACTOR_KEYS']));
  });

  test('the Temporal UI talks to the temporal service', () => {
    expect(environmentOf('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(Object.keys(dependsOn('temporal-ui'))).toContain('temporal');
  });

  test.each(appServices)('%s is wired to PostgreSQL, Temporal and the mail catcher', (name) => {
    const env = environmentOf(name);
    const pg = environmentOf('postgresql');

    const db = new URL(env.DATABASE_URL);
    expect(db.protocol).toMatch(/^postgres(ql)?:$/);
    expect(db.hostname).toBe('postgresql');
    expect(db.port || '5432').toBe('5432');
    expect(decodeURIComponent(db.username)).toBe(pg.POSTGRES_USER);
    expect(decodeURIComponent(db.password)).toBe(pg.POSTGRES_PASSWORD);
    expect(db.pathname.slice(1)).toBe(pg.POSTGRES_DB);

    const [temporalHost, temporalPort] = env.TEMPORAL_ADDRESS.split(':');
    expect(temporalHost).toBe('temporal');
    expect(temporalPort).toBe('7233');
    expect(env.TEMPORAL_NAMESPACE).toBeTruthy();

    const smtp = new URL(env.SMTP_URL);
    expect(smtp.protocol).toMatch(/^smtps?:$/);
    expect(smtp.hostname).toBe(mailCatcher);
    expect(smtp.port).toBe('1025');

    for (const key of ['MAIL_FROM', 'PUBLIC_URL', 'PORT']) expect(env[key]).toBeTruthy();
    expect(Object.keys(env)).toContain('ADMIN_TOKEN');
    // The audit chain's key and the reverse proxies believed for X-Forwarded-For are the operator's to set.
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['AUDIT_KEY', 'TRUST_PROXY']));
    // Inside a container the API must listen on every interface, not the loopback default.
    expect(env.HOST).toBe('0.0.0.0');
  });

  test('api and worker run the same image with their npm scripts', () => {
    expect(services.api.build).toBeDefined();
    expect(services.worker.build ?? services.worker.image).toEqual(services.api.build ?? services.api.image);
    expect(words(services.api.command)).toBe('npm run api');
    expect(words(services.worker.command)).toBe('npm run worker');
    expect(packageJson.scripts.api).toBeDefined();
    expect(packageJson.scripts.worker).toBeDefined();
    const ports = (services.api.ports ?? []).map(String);
    const apiPort = environmentOf('api').PORT;
    expect(ports.some((p) => interpolate(p).endsWith(`:${apiPort}`))).toBe(true);
  });

  test('start-up order: api and worker wait for healthy PostgreSQL and Temporal', () => {
    for (const name of appServices) {
      const deps = dependsOn(name);
      expect(deps.postgresql).toBe('service_healthy');
      expect(deps.temporal).toBe('service_healthy');
      expect(Object.keys(deps)).toContain(mailCatcher);
    }
  });

  test('every depends_on target exists and its condition can be met', () => {
    for (const name of Object.keys(services)) {
      for (const [dep, condition] of Object.entries(dependsOn(name))) {
        expect(Object.keys(services)).toContain(dep);
        if (condition === 'service_healthy') {
          const check = services[dep].healthcheck;
          expect({ dep, healthcheck: Boolean(check?.test) && !check?.disable }).toEqual({ dep, healthcheck: true });
        }
        if (condition === 'service_completed_successfully') {
          // A one-shot step must not be restarted forever.
          expect(['no', undefined]).toContain((services[dep] as { restart?: string }).restart);
        }
      }
    }
  });

  test("the namespace is prepared by the platform's own setup command before api and worker start", () => {
    // The attributes and their types come from workflows/search-attributes.ts through `npm run temporal:setup`
    // (tests/e2e/temporal-setup.test.ts runs it against a real server).
    const setup = Object.keys(services).find((name) => words(services[name].command) === 'npm run temporal:setup');
    expect(setup).toBeDefined();
    expect(packageJson.scripts['temporal:setup']).toBeDefined();
    expect(services[setup!].image ?? services[setup!].build).toEqual(services.api.image ?? services.api.build);
    expect(environmentOf(setup!)).toEqual(environmentOf('api'));
    expect(dependsOn(setup!).temporal).toBe('service_healthy');
    for (const name of appServices) expect(dependsOn(name)[setup!]).toBe('service_completed_successfully');
  });

  test.each(appServices)('%s sets only variables the app reads, with values its config accepts', (name) => {
    const env = environmentOf(name);
    const unknown = Object.keys(env).filter((key) => !(CONFIG_VARIABLES as string[]).includes(key));
    expect(unknown).toEqual([]);
    expect(() => loadConfig(env)).not.toThrow();
  });

  const envExample = path.join(root, '.env.example');
  test('.env.example documents every variable the app reads and every variable compose sets', () => {
    const text = readFileSync(envExample, 'utf8');
    const documented = new Set([...text.matchAll(/^\s*#?\s*([A-Z][A-Z0-9_]*)\s*=/gm)].map((match) => match[1]));
    const wanted = new Set<string>([
      ...(CONFIG_VARIABLES as string[]),
      ...appServices.flatMap((name) => Object.keys(environmentOf(name))),
    ]);
    expect([...wanted].filter((key) => !documented.has(key)).sort()).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

  test('Node 20 on Debian bookworm, CJK fonts, locked install, non-root, API by default', () => {
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim\b/m);
    expect(dockerfile).toMatch(/apt-get install[^\n]*fonts-noto-cjk/);
    expect(dockerfile).toMatch(/\bnpm ci\b/);
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((match) => match[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)$/);
    expect(dockerfile).toMatch(/^CMD \["npm", "run", "api"\]/m);
  });

  test('.dockerignore keeps local state and dependencies out of the image', () => {
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['node_modules', '.data', '.git', '.env']) expect(ignored).toContain(entry);
  });
});
