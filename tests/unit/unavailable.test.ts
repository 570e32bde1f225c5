import { DrizzleQueryError } from 'drizzle-orm/errors';
import { isUnavailable } from '../../api/errors';
import { effectiveLevel } from '../../infra/log';

describe('connection failures map to 503 (api/errors isUnavailable)', () => {
  it('finds a refused or terminated connection through drizzle and AggregateError wrappers', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(isUnavailable(new DrizzleQueryError('select 1', [], refused))).toBe(true);
    expect(isUnavailable(new DrizzleQueryError('select 1', [], new AggregateError([refused], '')))).toBe(true);
    expect(
      isUnavailable(
        new DrizzleQueryError(
          'select 1',
          [],
          Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
        ),
      ),
    ).toBe(true);
    expect(isUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isUnavailable(new Error('the database system is starting up'))).toBe(true);
  });

  it('leaves real errors alone (a constraint violation stays a 500, not a retry hint)', () => {
    expect(
      isUnavailable(
        new DrizzleQueryError('insert', [], Object.assign(new Error('duplicate key value'), { code: '23505' })),
      ),
    ).toBe(false);
    expect(isUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isUnavailable(undefined)).toBe(false);
  });
});

describe('log level under a test runner', () => {
  it('keeps stdout quiet under NODE_ENV=test unless LOG_LEVEL is set', () => {
    expect(effectiveLevel('info', { NODE_ENV: 'test' })).toBe('warn');
    expect(effectiveLevel('info', { NODE_ENV: 'test', LOG_LEVEL: 'info' })).toBe('info');
    expect(effectiveLevel('info', { NODE_ENV: 'production' })).toBe('info');
    expect(effectiveLevel('error', { NODE_ENV: 'test' })).toBe('error');
  });
});
