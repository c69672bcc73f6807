import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../electron/host/server';
import { useTempFolder } from '../support/temp-folder';

/** Restore from a backup through the loopback host: chosen by name, checked, the engine closed, the file replaced and reopened. */
const newFolder = useTempFolder('paydesk-restore-');
const password = 'correct horse battery';
let host: RunningHost | null = null;

afterEach(async () => {
  await host?.close();
  host = null;
});

async function hostWithAdmin() {
  const folder = newFolder();
  const rendererFolder = path.join(folder, 'renderer');
  mkdirSync(rendererFolder);
  writeFileSync(path.join(rendererFolder, 'index.html'), '<!doctype html><title>PayDesk</title>');
  const ledgerPath = path.join(folder, 'ledger.paydesk');
  host = await startHost({ ledgerPath, port: 0, rendererFolder });
  const running = host;
  let sessionId: string | null = null;
  const call = async (channel: string, body: unknown) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Authorization: `Bearer ${running.token}` };
    if (sessionId !== null) headers['X-PayDesk-Session'] = sessionId;
    const response = await fetch(`http://127.0.0.1:${running.port}/api/${channel}`, { method: 'POST', headers, body: JSON.stringify(body) });
    return (await response.json()) as { ok: boolean; code?: string; value?: any };
  };
  const signIn = async () => {
    sessionId = null;
    const signedIn = await call('session-sign-in', { username: 'admin', password });
    sessionId = signedIn.value.sessionId;
  };
  const setup = await call('session-setup', { username: 'admin', displayName: 'Admin', password });
  sessionId = setup.value.sessionId;
  return { folder, ledgerPath, call, signIn };
}

describe('restore from a backup through the host', () => {
  it('restores the chosen backup, keeps the current file aside, ends the sessions, and the data is the backup\'s', async () => {
    const { folder, call, signIn } = await hostWithAdmin();
    await call('account-create', { code: 'ALICE', name: 'Alice', currency: 'EUR', openingBalance: '100.00' });
    const backup = await call('backup-create', {});
    expect(backup).toMatchObject({ ok: true });
    await call('account-create', { code: 'BOB', name: 'Bob', currency: 'EUR' });
    expect(await call('payment-submit', { paymentId: 'AFTER', debtor: 'ALICE', creditor: 'BOB', amount: '10.00', currency: 'EUR' }))
      .toMatchObject({ ok: true, value: { status: 'accepted' } });
    expect(await call('backup-restore', { fileName: 'ledger.paydesk-20000101T000000000Z-manual.paydesk-backup' }))
      .toMatchObject({ ok: false, code: 'NOT_FOUND', field: 'fileName' });
    expect(await call('backup-restore', { fileName: '../ledger.paydesk' })).toMatchObject({ ok: false, code: 'FF01', field: 'fileName' });
    const restored = await call('backup-restore', { fileName: backup.value.fileName });
    expect(restored).toMatchObject({ ok: true, value: { fileName: backup.value.fileName, accounts: expect.any(Number) } });
    expect(restored.value.movedAsideTo).toMatch(/ledger\.paydesk\.before-restore-/);
    expect(readdirSync(restored.value.movedAsideTo)).toContain('ledger.paydesk');
    // Sessions lived in the engine that closed: the UI goes back to sign-in.
    expect(await call('account-list', {})).toMatchObject({ ok: false, code: 'SIGN_IN_REQUIRED' });
    await signIn();
    const accounts = await call('account-list', {});
    expect(accounts.value.map((account: { code: string }) => account.code)).toContain('ALICE');
    expect(accounts.value.map((account: { code: string }) => account.code)).not.toContain('BOB');
    expect(await call('payment-get', { paymentId: 'AFTER' })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await call('ledger-verify', {})).toMatchObject({ ok: true, value: { ok: true } });
    expect(existsSync(path.join(folder, 'ledger.paydesk'))).toBe(true);
    // The ledger works on: a payment after the restore is durable and the audit chain still verifies.
    expect(await call('payment-submit', { paymentId: 'NEXT', debtor: 'ALICE', creditor: 'EQUITY-EUR', amount: '1.00', currency: 'EUR' }))
      .toMatchObject({ ok: true });
    expect(await call('ledger-verify', {})).toMatchObject({ ok: true, value: { ok: true } });
  });

  it('refuses a damaged backup and leaves the ledger open as it was', async () => {
    const { call } = await hostWithAdmin();
    await call('account-create', { code: 'ALICE', name: 'Alice', currency: 'EUR', openingBalance: '100.00' });
    const status = await call('backup-status', {});
    const damagedName = 'ledger.paydesk-20990101T000000000Z-manual.paydesk-backup';
    mkdirSync(status.value.folder, { recursive: true });
    writeFileSync(path.join(status.value.folder, damagedName), 'not a ledger at all');
    expect(await call('backup-restore', { fileName: damagedName })).toMatchObject({ ok: false, code: 'BACKUP_FAILED' });
    expect(await call('account-list', {})).toMatchObject({ ok: true });
  });
});
