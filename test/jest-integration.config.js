// Integration and e2e tests: real PostgreSQL and PGlite, the Plivo sandbox through the real SDK.
const swc = require('./swc.jest.js');

// Deadlines stretch with TEST_TIME_FACTOR (default 3; see test/utils/time-factor.ts).
const timeFactor = Number(process.env.TEST_TIME_FACTOR || 3);

module.exports = {
  rootDir: '..',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  transform: swc.transform,
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/utils/global-setup.ts',
  globalTeardown: '<rootDir>/test/utils/global-teardown.ts',
  setupFilesAfterEnv: [
    '<rootDir>/test/utils/async-local-storage-reset.ts',
    '<rootDir>/test/utils/postgres-per-file.ts',
    '<rootDir>/test/utils/leak-check.ts',
  ],
  testSequencer: '<rootDir>/test/utils/longest-first-sequencer.js',
  testTimeout: 120000 * timeFactor,
};
