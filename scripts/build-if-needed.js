#!/usr/bin/env node
// `npm start` on a fresh clone: build once (nest build) when dist/ is missing or older than the sources.
const { execFileSync } = require('node:child_process');
const { existsSync, statSync, readdirSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'dist', 'src', 'main.js');

/** @param {string} dir @returns {number} */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'generated') {newest = Math.max(newest, newestMtime(full));}
    } else if (entry.name.endsWith('.ts')) {
      newest = Math.max(newest, statSync(full).mtimeMs);
    }
  }
  return newest;
}

const sources = [path.join(root, 'src'), path.join(root, 'bench')].filter(existsSync);
const stale = !existsSync(marker) || sources.some((dir) => newestMtime(dir) > statSync(marker).mtimeMs);
if (stale) {
  console.log('Building (nest build)...');
  execFileSync(process.execPath, [require.resolve('./prisma-generate.js'), '--if-missing'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js', { paths: [root] }), 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
}
