#!/usr/bin/env node
// `npm ci` refuses a lock file that lacks an entry for any optional dependency. Platform binaries
// the registry mirror here does not serve (Biome's and unrs-resolver's builds for other systems)
// get no entry from `npm install`, so `npm ci` fails. This adds a bare optional entry for each
// package `npm ci` names as missing; npm skips them at install like any optional it cannot fetch.
// Usage: npm ci 2>&1 | node scripts/fill-lockfile-optionals.js
const fs = require('node:fs');

const missing = [...fs.readFileSync(0, 'utf8').matchAll(/Missing: (\S+?)@\S* from lock file/g)].map(
  (m) => m[1],
);
const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'));
for (const name of missing) {
  const parent = Object.values(lock.packages).find((meta) => meta.optionalDependencies?.[name]);
  if (!parent) {
    console.error(`no package declares ${name} as optional; left alone`);
    continue;
  }
  lock.packages[`node_modules/${name}`] = {
    version: parent.optionalDependencies[name],
    ...(parent.dev ? { dev: true } : {}),
    optional: true,
  };
}
const entries = Object.entries(lock.packages);
lock.packages = Object.fromEntries(
  entries.sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
fs.writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${missing.length} optional entries`);
