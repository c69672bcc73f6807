#!/usr/bin/env node
// The PayDesk command line. It runs the bundle in out/cli (scripts/build-cli.mjs, built by `npm ci`)
// when every source it was built from is unchanged, and rebuilds it first when one changed.
// PAYDESK_FROM_SOURCE=1 (or `npm run cli:dev`) runs the TypeScript sources through tsx instead.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundleEntry = path.join(repositoryRoot, 'out/cli/main.mjs');
const inputsManifest = path.join(repositoryRoot, 'out/cli/inputs.json');

// Commands that finish in a few milliseconds of SQL. For them V8's optimising WebAssembly compiler
// only costs: Node waits for its background compiles of sql.js before it lets the process go on or
// exit (about 0.4 s on two cores). The baseline compiler alone is enough. Long commands (batch,
// reconcile, demo, verify, metrics) keep the optimising one.
const quickCommands = new Set(['balances', 'init', 'account', 'pay']);

/** True when the bundle exists and every input listed in its manifest still has its size and mtime. */
function bundleIsFresh() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(inputsManifest, 'utf8'));
    statSync(bundleEntry);
  } catch {
    return false;
  }
  for (const [input, recorded] of Object.entries(manifest.inputs)) {
    let stats;
    try {
      stats = statSync(path.join(repositoryRoot, input));
    } catch {
      return false;
    }
    if (stats.size !== recorded.size || stats.mtimeMs !== recorded.mtimeMs) return false;
  }
  return true;
}

async function loadMain() {
  if (process.env.PAYDESK_FROM_SOURCE === '1') return loadFromSource();
  if (!bundleIsFresh()) {
    try {
      const { buildCli } = await import('../scripts/build-cli.mjs');
      await buildCli();
    } catch (error) {
      // esbuild is a devDependency; without it the sources still run, only slower.
      process.stderr.write(`paydesk: could not build the command line (${error.message}); running the sources through tsx\n`);
      return loadFromSource();
    }
  }
  return import(pathToFileURL(bundleEntry).href);
}

async function loadFromSource() {
  const { register } = await import('tsx/esm/api');
  register();
  return import('../electron/cli/main.ts');
}

if (quickCommands.has(process.argv[2])) v8.setFlagsFromString('--liftoff-only');
const { main } = await loadMain();
process.exitCode = await main(process.argv.slice(2));
