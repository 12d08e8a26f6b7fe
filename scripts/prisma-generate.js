#!/usr/bin/env node
// Generates the Prisma client (src/generated/prisma) without any engine download:
// the schema uses the JS client engine, and the two /dev/null variables stop the CLI from
// fetching native engines it does not need. `--if-missing` skips work when the client exists.
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
if (process.argv.includes('--if-missing') && existsSync(path.join(root, 'src/generated/prisma/client.ts'))) {
  process.exit(0);
}
execFileSync(process.execPath, [require.resolve('prisma/build/index.js', { paths: [root] }), 'generate'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    DATABASE_URL: process.env.DATABASE_URL || 'postgresql://generate:generate@127.0.0.1:5432/generate',
    PRISMA_QUERY_ENGINE_LIBRARY: '/dev/null',
    PRISMA_SCHEMA_ENGINE_BINARY: '/dev/null',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  },
});
