#!/usr/bin/env node
// CI's dependency check (docs/security.md, "Dependencies"). Reports what it can where it runs:
//  1. `npm audit` of the production dependencies, when the registry's audit endpoint answers;
//     high or critical advisories fail the check, except in the packages below, which are accepted.
//  2. Always, offline: the installed versions of the accepted packages, and proof that they are
//     never loaded: the Plivo client is created the way the service creates it, and
//     the check fails if any of them is in Node's module cache afterwards.
const { execFileSync, spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

// Installed only because plivo 4.79 (the latest) still lists `request`; its client sends every
// call through axios and never requires them. Accepted while that stays true (checked below).
const ACCEPTED_UNLOADED = [
  'request',
  'tough-cookie',
  'har-validator',
  'http-signature',
  'request/node_modules/form-data',
];

let failed = false;

function auditOnline() {
  const result = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  /** @type {{ vulnerabilities?: Record<string, { name: string; severity: string }>; error?: { summary?: string } } | undefined} */
  let report;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    report = undefined;
  }
  if (!report || !report.vulnerabilities) {
    const stderrReason = (result.stderr || '')
      .split('\n')
      .find((line) => /audit/i.test(line) && !/complete log/.test(line));
    const reason = (report && report.error && report.error.summary) || stderrReason;
    console.log(
      `npm audit: the audit endpoint could not be used here (${reason || 'no answer'}); offline checks only.`,
    );
    return;
  }
  const entries = Object.values(report.vulnerabilities);
  console.log(`npm audit: ${entries.length} vulnerable package(s) among the production dependencies.`);
  for (const entry of entries) {
    const accepted = ACCEPTED_UNLOADED.includes(entry.name);
    const blocking = !accepted && (entry.severity === 'high' || entry.severity === 'critical');
    console.log(
      `  ${blocking ? 'FAIL' : 'note'} ${entry.name} (${entry.severity})${accepted ? ' - accepted, never loaded' : ''}`,
    );
    failed ||= blocking;
  }
}

function acceptedPackagesInstalled() {
  /** @type {{ packages: Record<string, { version?: string }> }} */
  const lock = require(path.join(root, 'package-lock.json'));
  const installed = ACCEPTED_UNLOADED.map((name) => lock.packages[`node_modules/${name}`])
    .map((entry, index) => (entry ? `${ACCEPTED_UNLOADED[index]}@${entry.version}` : undefined))
    .filter(Boolean);
  console.log(`lockfile: accepted, installed but unused: ${installed.join(', ') || 'none'}`);
}

function acceptedPackagesNeverLoaded() {
  const script = `
    const plivo = require('plivo');
    const client = new plivo.Client('MAXXXXXXXXXXXXXXXXXX', 'token', { timeout: 1000 });
    void client.messages;
    process.stdout.write(JSON.stringify(Object.keys(require.cache)));
  `;
  /** @type {string[]} */
  const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' }));
  const offending = ACCEPTED_UNLOADED.filter((name) =>
    loaded.some((file) => file.includes(`${path.sep}node_modules${path.sep}${name}${path.sep}`)),
  );
  if (offending.length > 0) {
    console.log(
      `FAIL: the Plivo client now loads ${offending.join(', ')}: the accepted exposure changed (docs/security.md).`,
    );
    failed = true;
  } else {
    console.log(`runtime: the Plivo client loads none of ${ACCEPTED_UNLOADED.join(', ')}.`);
  }
}

auditOnline();
acceptedPackagesInstalled();
acceptedPackagesNeverLoaded();
process.exit(failed ? 1 : 0);
