import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SqliteDatabase } from '../../electron/core/storage/sqlite';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { genesisHash } from '../../electron/core/audit/audit-trail';
import { backends, newLedgerLocation, type BackendName } from '../support/postgres';
import { useTempFolder } from '../support/temp-folder';
import { withOperators } from '../support/operators';
import { resealLedgerFile } from '../support/reseal';
import { runMain } from '../support/run-cli';

/** The tamper-evident audit trail: one entry per change, in the same commit, chained by SHA-256 from a genesis of zeros. */
const newFolder = useTempFolder('paydesk-audit-');

async function busyLedger(backend: BackendName) {
  const ledgerPath = await newLedgerLocation(backend, newFolder());
  const engine = await Engine.open(ledgerPath, { create: true });
  const { admin, otto } = await withOperators(engine, { otto: 'operator' });
  await otto.call('account-create', { code: 'ALICE', name: 'Alice', currency: 'EUR', openingBalance: '100.00' });
  await otto.call('account-create', { code: 'BOB', name: '=HYPERLINK("x")', currency: 'EUR' });
  await otto.call('payment-submit', { paymentId: 'P-1', debtor: 'ALICE', creditor: 'BOB', amount: '10.00', currency: 'EUR' });
  await otto.call('payment-submit', { paymentId: 'P-2', debtor: 'ALICE', creditor: 'BOB', amount: '1000.00', currency: 'EUR' });
  await otto.call('account-set-status', { code: 'BOB', status: 'blocked' });
  return { engine, ledgerPath, admin, otto };
}

