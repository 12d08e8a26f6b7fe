#!/usr/bin/env node
// Usage: npm run db:migration:new -- <name>
// Writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL that takes the committed
// migrations to prisma/schema.prisma. The shadow database is a throw-away in-memory PGlite, so
// this needs no server and no engine download.
const { execFileSync } = require('node:child_process');
const { mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const name = (process.argv[2] || '').replace(/[^a-z0-9_]/gi, '_');
if (!name) {
  console.error('usage: npm run db:migration:new -- <name>');
  process.exit(2);
}
const root = path.resolve(__dirname, '..');
const sql = execFileSync(
  process.execPath,
  [
    require.resolve('prisma/build/index.js', { paths: [root] }),
    'migrate',
    'diff',
    '--from-migrations',
    'prisma/migrations',
    '--to-schema-datamodel',
    'prisma/schema.prisma',
    '--script',
  ],
  {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      PRISMA_SHADOW: 'pglite',
      DATABASE_URL: process.env.DATABASE_URL || 'postgresql://postgres:postgres@127.0.0.1:5432/postgres',
      PRISMA_QUERY_ENGINE_LIBRARY: '/dev/null',
      PRISMA_SCHEMA_ENGINE_BINARY: '/dev/null',
    },
  },
);
if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
  console.log('The schema matches the migrations: nothing to write.');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = path.join(root, 'prisma', 'migrations', `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'migration.sql'), sql);
console.log(`Wrote ${path.relative(root, dir)}/migration.sql`);
