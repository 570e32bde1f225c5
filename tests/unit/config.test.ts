import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../config';

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

  it('accepts a valid deadline policy override', () => {
    expect(loadConfig({ DEADLINE_POLICY_OVERRIDES: '{"eeb.task-force":{"limit":2}}' }).deadlinePolicyOverrides).toMatchObject({ 'eeb.task-force': { limit: 2 } });
  });

  it('documents every variable in .env.example', () => {
    const example = fs.readFileSync(path.join(__dirname, '..', '..', '.env.example'), 'utf8');
    for (const v of CONFIG_VARIABLES) expect(example).toMatch(new RegExp(`^#?\\s*${v}=`, 'm'));
  });
});
