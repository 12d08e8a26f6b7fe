// Unit tests: beside the logic, no database, no network beyond loopback.
const swc = require('./test/swc.jest.js');

module.exports = {
  rootDir: '.',
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.spec.ts'],
  transform: swc.transform,
  testEnvironment: 'node',
  clearMocks: true,
};
