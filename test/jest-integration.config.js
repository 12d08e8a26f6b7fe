// Integration and e2e tests: real PostgreSQL and PGlite, the Plivo sandbox through the real SDK.
const swc = require('./swc.jest.js');

module.exports = {
  rootDir: '..',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  transform: swc.transform,
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/utils/global-setup.ts',
  globalTeardown: '<rootDir>/test/utils/global-teardown.ts',
  testTimeout: 120000,
};
