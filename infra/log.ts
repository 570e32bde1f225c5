/**
 * Structured logs: one JSON object per line on stdout (`{"ts","level","component","msg",...}`), so a log
 * shipper (journald, Loki, Elasticsearch) can parse every line. Messages a person reads stay in Chinese.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * Under a test runner (NODE_ENV=test, which jest sets) only warnings and errors are written unless LOG_LEVEL is
 * set in the environment: hundreds of test requests would otherwise bury the test output.
 */
export function effectiveLevel(configured: LogLevel, env: NodeJS.ProcessEnv = process.env): LogLevel {
  if (env.NODE_ENV === 'test' && !env.LOG_LEVEL && ORDER[configured] < ORDER.warn) return 'warn';
  return configured;
}

export function createLogger(component: string, level: LogLevel = 'info', write?: (line: string) => void): Logger {
  // A caller-given sink gets exactly the level asked for; stdout gets the test-runner quieting.
  const min = ORDER[write ? level : effectiveLevel(level)];
  const out = write ?? ((line: string) => void process.stdout.write(line));
  const log = (lvl: LogLevel, msg: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[lvl] < min) return;
    let line: string;
    try {
      line = JSON.stringify({ ts: new Date().toISOString(), level: lvl, component, msg, ...fields });
    } catch {
      line = JSON.stringify({ ts: new Date().toISOString(), level: lvl, component, msg });
    }
    out(`${line}\n`);
  };
  return {
    log,
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}
