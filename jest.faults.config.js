/**
 * `npm run test:faults`: the slow fault tests of tests/faults (worker killed repeatedly over hundreds of cases,
 * Temporal dev server restarted on its SQLite file, PostgreSQL down for 30 s). They need TEST_DATABASE_URL.
 * @type {import('jest').Config}
 */
const base = require('./jest.config');
module.exports = {
  ...base,
  testPathIgnorePatterns: ['/node_modules/'],
  testMatch: ['**/tests/faults/**/*.test.ts'],
  testTimeout: 1800000,
  maxWorkers: 1,
};
