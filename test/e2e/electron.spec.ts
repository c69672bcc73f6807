import { _electron as electron, expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Launches the built Electron app where the Electron runtime is installed, and
 * checks the window from the renderer's side: the title, the typed bridge, and
 * that no Node or Electron API leaked into the page. Elsewhere it is skipped
 * with the reason, since everything but the window is tested without Electron.
 */

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const mainEntry = path.join(repositoryRoot, 'out/main/index.js');

/** Reads the runtime's path the way the electron package does, without its download-on-require. */
function electronBinary(): { path: string } | { missing: string } {
  const packageFolder = path.join(repositoryRoot, 'node_modules/electron');
  const pathFile = path.join(packageFolder, 'path.txt');
  if (!existsSync(pathFile)) return { missing: path.join(packageFolder, 'dist') };
  const binary = path.join(packageFolder, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { path: binary } : { missing: binary };
}

function findExecutable(name: string): string | null {
  for (const folder of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(folder, name);
    if (folder !== '' && existsSync(candidate)) return candidate;
  }
  return null;
}

/** A virtual display when none is present; null when neither exists. */
async function ensureDisplay(): Promise<{ display: string; server: ChildProcess | null } | null> {
  if (process.env.DISPLAY) return { display: process.env.DISPLAY, server: null };
  const xvfb = findExecutable('Xvfb');
  if (xvfb === null) return null;
  const display = `:${90 + Math.floor(Math.random() * 100)}`;
  const server = spawn(xvfb, [display, '-screen', '0', '1280x900x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return { display, server };
}

test('the Electron window exposes only the typed bridge', async () => {
  const binary = electronBinary();
  test.skip('missing' in binary, `Electron runtime not installed here: ${'missing' in binary ? binary.missing : ''} missing`);
  if ('missing' in binary) return;
  const screen = await ensureDisplay();
  test.skip(screen === null, 'No DISPLAY and no Xvfb to provide one');
  if (screen === null) return;

  const userData = await mkdtemp(path.join(os.tmpdir(), 'paydesk-electron-'));
  const app = await electron.launch({
    executablePath: binary.path,
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), mainEntry],
    env: { ...process.env, DISPLAY: screen.display, PAYDESK_USER_DATA: userData, PAYDESK_LEDGER: path.join(userData, 'ledger.paydesk') },
  });
  try {
    const window = await app.firstWindow();
    await window.waitForLoadState('domcontentloaded');
    await expect(window).toHaveTitle(/PayDesk/);
    expect(window.url()).toBe('app://paydesk/index.html');
    const exposure = await window.evaluate(() => ({
      bridgeKeys: Object.keys((window as unknown as { paydesk?: object }).paydesk ?? {}).sort(),
      hasRequire: 'require' in window,
      hasProcess: 'process' in window,
      hasIpcRenderer: 'ipcRenderer' in window,
    }));
    expect(exposure).toEqual({ bridgeKeys: ['invoke', 'on'], hasRequire: false, hasProcess: false, hasIpcRenderer: false });
    type Bridge = { paydesk: { invoke(name: string, request: object): Promise<unknown> } };
    const info = await window.evaluate(() => (window as unknown as Bridge).paydesk.invoke('ledger-info', {}));
    expect(info).toMatchObject({ ok: true, value: { fileName: 'ledger.paydesk' } });
    await expect(window.getByText('Ledger: ledger.paydesk')).toBeVisible();
  } finally {
    await app.close();
    screen.server?.kill('SIGTERM');
    await rm(userData, { recursive: true, force: true });
  }
});
