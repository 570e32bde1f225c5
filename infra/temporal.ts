import fs from 'node:fs';
import path from 'node:path';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import { CASE_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import {
  findBinary,
  isDownloadFailure,
  missingMessage,
  TEMPORAL_CLI,
  TEMPORAL_TEST_SERVER,
  TemporalBinaryError,
  type BinarySpec,
} from './temporal-binaries';

/** Starting the Temporal servers of the embedded default and the tests; finding them: infra/temporal-binaries.ts. */

export interface ExecutableChoice {
  executable: EphemeralServerExecutable;
  /** Human-readable origin, for start-up messages. */
  source: string;
}

function choose(spec: BinarySpec, explicitPath: string | undefined): ExecutableChoice {
  const found = findBinary(spec, { ...process.env, [spec.variable]: explicitPath ?? process.env[spec.variable] });
  if (found?.path) return { executable: { type: 'existing-path', path: found.path }, source: found.source };
  return { executable: { type: 'cached-download' }, source: 'SDK 下载（需要互联网）' };
}

export function devServerExecutable(cliPath = process.env.TEMPORAL_CLI_PATH): ExecutableChoice {
  return choose(TEMPORAL_CLI, cliPath);
}

export function testServerExecutable(testServerPath = process.env.TEMPORAL_TEST_SERVER_PATH): ExecutableChoice {
  return choose(TEMPORAL_TEST_SERVER, testServerPath);
}

export interface EmbeddedServerOptions {
  dataDir: string;
  namespace: string;
  port: number;
  uiPort: number;
  /** TEMPORAL_UI=1: serve the Web UI (off by default: headless). */
  ui?: boolean;
  /** The platform's codec endpoint, for the UI to show payloads to users the platform entitles. */
  codecEndpoint?: string;
  cliPath?: string;
  /** Keep state in .data/temporal.sqlite (default) or in memory (tests). */
  persist?: boolean;
}

/** Starts the Temporal CLI dev server with SQLite persistence, our search attributes and (if asked) the Web UI. */
export async function startEmbeddedTemporal(opts: EmbeddedServerOptions) {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const choice = devServerExecutable(opts.cliPath);
  const persist = opts.persist ?? true;
  if (persist) fs.mkdirSync(opts.dataDir, { recursive: true });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: choice.executable,
      namespace: opts.namespace,
      ip: '127.0.0.1',
      port: opts.port,
      // Off unless asked for: the dev server's UI has no sign-in, and anyone reaching its port could act with it.
      ui: Boolean(opts.ui) && opts.uiPort > 0,
      uiPort: opts.ui && opts.uiPort > 0 ? opts.uiPort : undefined,
      extraArgs: opts.ui && opts.codecEndpoint ? ['--ui-codec-endpoint', opts.codecEndpoint] : undefined,
      dbFilename: persist ? path.resolve(opts.dataDir, 'temporal.sqlite') : undefined,
      searchAttributes: CASE_SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'warn' },
    },
  }).catch((err: unknown) => {
    // No binary anywhere and no network: say what to install instead of the SDK's download error.
    if (choice.executable.type === 'cached-download' && isDownloadFailure(err))
      throw new TemporalBinaryError(missingMessage([TEMPORAL_CLI]));
    throw err;
  });
  return { env, source: choice.source, address: env.address };
}
