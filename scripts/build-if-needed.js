#!/usr/bin/env node
// `npm start` on a fresh clone: build once (nest build) when dist/ is missing or older than the sources,
// and the web console (vite build web) when web/dist/ is missing or older than web/'s sources.
const { execFileSync } = require('node:child_process');
const { existsSync, statSync, readdirSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'dist', 'src', 'main.js');

/** @param {string} dir @param {(name: string) => boolean} [isSource] @returns {number} */
function newestMtime(dir, isSource = (name) => name.endsWith('.ts')) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'generated' && entry.name !== 'dist') {newest = Math.max(newest, newestMtime(full, isSource));}
    } else if (isSource(entry.name)) {
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

const web = path.join(root, 'web');
const webMarker = path.join(web, 'dist', 'index.html');
const webStale =
  existsSync(web) &&
  (!existsSync(webMarker) || newestMtime(web, (name) => /\.(tsx?|css|html|mjs)$/.test(name)) > statSync(webMarker).mtimeMs);
if (webStale) {
  // vite's package exports do not include its bin, hence the path.
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) {
    // An install without devDependencies: the service runs, the console is not served until built.
    console.log('Web console not built: vite is not installed (npm install includes it; --omit=dev does not)');
  } else {
    console.log('Building the web console (vite build web)...');
    execFileSync(process.execPath, [vite, 'build', 'web', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  }
}
