#!/usr/bin/env node
// Builds the command line into out/cli (gitignored), so `paydesk` starts without compiling TypeScript.
// `npm ci` runs it (the `prepare` script); bin/paydesk.mjs runs it again when a source changed.
//
// Two bundles, by esbuild:
// - main.mjs: electron/cli/main.ts, the usage text and the argument check. `--help` loads only this.
// - run-command.cjs: electron/cli/run-command.ts with the engine and everything it imports. CommonJS,
//   so that bin/paydesk.mjs can compile it through vm.Script with a V8 code cache (Node 20 has no
//   code cache for ES modules); sql.js stays outside and is required from node_modules, where it
//   finds its .wasm.
// inputs.json lists every source file with its size and mtime (a start-up check costs one stat
// each) and a build id, the hash of run-command.cjs, which names its code caches.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outputFolder = path.join(repositoryRoot, 'out/cli');
const inputsManifest = path.join(outputFolder, 'inputs.json');

const shared = {
  absWorkingDir: repositoryRoot,
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: true,
  metafile: true,
  write: false,
  logLevel: 'warning',
  // electron/core/storage/sqlite.ts reads import.meta only where __filename is missing (an ES module); the bundle has __filename.
  logOverride: { 'empty-import-meta': 'silent' },
};

/** In main.mjs the default loader of run-command stays an import of the CommonJS bundle; bin/paydesk.mjs passes its own. */
const runCommandOutside = {
  name: 'run-command outside main.mjs',
  setup(build) {
    build.onResolve({ filter: /^\.\/run-command$/ }, () => ({ path: './run-command.cjs', external: true }));
  },
};

/** Bundles the CLI into out/cli and writes the inputs manifest last, so a manifest always describes a complete build. */
export async function buildCli() {
  const { build } = await import('esbuild');
  const [entry, engine] = await Promise.all([
    build({ ...shared, entryPoints: ['electron/cli/main.ts'], format: 'esm', outfile: path.join(outputFolder, 'main.mjs'), plugins: [runCommandOutside] }),
    build({
      ...shared, entryPoints: ['electron/cli/run-command.ts'], format: 'cjs', outfile: path.join(outputFolder, 'run-command.cjs'), external: ['sql.js', 'pg'],
      // import() becomes require(): vm.Script, which compiles this bundle, has no loader for dynamic imports.
      supported: { 'dynamic-import': false },
    }),
  ]);
  mkdirSync(outputFolder, { recursive: true });
  // Each file is written beside its place and renamed into it: two builds at once (parallel tests
  // finding the bundle stale together) write the same bytes, and a reader never sees half a file.
  for (const file of [...entry.outputFiles, ...engine.outputFiles]) writeAtomically(file.path, file.contents);
  const buildId = createHash('sha256').update(engine.outputFiles[0].contents).digest('hex').slice(0, 16);
  const inputs = {};
  for (const input of new Set([...Object.keys(entry.metafile.inputs), ...Object.keys(engine.metafile.inputs)])) {
    const stats = statSync(path.join(repositoryRoot, input));
    inputs[input] = { size: stats.size, mtimeMs: stats.mtimeMs };
  }
  writeAtomically(inputsManifest, `${JSON.stringify({ format: 2, buildId, inputs })}\n`);
  removeOldFiles(buildId);
}

function writeAtomically(filePath, contents) {
  const temporary = `${filePath}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, filePath);
}

/** Code caches of other builds go at once; temporary files left by a build that died go once they are an hour old. */
function removeOldFiles(buildId) {
  const anHourAgoMs = Date.now() - 3_600_000;
  for (const name of readdirSync(outputFolder)) {
    const filePath = path.join(outputFolder, name);
    const oldCache = name.endsWith('.cache') && !name.includes(buildId);
    const oldTemporary = name.endsWith('.tmp') && statSync(filePath).mtimeMs < anHourAgoMs;
    if (oldCache || oldTemporary) rmSync(filePath, { force: true });
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await buildCli();
  } catch (error) {
    // An install without devDependencies has no esbuild: `paydesk` then runs the sources through tsx.
    if (error.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('esbuild')) throw error;
    process.stderr.write('build-cli: esbuild is not installed, so the command line will run from its TypeScript sources\n');
  }
}
