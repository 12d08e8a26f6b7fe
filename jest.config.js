// Unit tests: beside the logic, no database, no network beyond loopback.
const swc = require('./test/swc.jest.js');

// Deadlines stretch with TEST_TIME_FACTOR (default 3), as the integration tests' do: Jest's own 5 s was
// exceeded by a test that starts and warms up two validation threads, on a busy machine.
const timeFactor = Number(process.env.TEST_TIME_FACTOR || 3);

module.exports = {
  rootDir: '.',
  // The console's plain modules (no DOM) are tested here too.
  roots: ['<rootDir>/src', '<rootDir>/web/src'],
  testMatch: ['**/*.spec.ts'],
  transform: swc.transform,
  testEnvironment: 'node',
  clearMocks: true,
  testTimeout: 5000 * timeFactor,
};
