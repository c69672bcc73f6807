#!/usr/bin/env node
// Builds the command line: electron/cli/main.ts and everything it imports, bundled by esbuild into
// out/cli/ (gitignored), so `paydesk` starts without compiling TypeScript. `npm ci` runs it (the
// `prepare` script); bin/paydesk.mjs runs it again when a source is newer than the bundle.
//
// out/cli/inputs.json lists every file the bundle was built from with its size and mtime, so a
// start-up check costs one stat per file. sql.js stays outside the bundle and is loaded with
// require(): it finds its .wasm beside itself, and require() skips the CommonJS export scan that
// an ES import of its 48 KB loader costs (about 50 ms at every start).
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cliOutputFolder = path.join(repositoryRoot, 'out/cli');
export const cliEntry = path.join(cliOutputFolder, 'main.mjs');
export const cliInputsManifest = path.join(cliOutputFolder, 'inputs.json');

const sqlJsThroughRequire = {
  name: 'sql.js through require',
  setup(build) {
    build.onResolve({ filter: /^sql\.js$/ }, () => ({ path: 'sql.js', namespace: 'sql-js-require' }));
    build.onLoad({ filter: /.*/, namespace: 'sql-js-require' }, () => ({
      contents: "import { createRequire } from 'node:module'; export default createRequire(import.meta.url)('sql.js');",
      loader: 'js',
      resolveDir: repositoryRoot,
    }));
  },
};

/** Bundles the CLI into out/cli and writes the inputs manifest last, so a manifest always describes a complete bundle. */
export async function buildCli() {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: { main: path.join(repositoryRoot, 'electron/cli/main.ts') },
    absWorkingDir: repositoryRoot,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    outdir: cliOutputFolder,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    plugins: [sqlJsThroughRequire],
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  mkdirSync(cliOutputFolder, { recursive: true });
  // Each file is written beside its place and renamed into it: two builds at once (parallel tests
  // finding the bundle stale together) write the same bytes, and a reader never sees half a file.
  const written = new Set(['inputs.json']);
  for (const file of result.outputFiles) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
    written.add(path.basename(file.path));
  }
  const inputs = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    if (input.includes(':')) continue;
    const stats = statSync(path.join(repositoryRoot, input));
    inputs[input] = { size: stats.size, mtimeMs: stats.mtimeMs };
  }
  const temporaryManifest = `${cliInputsManifest}.${process.pid}.tmp`;
  writeFileSync(temporaryManifest, `${JSON.stringify({ format: 1, inputs }, null, 1)}\n`);
  renameSync(temporaryManifest, cliInputsManifest);
  removeOldChunks(written);
}

/** Chunks of earlier builds (their names carry a content hash) and leftover temporary files go once they are an hour old. */
function removeOldChunks(written) {
  const anHourAgoMs = Date.now() - 3_600_000;
  for (const name of readdirSync(cliOutputFolder)) {
    if (written.has(name) || !(name.startsWith('chunk-') || name.endsWith('.tmp'))) continue;
    const filePath = path.join(cliOutputFolder, name);
    if (statSync(filePath).mtimeMs < anHourAgoMs) rmSync(filePath, { force: true });
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli();
}
