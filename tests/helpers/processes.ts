import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { devServerExecutable } from '../../infra/temporal';
import { REQUIRED_SEARCH_ATTRIBUTES } from '../../infra/temporal-connection';
import { workflowBundle } from './temporal';
import { TEST_KEYS_ENV } from './keys';
import { waitFor } from './wait';

/**
 * Real processes for the fault tests: a Temporal dev server on a SQLite file, a worker process, a private
 * PostgreSQL cluster. Each can be killed and started again on the same state.
 */

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

/** `temporal server start-dev` on a SQLite file and a fixed port, so a restart finds the same state. */
export interface DevServer {
  address: string;
  dbFile: string;
  start(): Promise<void>;
  /** SIGKILL (a crash) or SIGTERM (an orderly stop). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  close(): Promise<void>;
}

/** searchAttributes false: a server as a new cluster is, without the platform's search attributes. */
export async function devServer(opts: { searchAttributes?: boolean; port?: number } = {}): Promise<DevServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-temporal-'));
  const dbFile = path.join(dir, 'temporal.sqlite');
  const port = opts.port ?? (await freePort());
  const exe = devServerExecutable().executable;
  const bin = exe.type === 'existing-path' ? exe.path : 'temporal';
  let child: ChildProcess | undefined;
  const s: DevServer = {
    address: `127.0.0.1:${port}`,
    dbFile,
    async start() {
      const args = [
        'server',
        'start-dev',
        '--db-filename',
        dbFile,
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--headless',
        '--log-level',
        'error',
        ...(opts.searchAttributes === false
          ? []
          : REQUIRED_SEARCH_ATTRIBUTES.flatMap((a) => ['--search-attribute', `${a.name}=${a.cliType}`])),
      ];
      child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'inherit'] });
      await waitFor('Temporal 开发服务器启动', () => portOpen(port), 60_000);
    },
    async stop(signal = 'SIGKILL') {
      if (!child) return;
      const c = child;
      child = undefined;
      c.kill(signal);
      await exited(c);
    },
    async close() {
      await s.stop('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await s.start();
  return s;
}

/** The worker as a separate OS process (tests/helpers/worker-child.ts), started from a prebuilt bundle. */
export interface WorkerProcess {
  start(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  readonly pid: number | undefined;
  readonly starts: number;
}

const bundleFiles = new Map<string | undefined, string>();
async function bundlePath(workflowsPath?: string): Promise<string> {
  let bundleFile = bundleFiles.get(workflowsPath);
  if (!bundleFile) {
    // Named by its content: runs of the same code share one file instead of each leaving a directory in /tmp
    // (written under a temporary name and renamed, so a concurrent run never reads half a file).
    const code = (await workflowBundle(workflowsPath)).code;
    const file = path.join(
      os.tmpdir(),
      `faults-bundle-${crypto.createHash('sha256').update(code).digest('hex').slice(0, 16)}.js`,
    );
    if (!fs.existsSync(file)) {
      const partial = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(partial, code);
      fs.renameSync(partial, file);
    }
    bundleFile = file;
    bundleFiles.set(workflowsPath, file);
  }
  return bundleFile;
}

/** workflowsPath: another workflow entry than workflows/index.ts (the bench's). */
export async function workerProcess(given: Record<string, string>, workflowsPath?: string): Promise<WorkerProcess> {
  // The tests' clients encrypt and sign with the test keys: so does the worker process.
  const env = { ...TEST_KEYS_ENV, ...given };
  const codePath = await bundlePath(workflowsPath);
  let child: ChildProcess | undefined;
  let starts = 0;
  return {
    get pid() {
      return child?.pid;
    },
    get starts() {
      return starts;
    },
    async start() {
      const c = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'worker-child.ts')], {
        cwd: path.join(__dirname, '..', '..'),
        env: { ...process.env, NODE_OPTIONS: '', WORKER_METRICS_ADDRESS: 'off', WORKFLOW_BUNDLE: codePath, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      child = c;
      starts++;
      // The child prints "ready" once it polls.
      await new Promise<void>((resolve, reject) => {
        let out = '';
        c.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('worker-ready')) resolve();
        });
        c.once('exit', (code, signal) => reject(new Error(`worker 进程启动失败（退出 ${code ?? signal}）`)));
      });
    },
    async kill(signal = 'SIGKILL') {
      if (!child) return;
      const c = child;
      child = undefined;
      c.kill(signal);
      await exited(c);
    },
  };
}

/** A PostgreSQL cluster of our own (initdb in a temp dir, a free port) that the test can stop and start. */
export interface PrivatePostgres {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export async function privatePostgres(): Promise<PrivatePostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-pg-'));
  const data = path.join(dir, 'data');
  const port = await freePort();
  // initdb refuses to run as root: run the cluster as the postgres user where we are root.
  const asRoot = process.getuid?.() === 0;
  const run = (bin: string, args: string[]) => {
    const cmd = path.join(PG_BIN, bin);
    return asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' })
      : execFileSync(cmd, args, { stdio: 'pipe' });
  };
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const pg: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      run('pg_ctl', [
        '-D',
        data,
        '-l',
        path.join(dir, 'log'),
        '-w',
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
        'start',
      ]);
    },
    async stop() {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    },
    async close() {
      try {
        await pg.stop();
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await pg.start();
  return pg;
}

/** Runs one of the platform's entry points (TypeScript through tsx) to its end; its exit code and output. */
export function runEntry(
  file: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const root = path.join(__dirname, '..', '..');
    const c = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(root, file)], {
      cwd: root,
      // Only what the test gives: no TEMPORAL_* or DATABASE_URL of the caller's shell leaks in.
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), NODE_OPTIONS: '', WORKER_METRICS_ADDRESS: 'off', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    c.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      c.kill('SIGKILL');
      reject(new Error(`${file} 超时未结束：${stdout}${stderr}`));
    }, timeoutMs);
    c.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** One of the platform's npm scripts as its own process group (npm and the node it starts), as deployed. */
export interface NpmProcess {
  readonly pid: number;
  /** Milliseconds from spawn to the ready line. */
  readonly readyMs: number;
  output(): string;
  /** To the whole group: SIGKILL is a crash of the process, not of npm alone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function npmScript(
  script: string,
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 180_000,
): Promise<NpmProcess> {
  const t0 = Date.now();
  const c = spawn('npm', ['run', '--silent', script], {
    cwd: path.join(__dirname, '..', '..'),
    env: { ...process.env, NODE_OPTIONS: '', WORKER_METRICS_ADDRESS: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm run ${script} 未在 ${timeoutMs / 1000} 秒内就绪：\n${out}`)),
      timeoutMs,
    );
    const onData = () => {
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    c.stdout!.on('data', onData);
    c.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`npm run ${script} 退出（${code ?? signal}）：\n${out}`));
    });
  });
  const readyMs = Date.now() - t0;
  return {
    pid: c.pid!,
    readyMs,
    output: () => out,
    async kill(signal = 'SIGTERM') {
      if (c.exitCode !== null || c.signalCode !== null) return;
      const done = exited(c);
      try {
        process.kill(-c.pid!, signal);
      } catch {
        // already gone
      }
      await done;
    },
  };
}
