import AxeBuilder from '@axe-core/playwright';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { EngineHolder } from '../../electron/core/engine-holder';
import { Engine } from '../../electron/core/engine';
import {
  connectSharedLedger, deskSettingsFileName, emptyDeskSettings, openAtStart, openFileLedger, sharedLedgerForm, type StartDependencies,
} from '../../electron/main/desk-settings';
import type { SharedLedgerFormRequest } from '../../shared/desk';
import { aesCipher } from '../support/password-cipher';
import { createDatabase, type ThrowawayDatabase } from '../support/postgres-admin';
import { expect, test } from './fixtures';

/**
 * File > Open Shared Ledger… as the desktop app shows it, in Chromium. The
 * loopback host has no Electron shell, so the page gets `window.paydeskDesk`
 * from an init script whose one call is routed by Playwright to this test's
 * process, where the shell's real module runs it (electron/main/desk-settings.ts):
 * a real EngineHolder, a real settings file and the local PostgreSQL. Only the
 * IPC hop between window and shell is replaced. The rest of the page keeps
 * talking to its host, so this proves the form and the shell's side of it,
 * not the page's reload after the switch (the Electron spec's business).
 */
const serverUrl = process.env.PAYDESK_TEST_PG_URL;
const postgresMissing = serverUrl === undefined && process.env.PAYDESK_REQUIRE_PG !== '1';

interface Desk {
  holder: EngineHolder;
  dependencies: StartDependencies;
  requests: unknown[];
}

let desk: Desk;
let folder: string;

test.beforeEach(async ({ page }) => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'paydesk-desk-e2e-'));
  const holder = new EngineHolder(() => undefined, { automaticBackups: false });
  const dependencies: StartDependencies = {
    open: (location, create) => holder.open(location, create),
    settingsPath: path.join(folder, deskSettingsFileName),
    cipher: aesCipher(),
    explicitLedgerPath: null,
    defaultLedgerPath: path.join(folder, 'ledger.paydesk'),
  };
  desk = { holder, dependencies, requests: [] };
  await openFileLedger(dependencies.defaultLedgerPath, true, dependencies);
  await page.exposeFunction('paydeskDeskConnect', (request: unknown) => {
    desk.requests.push(request);
    return connectSharedLedger(request, dependencies);
  });
  await page.addInitScript(() => {
    const target = window as unknown as Record<string, unknown>;
    const listeners = new Set<(form: unknown) => void>();
    target.paydeskDeskShowForm = (form: unknown) => listeners.forEach((listener) => listener(form));
    target.paydeskDesk = Object.freeze({
      connectSharedLedger: (request: unknown) => (target.paydeskDeskConnect as (request: unknown) => Promise<unknown>)(request),
      onDidRequestSharedLedgerForm(listener: (form: unknown) => void) {
        listeners.add(listener);
        return () => void listeners.delete(listener);
      },
    });
  });
});

test.afterEach(async () => {
  await desk.holder.close();
  rmSync(folder, { recursive: true, force: true });
});

/** What the shell does for File > Open Shared Ledger… or at start: sends the form's prefill to the window. */
async function showForm(page: Page, form: SharedLedgerFormRequest) {
  await page.waitForFunction(() => typeof (window as unknown as Record<string, unknown>).paydeskDeskShowForm === 'function');
  await page.evaluate((request) => (window as unknown as { paydeskDeskShowForm(form: unknown): void }).paydeskDeskShowForm(request), form);
  const dialog = page.getByRole('dialog', { name: 'Open a shared ledger' });
  await expect(dialog).toBeVisible();
  return dialog;
}

test('the form says what is missing or wrong as the operator goes, sends nothing until it is right, and Escape closes it', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  const dialog = await showForm(page, sharedLedgerForm(emptyDeskSettings, desk.dependencies.cipher, null));
  await expect(dialog.getByLabel('Server')).toBeFocused();
  await expect(dialog.getByLabel('Port')).toHaveValue('5432');
  await page.keyboard.press('Enter');
  await expect(dialog.getByText('The server is required.')).toBeVisible();
  await expect(dialog.getByText('The database is required.')).toBeVisible();
  await expect(dialog.getByText('The password is required.')).toBeVisible();
  await expect(dialog.getByLabel('Server')).toHaveAttribute('aria-invalid', 'true');

  await dialog.getByLabel('Database').fill('books/2026');
  await expect(dialog.getByText('The database name may not hold any of')).toBeVisible();
  await dialog.getByLabel('Port').fill('70000');
  await expect(dialog.getByText('The port is a number from 1 to 65535, usually 5432.')).toBeVisible();
  expect(desk.requests).toEqual([]);

  const axe = await new AxeBuilder({ page }).include('dialog').analyze();
  expect(axe.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  expect(desk.holder.ledgerPath).toBe(desk.dependencies.defaultLedgerPath);
});

