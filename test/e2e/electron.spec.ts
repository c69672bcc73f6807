import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Launches the built Electron app where the Electron runtime is installed and
 * walks it as an operator on a fresh ledger: the first start (create the
 * administrator), two accounts and a payment, then what the renderer can and
 * cannot reach (only the typed bridge; no require or process; window.open and
 * navigation refused), then quits and reopens the ledger and signs in again.
 * Meant to run as a normal user (the sandbox on); as root it passes
 * --no-sandbox, the one case the shell honours it. Where the runtime or a
 * display is missing it is skipped with the reason, since everything but the
 * window is tested without Electron (the host's end-to-end tests).
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

const operator = { username: 'admin', displayName: 'Ada Admin', password: 'correct horse battery' } as const;
const isRoot = process.getuid?.() === 0;

interface Launch {
  binary: string;
  display: string;
  userData: string;
}

function launch({ binary, display, userData }: Launch): Promise<ElectronApplication> {
  return electron.launch({
    executablePath: binary,
    args: [...(isRoot ? ['--no-sandbox'] : []), mainEntry],
    env: { ...process.env, DISPLAY: display, PAYDESK_USER_DATA: userData, PAYDESK_LEDGER: path.join(userData, 'ledger.paydesk') },
  });
}

async function firstWindow(app: ElectronApplication): Promise<Page> {
  const window = await app.firstWindow();
  await window.waitForLoadState('domcontentloaded');
  await expect(window).toHaveTitle(/PayDesk/);
  expect(window.url()).toBe('app://paydesk/index.html');
  return window;
}

function navigate(window: Page, label: string) {
  return window.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
}

async function createAdministrator(window: Page) {
  await expect(window.getByRole('heading', { level: 1 })).toHaveText('Create the administrator');
  await window.getByLabel('User name').fill(operator.username);
  await window.getByLabel('Display name').fill(operator.displayName);
  await window.getByLabel('Password', { exact: true }).fill(operator.password);
  await window.getByLabel('Repeat the password').fill(operator.password);
  await window.getByRole('button', { name: 'Create administrator and sign in' }).click();
  await expect(window.getByTestId('current-operator')).toHaveText(`${operator.displayName} (administrator)`);
}

async function createAccount(window: Page, code: string, openingBalance: string) {
  const form = window.getByRole('form', { name: 'New account' });
  await form.getByLabel('Code').fill(code);
  await form.getByLabel('Name').fill(code.toLowerCase());
  await form.getByLabel('Currency').selectOption('EUR');
  await form.getByLabel('Opening balance').fill(openingBalance);
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(form.getByRole('status')).toHaveText(`Account ${code} created.`);
}

async function pay(window: Page, amount: string) {
  await navigate(window, 'Payments');
  const form = window.getByRole('form', { name: 'Single payment' });
  await form.getByRole('combobox', { name: 'Debtor', exact: true }).selectOption('ALICE');
  await form.getByRole('combobox', { name: 'Creditor', exact: true }).selectOption('BOB');
  await form.getByLabel('Amount').fill(amount);
  await form.getByRole('button', { name: 'Submit payment' }).click();
  const outcome = window.getByTestId('payment-outcome');
  await expect(outcome.locator('.outcome-status')).toHaveText('Accepted');
  await expect(outcome.locator('.code')).toHaveText('ACSC');
}

async function expectBalances(window: Page, balances: Record<string, string>) {
  await navigate(window, 'Accounts');
  for (const [code, balance] of Object.entries(balances)) await expect(window.getByTestId(`balance-${code}`)).toHaveText(balance);
}

/** Only the bridge's two functions reach the page; no Node, no Electron. */
async function expectOnlyTheBridge(window: Page) {
  const exposure = await window.evaluate(() => ({
    bridgeKeys: Object.keys((globalThis as { paydesk?: object }).paydesk ?? {}).sort(),
    hasRequire: 'require' in globalThis,
    hasProcess: 'process' in globalThis,
    hasIpcRenderer: 'ipcRenderer' in globalThis,
  }));
  expect(exposure).toEqual({ bridgeKeys: ['invoke', 'on'], hasRequire: false, hasProcess: false, hasIpcRenderer: false });
}

/** window.open gets no window, and neither a link away nor a same-origin navigation leaves the page. */
async function expectWindowOpenAndNavigationRefused(app: ElectronApplication, window: Page) {
  const opened = await window.evaluate(() => globalThis.open('https://example.com/', '_blank') === null);
  expect(opened).toBe(true);
  expect(app.windows()).toHaveLength(1);
  for (const target of ['https://example.com/', 'app://paydesk/elsewhere.html']) {
    await window.evaluate((href) => {
      globalThis.location.href = href;
    }, target);
    // A refused navigation leaves nothing to wait for: give it the time a real one would take to start.
    await window.waitForTimeout(500);
    expect(window.url()).toBe('app://paydesk/index.html');
    await expect(window.getByTestId('current-operator')).toBeVisible();
  }
}

test('the Electron window: first start, a payment, only the typed bridge, and the ledger reopens', async () => {
  const binary = electronBinary();
  test.skip('missing' in binary, `Electron runtime not installed here: ${'missing' in binary ? binary.missing : ''} missing`);
  if ('missing' in binary) return;
  const screen = await ensureDisplay();
  test.skip(screen === null, 'No DISPLAY and no Xvfb to provide one');
  if (screen === null) return;

  const userData = await mkdtemp(path.join(os.tmpdir(), 'paydesk-electron-'));
  const setup = { binary: binary.path, display: screen.display, userData };
  try {
    const app = await launch(setup);
    try {
      const window = await firstWindow(app);
      await expectOnlyTheBridge(window);
      await createAdministrator(window);
      await expect(window.getByText('Ledger: ledger.paydesk')).toBeVisible();
      await navigate(window, 'Accounts');
      await window.getByRole('button', { name: 'New account' }).click();
      await createAccount(window, 'ALICE', '100.00');
      await createAccount(window, 'BOB', '0.00');
      await pay(window, '25.00');
      await expectBalances(window, { ALICE: '75.00', BOB: '25.00' });
      await expectOnlyTheBridge(window);
      await expectWindowOpenAndNavigationRefused(app, window);
    } finally {
      await app.close();
    }
    // Quitting closed the ledger; the next start asks for a sign-in, not a new administrator, and the balances are there.
    const reopened = await launch(setup);
    try {
      const window = await firstWindow(reopened);
      await expect(window.getByRole('heading', { level: 1 })).toHaveText('Sign in');
      await window.getByLabel('User name').fill(operator.username);
      await window.getByLabel('Password').fill(operator.password);
      await window.getByRole('button', { name: 'Sign in' }).click();
      await expect(window.getByTestId('current-operator')).toHaveText(`${operator.displayName} (administrator)`);
      await expectBalances(window, { ALICE: '75.00', BOB: '25.00' });
    } finally {
      await reopened.close();
    }
  } finally {
    screen.server?.kill('SIGTERM');
    await rm(userData, { recursive: true, force: true });
  }
});

test('as root, the app refuses to start without --no-sandbox and names the switch', async () => {
  const binary = electronBinary();
  test.skip('missing' in binary, `Electron runtime not installed here: ${'missing' in binary ? binary.missing : ''} missing`);
  if ('missing' in binary) return;
  test.skip(!isRoot, 'Runs only as root: a normal user keeps the sandbox, which the test above proves');
  const screen = await ensureDisplay();
  test.skip(screen === null, 'No DISPLAY and no Xvfb to provide one');
  if (screen === null) return;
  const userData = await mkdtemp(path.join(os.tmpdir(), 'paydesk-electron-root-'));
  try {
    const run = spawnSync(binary.path, [mainEntry], {
      env: { ...process.env, DISPLAY: screen.display, PAYDESK_USER_DATA: userData, PAYDESK_LEDGER: path.join(userData, 'ledger.paydesk') },
      encoding: 'utf8',
      timeout: 30_000,
    });
    // Chromium's own check ("Running as root without --no-sandbox is not supported") may come before
    // PayDesk's ("refusing to start as root"); either way the process ends at once and names the switch.
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('--no-sandbox');
  } finally {
    screen.server?.kill('SIGTERM');
    await rm(userData, { recursive: true, force: true });
  }
});
