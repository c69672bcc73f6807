#!/usr/bin/env node
// Launches the built Electron app (out/main/index.js) when the Electron runtime
// is installed. The path is read from node_modules/electron/path.txt directly:
// require('electron') would try to download the runtime when it is missing.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// The same minimum as electron/main/startup-checks.ts (a unit test keeps the two equal). It is checked here
// too because an Electron older than 28 cannot load the ES-module main process that would check it.
const minimumElectronMajor = 32;

function electronBinaryPath() {
  let packageFolder;
  try {
    packageFolder = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { found: false, expected: 'node_modules/electron (the package is not installed)' };
  }
  const pathFile = path.join(packageFolder, 'path.txt');
  if (!existsSync(pathFile)) return { found: false, expected: path.join(packageFolder, 'dist') };
  const binary = path.join(packageFolder, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { found: true, binary } : { found: false, expected: binary };
}

/** The installed runtime's version from its dist/version file, or null when that file is missing. */
function installedElectronVersion(binary) {
  const versionFile = path.join(path.dirname(binary), 'version');
  return existsSync(versionFile) ? readFileSync(versionFile, 'utf8').trim().replace(/^v/, '') : null;
}

const electron = electronBinaryPath();
if (!electron.found) {
  console.error(
    [
      `The Electron runtime is not installed here (${electron.expected} is missing).`,
      'It downloads on first install or launch and needs access to its release host, which this machine does not have.',
      'Run `npm run web` to use PayDesk in a browser instead.',
    ].join('\n'),
  );
  process.exit(1);
}

const version = installedElectronVersion(electron.binary);
if (version !== null && Number.parseInt(version, 10) < minimumElectronMajor) {
  console.error(`PayDesk needs Electron ${minimumElectronMajor} or later; the installed runtime is ${version}. Run \`npm ci\` to install the pinned one.`);
  process.exit(1);
}

const child = spawn(electron.binary, [path.join(repositoryRoot, 'out/main/index.js'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: repositoryRoot,
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