test('a server that does not answer is explained without the password, and the previous ledger stays open', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  const dialog = await showForm(page, sharedLedgerForm(emptyDeskSettings, desk.dependencies.cipher, null));
  await page.keyboard.type('127.0.0.1');
  await page.keyboard.press('Tab');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('1');
  for (const text of ['books', 'ops', 'Tr0ub4dor&3']) {
    await page.keyboard.press('Tab');
    await page.keyboard.type(text);
  }
  await page.keyboard.press('Enter');
  const alert = dialog.getByRole('alert');
  await expect(alert).toContainText('Not opened: The shared ledger at postgres://ops:***@127.0.0.1:1/books cannot be reached');
  await expect(alert).toContainText('The previous ledger is still open.');
  await expect(alert).not.toContainText('Tr0ub4dor');
  await expect(alert).not.toContainText('SHARED_UNREACHABLE');
  expect(desk.holder.ledgerPath).toBe(desk.dependencies.defaultLedgerPath);
  expect(readFileSync(desk.dependencies.settingsPath, 'utf8')).not.toContain('127.0.0.1');
});

test.describe('on the local PostgreSQL', () => {
  test.skip(postgresMissing, 'PAYDESK_TEST_PG_URL is not set: no PostgreSQL for the desktop shared-ledger test');
  const databases: ThrowawayDatabase[] = [];

  test.afterAll(async () => {
    for (const database of databases) await database.drop();
  });

  /** A throwaway database whose name needs escaping in a URL, holding a new ledger. */
  async function newSharedLedger() {
    const created = await createDatabase(`paydesk desk é ${randomBytes(4).toString('hex')}`);
    databases.push(created);
    const database = created.name;
    await (await Engine.open(created.url, { create: true })).close();
    const server = new URL(serverUrl!);
    const [user, password] = [decodeURIComponent(server.username), decodeURIComponent(server.password)];
    return { host: server.hostname, port: server.port || '5432', database, user, password };
  }

  test('an operator opens a shared ledger with the keyboard alone, and at the next start is asked only for the password', async ({ page, hostUrl }) => {
    const ledger = await newSharedLedger();
    await page.goto(hostUrl);
    const dialog = await showForm(page, sharedLedgerForm(emptyDeskSettings, desk.dependencies.cipher, null));
    await page.keyboard.type(ledger.host);
    await page.keyboard.press('Tab');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(ledger.port);
    for (const text of [ledger.database, ledger.user, 'not the password']) {
      await page.keyboard.press('Tab');
      await page.keyboard.type(text);
    }
    await page.keyboard.press('Enter');
    await expect(dialog.getByRole('alert')).toContainText(/the server refused the user name \S+ or its password/);
    await expect(dialog.getByRole('alert')).not.toContainText('not the password');
    expect(desk.holder.ledgerPath).toBe(desk.dependencies.defaultLedgerPath);

    await dialog.getByLabel('Password', { exact: true }).fill(ledger.password);
    await dialog.getByLabel('Password', { exact: true }).press('Enter');
    await expect(dialog).toBeHidden();
    expect(desk.holder.ledgerPath).toMatch(/^postgres:\/\//);
    expect(JSON.parse(readFileSync(desk.dependencies.settingsPath, 'utf8'))).toMatchObject({
      lastLedger: { kind: 'shared' }, sharedLedger: { connection: { database: ledger.database, user: ledger.user }, encryptedPasswordBase64: null },
    });

    // The next start: the password was not kept, so the ledger on this computer opens and the form asks for it.
    await desk.holder.close();
    const started = await openAtStart(desk.dependencies);
    expect(desk.holder.ledgerPath).toBe(desk.dependencies.defaultLedgerPath);
    await page.reload();
    const asking = await showForm(page, started.form!);
    const reason = `Enter the password to reopen the shared ledger in database "${ledger.database}" on ${ledger.host}:${ledger.port}, user ${ledger.user}.`;
    await expect(asking.getByText(`${reason} Until then the ledger on this computer is open.`, { exact: true })).toBeVisible();
    await expect(asking.getByLabel('Database')).toHaveValue(ledger.database);
    await expect(asking.getByLabel('Password', { exact: true })).toBeFocused();
    await page.keyboard.type(ledger.password);
    await page.keyboard.press('Tab');
    await expect(asking.getByRole('checkbox', { name: /Remember the password on this computer/ })).toBeFocused();
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    await expect(asking).toBeHidden();
    expect(desk.holder.ledgerPath).toMatch(/^postgres:\/\//);
    expect(existsSync(desk.dependencies.settingsPath)).toBe(true);
    expect(JSON.parse(readFileSync(desk.dependencies.settingsPath, 'utf8')).sharedLedger.encryptedPasswordBase64).toEqual(expect.any(String));
  });
});