describe.each(backends())('audit trail on the %s back end', (backend) => {
    it('records refused changes and actions outside the ledger, changing no balance', async () => {
      const { engine, admin, otto } = await busyLedger(backend);
      await admin.call('approval-threshold-set', { currency: 'EUR', amount: '5.00' });
      await admin.call('account-set-status', { code: 'BOB', status: 'open' });
      expect(await admin.call('payment-submit', { paymentId: 'BIG', debtor: 'ALICE', creditor: 'BOB', amount: '6.00', currency: 'EUR' }))
        .toMatchObject({ ok: true, value: { status: 'pending' } });
      const balances = engine.listAccounts(undefined).map((account) => account.balanceMinor);
      expect(await admin.call('approval-approve', { paymentId: 'BIG' })).toMatchObject({ ok: false, code: 'SELF_APPROVAL' });
      expect(await otto.call('account-set-status', { code: 'ALICE', status: 'closed' })).toMatchObject({ ok: false, code: 'ACCOUNT_NOT_EMPTY' });
      expect(await admin.call('approval-threshold-set', { currency: 'EUR', amount: null })).toMatchObject({ ok: false, code: 'CONFIRMATION_REQUIRED' });
      const folder = path.join(newFolder(), 'backups');
      expect(await admin.call('backup-folder-set', { folder })).toMatchObject({ ok: true });
      const backup = await admin.call('backup-create', {});
      expect(backup.ok).toBe(true);
      expect(engine.listAccounts(undefined).map((account) => account.balanceMinor)).toEqual(balances);
      const page = await admin.call('audit-list', { limit: 6 });
      const latest = (page.ok ? page.value.items : []).map((entry) => [entry.actor, entry.action, entry.outcome, entry.detail]);
      expect(latest).toEqual([
        ['admin', 'backup-create', 'ok', expect.stringMatching(/^backup .+ written \([\d,]+ KiB\)$/)],
        ['admin', 'backup-folder-set', 'ok', `backup folder set to ${folder}`],
        ['admin', 'approval-threshold-set', 'refused CONFIRMATION_REQUIRED', expect.stringContaining('Removing the EUR approval threshold')],
        ['otto', 'account-set-status', 'refused ACCOUNT_NOT_EMPTY', expect.stringContaining('ALICE')],
        ['admin', 'approval-approve', 'refused SELF_APPROVAL', 'You submitted payment BIG, so you cannot approve it: another approver must decide.'],
        ['admin', 'payment-submit', 'pending', expect.stringContaining('held for approval')],
      ]);
      expect(engine.verify()).toMatchObject({ ok: true });
      await engine.close();
    });

    it('finds entries by action name in the search, and lists the actions the trail holds', async () => {
      const { engine, admin } = await busyLedger(backend);
      const searched = await admin.call('audit-list', { search: 'set status' });
      expect(searched.ok && searched.value.items.map((entry) => entry.action)).toEqual(['account-set-status']);
      const byOutcome = await admin.call('audit-list', { search: 'AM04' });
      expect(byOutcome.ok && byOutcome.value.items.map((entry) => entry.target)).toEqual(['P-2']);
      const actions = await admin.call('audit-actions', {});
      expect(actions.ok && actions.value).toEqual([
        'account-create', 'account-set-status', 'operator-create', 'payment-submit', 'session-setup', 'session-sign-in',
      ]);
      await engine.close();
    });

    it('records who did what with which outcome, chained from the genesis', async () => {
      const { engine, admin } = await busyLedger(backend);
      const page = await admin.call('audit-list', { limit: 500 });
      if (!page.ok) throw new Error(page.message);
      const entries = [...page.value.items].reverse();
      expect(entries[0]).toMatchObject({ seq: 1, actor: 'admin', action: 'session-setup', previousHash: genesisHash });
      for (let index = 1; index < entries.length; index++) expect(entries[index].previousHash).toBe(entries[index - 1].hash);
      const summary = entries.map((entry) => [entry.actor, entry.action, entry.target, entry.outcome]);
      expect(summary).toEqual(expect.arrayContaining([
        ['admin', 'operator-create', 'otto', 'ok'],
        ['otto', 'session-sign-in', 'otto', 'ok'],
        ['otto', 'account-create', 'ALICE', 'ok'],
        ['otto', 'payment-submit', 'P-1', 'accepted'],
        ['otto', 'payment-submit', 'P-2', 'rejected AM04'],
        ['otto', 'account-set-status', 'BOB', 'ok'],
      ]));
      const filtered = await admin.call('audit-list', { actor: 'otto', action: 'payment-submit' });
      expect(filtered.ok && filtered.value.items.map((entry) => entry.target)).toEqual(['P-2', 'P-1']);
      expect(engine.verify()).toMatchObject({ ok: true });
      await engine.close();
    });

    it('survives a restart through journal replay, and verify names the first entry that was edited', async () => {
      const { engine, ledgerPath } = await busyLedger(backend);
      await engine.close();
      const reopened = await Engine.open(ledgerPath, { create: true });
      expect(reopened.verify()).toMatchObject({ ok: true, problems: [] });
      const original = reopened.store.database.value('SELECT actor FROM audit WHERE seq = 4');
      reopened.store.database.run("UPDATE audit SET actor = 'mallory' WHERE seq = 4");
      const report = reopened.verify();
      expect(report.ok).toBe(false);
      expect(report.problems).toEqual(['Audit entry 4 is broken: its hash does not match its fields (session-sign-in by mallory).']);
      reopened.store.database.run('UPDATE audit SET actor = ? WHERE seq = 4', [original!]);
      reopened.store.database.run('DELETE FROM audit WHERE seq = 6');
      expect(reopened.verify().problems).toEqual(['Audit entry 6 is missing: the trail jumps from entry 5 to 7.']);
      await reopened.close();
    });

    it('exports CSV with formula cells neutralised', async () => {
      const { engine, admin } = await busyLedger(backend);
      const exported = await admin.call('audit-export', { action: 'account-create' });
      if (!exported.ok) throw new Error(exported.message);
      expect(exported.value.rows).toBe(2);
      expect(exported.value.csv.split('\r\n')[0]).toBe('seq,time,actor,action,target,outcome,detail,previous_hash,hash');
      expect(exported.value.csv).toContain(`"account BOB (=HYPERLINK(""x""), EUR, customer) created"`);
      // Cells that begin with a formula character (here planted straight into the table) get an apostrophe.
      engine.store.database.run(`INSERT INTO audit (seq, at_ms, actor, action, target, outcome, detail, previous_hash, hash)
        VALUES (1000, 0, 'x', 'account-create', '  =1+1', '@SUM(A1)', '\t-2', 'p', 'h')`);
      const hostile = await admin.call('audit-export', { action: 'account-create' });
      expect(hostile.ok && hostile.value.csv.split('\r\n')[3]).toBe(`1000,1970-01-01T00:00:00.000Z,x,account-create,'  =1+1,'@SUM(A1),"'\t-2",p,h`);
      await engine.close();
    });

    it('writes nothing, not even an entry, for a malformed request', async () => {
      const { engine, otto } = await busyLedger(backend);
      const before = engine.store.database.value('SELECT COUNT(*) FROM audit');
      expect(await otto.call('payment-submit', { paymentId: 'x y' } as never)).toMatchObject({ ok: false, code: 'FF01' });
      expect(engine.store.database.value('SELECT COUNT(*) FROM audit')).toBe(before);
      await engine.close();
    });
});

describe('audit trail in a ledger file', () => {
  it('paydesk verify names an entry deleted in the file itself, even when its checksum is rewritten too', async () => {
    const { engine, ledgerPath } = await busyLedger('file');
    await engine.close();
    // Someone deletes an entry in the file itself: paydesk verify names it.
    const file = await SqliteDatabase.open(readFileSync(ledgerPath));
    file.run('DELETE FROM audit WHERE seq = 6');
    writeFileSync(ledgerPath, file.export());
    file.close();
    const verifyOutput = async () => {
      const run = await runMain(['verify', '--db', ledgerPath]);
      expect(run.code).toBe(1);
      return run.stdout;
    };
    // The file no longer matches the checksum its checkpoint recorded.
    expect(await verifyOutput()).toMatch(/FAILED: .*does not match the checksum recorded/);
    // Someone who also rewrites the manifest: the audit chain still names the entry.
    await resealLedgerFile(ledgerPath);
    expect(await verifyOutput()).toContain('BROKEN: Audit entry 6 is missing');
  });
});
