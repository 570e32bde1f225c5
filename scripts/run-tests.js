#!/usr/bin/env node
// `npm test`: runs jest twice and sums the results.
//
//   1. the whole suite (or the patterns given) with TZ=Asia/Shanghai, the platform's time zone;
//   2. tests/unit/deadlines again with TZ=UTC (if that folder holds tests and the patterns given
//      select it): deadline arithmetic must not depend on the machine's time zone.
//
// First the machine is checked (scripts/test-preflight.ts: Temporal binaries, Debian packages, PostgreSQL).
// Jest's own output is streamed as usual; its JSON results go to test-results/jest-<tz>.json and
// the sum to test-results/summary.json. The last line printed is exactly `N passed, N failed`
// (failed counts failing tests plus test suites that failed to run); the exit code is non-zero
// if anything failed or no test ran. Extra arguments are passed to jest:
//
//   npm test -- tests/unit/compose        node scripts/run-tests.js -t 'overdue' tests/workflow
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const resultsDir = path.join(root, 'test-results');
const deadlinesDir = 'tests/unit/deadlines';

// Jest options that take their value as the next argument (so that value is not a path pattern).
const VALUE_OPTIONS = new Set([
  '-c',
  '--config',
  '-t',
  '--testNamePattern',
  '-w',
  '--maxWorkers',
  '--maxConcurrency',
  '--testTimeout',
  '--shard',
  '--seed',
  '--reporters',
  '--selectProjects',
  '--ignoreProjects',
  '--testPathPattern',
  '--testPathPatterns',
  '--testPathIgnorePatterns',
  '--coverageDirectory',
  '--coverageProvider',
  '--rootDir',
  '--roots',
  '--testEnvironment',
  '--testMatch',
  '--testRegex',
  '--testRunner',
  '--testSequencer',
  '--outputFile',
  '--json',
]);

function splitArgs(args) {
  const options = [];
  const patterns = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith('-')) {
      if (arg === '--json' || arg.startsWith('--outputFile')) {
        if (arg === '--outputFile') i++;
        continue; // this runner owns the JSON output
      }
      options.push(arg);
      if (VALUE_OPTIONS.has(arg) && i + 1 < args.length) options.push(args[++i]);
    } else {
      patterns.push(arg);
    }
  }
  return { options, patterns };
}

function hasTests(dir) {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return false;
  const walk = (d) =>
    fs
      .readdirSync(d, { withFileTypes: true })
      .some((entry) => (entry.isDirectory() ? walk(path.join(d, entry.name)) : /\.test\.[cm]?[jt]s$/.test(entry.name)));
  return walk(full);
}

/** Would jest, given these path patterns, run the tests in tests/unit/deadlines? */
function selectsDeadlines(patterns) {
  if (patterns.length === 0) return true;
  const probe = path.join(root, deadlinesDir, 'probe.test.ts');
  return patterns.some((pattern) => {
    if (deadlinesDir.startsWith(pattern.replace(/\/+$/, ''))) return true;
    try {
      return new RegExp(pattern, 'i').test(probe);
    } catch {
      return false;
    }
  });
}

function nodeOptions() {
  const current = process.env.NODE_OPTIONS || '';
  const wanted = ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning'];
  return [current, ...wanted.filter((flag) => !current.split(/\s+/).includes(flag))].filter(Boolean).join(' ');
}

function jestBin() {
  const bin = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'jest.cmd' : 'jest');
  if (fs.existsSync(bin)) return bin;
  throw new Error(`jest not found at ${bin}: run npm install first`);
}

function runJest(label, tz, args) {
  fs.mkdirSync(resultsDir, { recursive: true });
  const outputFile = path.join(resultsDir, `jest-${tz.replace(/\//g, '_')}.json`);
  fs.rmSync(outputFile, { force: true });

  process.stderr.write(`\n=== jest: ${label} (TZ=${tz}) ===\n`);
  const started = Date.now();
  const child = spawnSync(jestBin(), [...args, '--json', `--outputFile=${outputFile}`], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TZ: tz, NODE_OPTIONS: nodeOptions() },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);

  const run = { label, tz, outputFile, exitCode: child.status, signal: child.signal, seconds };
  let json;
  try {
    json = JSON.parse(fs.readFileSync(outputFile, 'utf8'));
  } catch {
    json = undefined;
  }
  if (!json) {
    process.stderr.write(
      `jest (${label}) wrote no results (exit ${child.status ?? child.signal}); counted as 1 failure\n`,
    );
    return { ...run, passed: 0, failed: 1, pending: 0, total: 0 };
  }
  const passed = json.numPassedTests || 0;
  let failed = (json.numFailedTests || 0) + (json.numRuntimeErrorTestSuites || 0);
  if (child.status !== 0 && failed === 0) {
    // e.g. a crashed worker, an open-handle timeout, a coverage threshold: not a pass.
    process.stderr.write(
      `jest (${label}) exited with ${child.status ?? child.signal} without a failing test; counted as 1 failure\n`,
    );
    failed = 1;
  }
  process.stderr.write(
    `jest (${label}, TZ=${tz}): ${passed} passed, ${failed} failed, ${json.numPendingTests || 0} skipped in ${seconds}s\n`,
  );
  return { ...run, passed, failed, pending: json.numPendingTests || 0, total: json.numTotalTests || 0 };
}

/** What the tests need from the machine (scripts/test-preflight.ts); a miss ends the run at once, as a failure. */
function preflight() {
  require('tsx/cjs');
  try {
    Object.assign(process.env, require('./test-preflight.ts').preflight());
    return true;
  } catch (error) {
    process.stderr.write(`\n${error && error.message ? error.message : error}\n\n`);
    return false;
  }
}

function main() {
  if (!preflight()) {
    process.exitCode = 1;
    process.stdout.write('0 passed, 1 failed\n');
    return;
  }
  const { options, patterns } = splitArgs(process.argv.slice(2));
  const runs = [];
  runs.push(runJest(patterns.length ? patterns.join(' ') : 'all tests', 'Asia/Shanghai', [...options, ...patterns]));
  if (hasTests(deadlinesDir) && selectsDeadlines(patterns)) {
    runs.push(runJest(deadlinesDir, 'UTC', [...options, deadlinesDir]));
  }

  const passed = runs.reduce((sum, run) => sum + run.passed, 0);
  const failed = runs.reduce((sum, run) => sum + run.failed, 0);
  fs.writeFileSync(
    path.join(resultsDir, 'summary.json'),
    JSON.stringify({ passed, failed, runs, finishedAt: new Date().toISOString() }, null, 2) + '\n',
  );
  if (passed + failed === 0) process.stderr.write('no test ran\n');
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exitCode = 1;
  process.stdout.write('0 passed, 1 failed\n');
}
