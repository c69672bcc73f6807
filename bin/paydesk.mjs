#!/usr/bin/env node
// The PayDesk command line. It runs the bundles in out/cli (scripts/build-cli.mjs, built by `npm ci`)
// when every source they were built from is unchanged, and rebuilds them first when one changed.
// PAYDESK_FROM_SOURCE=1 (or `npm run cli:dev`) runs the TypeScript sources through tsx instead.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outputFolder = path.join(repositoryRoot, 'out/cli');

// Commands that finish in a few milliseconds of SQL. For them V8's optimising WebAssembly compiler
// only costs: Node waits for its background compiles of sql.js before it goes on (about 0.4 s on two
// cores). The baseline compiler alone is enough. Long commands (batch, reconcile, demo, verify,
// metrics) keep the optimising one.
const quickCommands = new Set(['balances', 'init', 'account', 'pay']);

/** The build id when out/cli exists and every input in its manifest still has its size and mtime; else null. */
function freshBuildId() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(outputFolder, 'inputs.json'), 'utf8'));
    statSync(path.join(outputFolder, 'main.mjs'));
  } catch {
    return null;
  }
  for (const [input, recorded] of Object.entries(manifest.inputs)) {
    const stats = statSync(path.join(repositoryRoot, input), { throwIfNoEntry: false });
    if (stats === undefined || stats.size !== recorded.size || stats.mtimeMs !== recorded.mtimeMs) return null;
  }
  return manifest.buildId;
}

/**
 * Compiles run-command.cjs with V8's code cache, which saves most of its compile at each start. The
 * cache is written once, after the first command that ran without it; it is named after the build
 * and the compiler mode, since V8 refuses a cache made under other flags.
 */
function loadRunCommand(buildId, mode) {
  const filePath = path.join(outputFolder, 'run-command.cjs');
  const cachePath = path.join(outputFolder, `run-command-${buildId}-${mode}.cache`);
  let cachedData;
  try {
    cachedData = readFileSync(cachePath);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(readFileSync(filePath, 'utf8')), { filename: filePath, cachedData });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(filePath), module, filePath, outputFolder);
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once('beforeExit', () => {
      try {
        const temporary = `${cachePath}.${process.pid}.tmp`;
        writeFileSync(temporary, script.createCachedData());
        renameSync(temporary, cachePath);
      } catch {
        // A read-only install runs without the cache.
      }
    });
  }
  return module.exports;
}

async function runFromSource(argv) {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../electron/cli/main.ts');
  return main(argv);
}

async function run(argv) {
  if (process.env.PAYDESK_FROM_SOURCE === '1') return runFromSource(argv);
  let buildId = freshBuildId();
  if (buildId === null) {
    try {
      const { buildCli } = await import('../scripts/build-cli.mjs');
      await buildCli();
      buildId = freshBuildId();
    } catch (error) {
      // esbuild is a devDependency; without it the sources still run, only slower.
      process.stderr.write(`paydesk: could not build the command line (${error.message}); running the sources through tsx\n`);
      return runFromSource(argv);
    }
  }
  const quick = quickCommands.has(argv[0]);
  if (quick) v8.setFlagsFromString('--liftoff-only');
  const { main } = await import(pathToFileURL(path.join(outputFolder, 'main.mjs')).href);
  return main(argv, async () => loadRunCommand(buildId, quick ? 'baseline' : 'optimizing'));
}

// A reader that stops early (`paydesk balances | head`) closes the pipe. The command still finishes
// what it started (a payment or a batch is not cut short by its reader going away); what it would
// have printed after that goes nowhere, instead of crashing the process on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    stream.write = (_chunk, encoding, callback) => {
      (typeof encoding === 'function' ? encoding : callback)?.();
      return true;
    };
  });
}

process.exitCode = await run(process.argv.slice(2));
