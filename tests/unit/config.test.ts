import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../config';
import { temporalOptions } from '../../infra/temporal-connection';

describe('configuration', () => {
  it('uses embedded defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.temporal.address).toBeUndefined();
    expect(c.temporal.uiPort).toBe(8233);
    expect(c.publicUrl).toBe('http://127.0.0.1:3000');
    expect(c.mail.smtpUrl).toBeUndefined();
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', TEMPORAL_ADDRESS: ' ' }).databaseUrl).toBeUndefined();
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['SMTP_URL', 'http://mail'],
    ['ADMIN_TOKEN', 'short'],
    ['DEADLINE_POLICY_OVERRIDES', '{not json'],
    ['DEADLINE_POLICY_OVERRIDES', '{"no.such-rule":{"limit":2}}'],
    ['LOG_LEVEL', 'loud'],
    ['AUDIT_KEY', 'too-short'],
    ['TRUST_PROXY', 'loopback; rm -rf'],
  ])('rejects a bad %s and names the variable', (variable, value) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.variable)).toContain(variable);
    expect((error as Error).message).toContain(variable);
    expect((error as Error).message).toContain('配置错误');
  });

  it('reads the audit key and the trusted proxies; without them a development key and no proxy', () => {
    expect(loadConfig({ AUDIT_KEY: 'k'.repeat(32), TRUST_PROXY: '10.0.0.5, 172.18.0.0/16' })).toMatchObject({
      auditKey: 'k'.repeat(32),
      auditKeyConfigured: true,
      trustProxy: ['10.0.0.5', '172.18.0.0/16'],
    });
    expect(loadConfig({})).toMatchObject({ auditKeyConfigured: false, trustProxy: [] });
  });

  it('accepts a valid deadline policy override', () => {
    expect(
      loadConfig({ DEADLINE_POLICY_OVERRIDES: '{"eeb.task-force":{"limit":2}}' }).deadlinePolicyOverrides,
    ).toMatchObject({ 'eeb.task-force': { limit: 2 } });
  });

  it('Temporal Cloud by API key: TLS on, the key sent, the profile namespace unless TEMPORAL_NAMESPACE', () => {
    const c = loadConfig({
      TEMPORAL_ADDRESS: 'linkage.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'linkage.a1b2c',
      TEMPORAL_API_KEY: 'key-0123456789',
    });
    expect(temporalOptions(c)).toEqual({
      connection: {
        address: 'linkage.a1b2c.tmprl.cloud:7233',
        tls: true,
        apiKey: 'key-0123456789',
        metadata: undefined,
      },
      namespace: 'linkage.a1b2c',
    });
    // The embedded dev server gets none of the external server's credentials.
    expect(temporalOptions(c, '127.0.0.1:7233').connection).toEqual({ address: '127.0.0.1:7233' });
  });

  it('a missing TLS file or an unknown profile stops start-up naming the variable', () => {
    expect(() =>
      loadConfig({ TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/nonexistent/ca.pem' }),
    ).toThrow(/TEMPORAL_TLS/);
    const toml = path.join(os.tmpdir(), `linkage-config-${process.pid}.toml`);
    fs.writeFileSync(toml, '[profile.default]\naddress = "a:7233"\n');
    try {
      expect(loadConfig({ TEMPORAL_CONFIG_FILE: toml }).temporal.address).toBe('a:7233');
      expect(() => loadConfig({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'nope' })).toThrow(/TEMPORAL_PROFILE/);
    } finally {
      fs.rmSync(toml);
    }
  });

  it('documents every variable in .env.example', () => {
    const example = fs.readFileSync(path.join(__dirname, '..', '..', '.env.example'), 'utf8');
    for (const v of CONFIG_VARIABLES) expect(example).toMatch(new RegExp(`^#?\\s*${v}=`, 'm'));
  });
});
