import { copyFileSync, readdirSync, appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../../electron/core/engine';
import { systemContext } from '../../electron/core/security/call-context';
import { SqliteDatabase } from '../../electron/core/storage/sqlite';
import { resealLedgerFile } from '../support/reseal';
import { backends, newLedgerLocation, type BackendName } from '../support/postgres';
import { useTempFolder } from '../support/temp-folder';

const newFolder = useTempFolder();

async function openLedger(backend: BackendName = 'file'): Promise<{ engine: Engine; folder: string; ledgerPath: string }> {
  const folder = newFolder();
  const ledgerPath = await newLedgerLocation(backend, folder);
  return { engine: await Engine.open(ledgerPath, { create: true }), folder, ledgerPath };
}

async function account(engine: Engine, code: string, currency = 'EUR', openingBalance = '0', overdraftLimit = '0') {
  const result = await engine.invoke('account-create', { code, name: `Account ${code}`, currency, openingBalance, overdraftLimit });
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

function pay(engine: Engine, paymentId: string, debtor: string, creditor: string, amount: string, currency = 'EUR', reference?: string) {
  return engine.invoke('payment-submit', { paymentId, debtor, creditor, amount, currency, reference });
}

function balance(engine: Engine, code: string): number {
  return engine.listAccounts(code).find((candidate) => candidate.code === code)!.balanceMinor;
}

/** Copies the ledger file and its journal as they are on disk right now: what a crash at this instant would leave. */
function crashImage(folder: string, into: string): string {
  for (const name of readdirSync(folder)) {
    if (name.endsWith('.lock')) continue;
    copyFileSync(path.join(folder, name), path.join(into, name));
  }
  return path.join(into, 'ledger.paydesk');
}

// The same operator paths on both storage back ends: a ledger file, and a shared ledger on PostgreSQL where one is configured.
describe.each(backends())('on the %s back end', (backend) => {
  describe('real-time payment pipeline', () => {
    it('accepts a payment, moves both balances and measures its latency', async () => {
      const { engine } = await openLedger(backend);
      await account(engine, 'ALICE', 'EUR', '100.00');
      await account(engine, 'BOB');
      const result = await pay(engine, 'p-1', 'ALICE', 'BOB', '25.50', 'EUR', 'Invoice 7');
      expect(result).toMatchObject({ ok: true, value: { status: 'accepted', code: 'ACSC', replayed: false } });
      if (result.ok) expect(result.value.pltUs).toBeGreaterThan(0);
      expect(balance(engine, 'ALICE')).toBe(7450);
      expect(balance(engine, 'BOB')).toBe(2550);
      const stored = await engine.invoke('payment-get', { paymentId: 'p-1' });
      expect(stored).toMatchObject({ ok: true, value: { amountMinor: 2550, reference: 'Invoice 7', channel: 'realtime' } });
      expect(engine.verify().ok).toBe(true);
      await engine.close();
    });

    it('rejects with the ISO reason code and a sentence, recording the rejection without touching balances', async () => {
      const { engine } = await openLedger(backend);
      await account(engine, 'ALICE', 'EUR', '10.00');
      await account(engine, 'BOB');
      await account(engine, 'CLOSED');
      await account(engine, 'FROZEN');
      await account(engine, 'DOLLARS', 'USD', '5.00');
      await engine.invoke('account-set-status', { code: 'CLOSED', status: 'closed' });
      await engine.invoke('account-set-status', { code: 'FROZEN', status: 'blocked' });
      const cases: [string, string, string, string, string][] = [
        ['r-1', 'ALICE', 'BOB', '10.01', 'AM04'],
        ['r-2', 'ALICE', 'NOBODY', '1.00', 'AC01'],
        ['r-3', 'NOBODY', 'BOB', '1.00', 'AC01'],
        ['r-4', 'ALICE', 'CLOSED', '1.00', 'AC04'],
        ['r-5', 'FROZEN', 'BOB', '1.00', 'AC06'],
        ['r-6', 'ALICE', 'DOLLARS', '1.00', 'AM03'],
        ['r-7', 'ALICE', 'ALICE', '1.00', 'SAME_ACCOUNT'],
      ];
      for (const [paymentId, debtor, creditor, amount, code] of cases) {
        const result = await pay(engine, paymentId, debtor, creditor, amount);
        expect(result, paymentId).toMatchObject({ ok: true, value: { status: 'rejected', code } });
        if (result.ok) expect(result.value.message.length).toBeGreaterThan(10);
      }
      expect(balance(engine, 'ALICE')).toBe(1000);
      const rejected = await engine.invoke('payment-list', { status: 'rejected' });
      expect(rejected.ok && rejected.value.items.length).toBe(cases.length);
      expect(engine.verify().ok).toBe(true);
      await engine.close();
    });

    it('lets an account with an overdraft limit go below zero down to the limit and no further', async () => {
      const { engine } = await openLedger(backend);
      await account(engine, 'CREDIT', 'EUR', '0', '50.00');
      await account(engine, 'SHOP');
      expect(await pay(engine, 'o-1', 'CREDIT', 'SHOP', '50.00')).toMatchObject({ ok: true, value: { status: 'accepted' } });
      expect(await pay(engine, 'o-2', 'CREDIT', 'SHOP', '0.01')).toMatchObject({ ok: true, value: { code: 'AM04' } });
      expect(balance(engine, 'CREDIT')).toBe(-5000);
      await engine.close();
    });

    it('refuses bad input with a code and changes nothing', async () => {
      const { engine } = await openLedger(backend);
      await account(engine, 'ALICE', 'EUR', '10.00');
      await account(engine, 'BOB');
      const before = engine.info().payments;
      const attempts: unknown[] = [
        { paymentId: 'b-1', debtor: 'ALICE', creditor: 'BOB', amount: '10.005', currency: 'EUR' },
        { paymentId: 'b-2', debtor: 'ALICE', creditor: 'BOB', amount: '1e3', currency: 'EUR' },
        { paymentId: 'b-3', debtor: 'ALICE', creditor: 'BOB', amount: '-1', currency: 'EUR' },
        { paymentId: 'b-4', debtor: 'ALICE', creditor: 'BOB', amount: 10, currency: 'EUR' },
        { paymentId: '', debtor: 'ALICE', creditor: 'BOB', amount: '1', currency: 'EUR' },
        { paymentId: 'b-6', debtor: 'ALICE', creditor: 'BOB', amount: '1', currency: 'EUR', extra: true },
        { paymentId: 'b-7', debtor: 'ALICE', creditor: 'BOB', amount: '1', currency: 'ZZZ' },
        null,
      ];
      for (const attempt of attempts) {
        const result = await engine.dispatch('payment-submit', attempt, systemContext);
        expect(result.ok, JSON.stringify(attempt)).toBe(false);
        if (!result.ok) expect(result.message).not.toBe('');
      }
      expect(await engine.dispatch('payment-teleport', {}, systemContext)).toMatchObject({ ok: false, code: 'UNKNOWN_CHANNEL' });
      expect(engine.info().payments).toBe(before);
      expect(balance(engine, 'ALICE')).toBe(1000);
      await engine.close();
    });
  });

  describe('idempotency', () => {
    it('returns the first outcome for the same id and never pays twice', async () => {
      const { engine } = await openLedger(backend);
      await account(engine, 'ALICE', 'EUR', '100.00');
      await account(engine, 'BOB');
      const first = await pay(engine, 'same', 'ALICE', 'BOB', '10');
      const second = await pay(engine, 'same', 'ALICE', 'BOB', '10.00');
      expect(first).toMatchObject({ ok: true, value: { status: 'accepted', replayed: false } });
      expect(second).toMatchObject({ ok: true, value: { status: 'accepted', replayed: true } });
      expect(balance(engine, 'BOB')).toBe(1000);
      await engine.close();
    });

    it('refuses the same id with different content as DUPL', async () => {
      const { engine } = await openLedger(backend);
      await account(engine, 'ALICE', 'EUR', '100.00');
      await account(engine, 'BOB');
      await pay(engine, 'same', 'ALICE', 'BOB', '10');
      expect(await pay(engine, 'same', 'ALICE', 'BOB', '11')).toMatchObject({ ok: false, code: 'DUPL' });
      expect(await pay(engine, 'same', 'ALICE', 'BOB', '10', 'EUR', 'other reference')).toMatchObject({ ok: false, code: 'DUPL' });
      expect(balance(engine, 'BOB')).toBe(1000);
      await engine.close();
    });

    it('keeps a failure sticky: a retry after the funds arrive still answers the first rejection', async () => {
      const { engine } = await openLedger(backend);
      await account(engine, 'ALICE');
      await account(engine, 'BOB', 'EUR', '100.00');
      expect(await pay(engine, 'early', 'ALICE', 'BOB', '5')).toMatchObject({ ok: true, value: { code: 'AM04' } });
      await pay(engine, 'funding', 'BOB', 'ALICE', '50');
      expect(await pay(engine, 'early', 'ALICE', 'BOB', '5')).toMatchObject({ ok: true, value: { code: 'AM04', replayed: true } });
      expect(balance(engine, 'ALICE')).toBe(5000);
      await engine.close();
    });

    it('pays once when the same id arrives many times at once', async () => {
      const { engine } = await openLedger(backend);
      await account(engine, 'ALICE', 'EUR', '100.00');
      await account(engine, 'BOB');
      const results = await Promise.all(Array.from({ length: 20 }, () => pay(engine, 'burst', 'ALICE', 'BOB', '1')));
      expect(results.filter((result) => result.ok && !result.value.replayed)).toHaveLength(1);
      expect(results.every((result) => result.ok && result.value.status === 'accepted')).toBe(true);
      expect(balance(engine, 'BOB')).toBe(100);
      await engine.close();
    });
  });

  describe('accounts', () => {
    it('posts an opening balance from equity so every currency sums to zero', async () => {
      const { engine } = await openLedger(backend);
      await account(engine, 'ALICE', 'EUR', '100.00');
      await account(engine, 'YEN', 'JPY', '5000');
      const accounts = engine.listAccounts(undefined);
      expect(accounts.find((candidate) => candidate.code === 'EQUITY-EUR')?.balanceMinor).toBe(-10000);
      expect(accounts.find((candidate) => candidate.code === 'EQUITY-JPY')?.balanceMinor).toBe(-5000);
      expect(engine.verify().ok).toBe(true);
      await engine.close();
    });

    it('refuses a duplicate code, a reserved code, closing a non-empty account and reopening a closed one', async () => {
      const { engine } = await openLedger(backend);
      await account(engine, 'ALICE', 'EUR', '1.00');
      expect(await engine.invoke('account-create', { code: 'ALICE', name: 'Again', currency: 'EUR' })).toMatchObject({ ok: false, code: 'ACCOUNT_EXISTS' });
      expect(await engine.invoke('account-create', { code: 'EQUITY-GBP', name: 'Sneaky', currency: 'GBP' })).toMatchObject({ ok: false, code: 'FF01' });
      expect(await engine.invoke('account-set-status', { code: 'ALICE', status: 'closed' })).toMatchObject({ ok: false, code: 'ACCOUNT_NOT_EMPTY' });
      await account(engine, 'EMPTY');
      expect(await engine.invoke('account-set-status', { code: 'EMPTY', status: 'closed' })).toMatchObject({ ok: true, value: { status: 'closed' } });
      expect(await engine.invoke('account-set-status', { code: 'EMPTY', status: 'open' })).toMatchObject({ ok: false, code: 'ACCOUNT_STATE' });
      await engine.close();
    });

    it('pages an account statement newest first with a running balance that continues across pages', async () => {
      const { engine } = await openLedger(backend);
      await account(engine, 'ALICE', 'EUR', '100.00');
      await account(engine, 'BOB');
      for (let index = 1; index <= 5; index++) await pay(engine, `s-${index}`, 'ALICE', 'BOB', `${index}`);
      await pay(engine, 's-back', 'BOB', 'ALICE', '2');
      const first = await engine.invoke('account-statement', { code: 'ALICE', limit: 3 });
      expect(first.ok).toBe(true);
      if (!first.ok) return;
      expect(first.value.items.map((entry) => [entry.paymentId, entry.amountMinor, entry.balanceAfterMinor])).toEqual([
        ['s-back', 200, 8700],
        ['s-5', -500, 8500],
        ['s-4', -400, 9000],
      ]);
      const second = await engine.invoke('account-statement', { code: 'ALICE', limit: 3, cursor: first.value.nextCursor });
      expect(second.ok && second.value.items.map((entry) => entry.balanceAfterMinor)).toEqual([9400, 9700, 9900]);
      const third = await engine.invoke('account-statement', { code: 'ALICE', limit: 3, cursor: second.ok ? second.value.nextCursor : null });
      expect(third.ok && third.value.items.map((entry) => [entry.paymentId, entry.balanceAfterMinor])).toEqual([['#opening:ALICE', 10000]]);
      expect(third.ok && third.value.nextCursor).toBe(null);
      await engine.close();
    });

    it('filters the payment history by account, status and time, page by page', async () => {
      const { engine } = await openLedger(backend);
      await account(engine, 'ALICE', 'EUR', '100.00');
      await account(engine, 'BOB');
      await account(engine, 'CAROL');
      for (let index = 0; index < 7; index++) await pay(engine, `h-${index}`, 'ALICE', index % 2 === 0 ? 'BOB' : 'CAROL', '1');
      await pay(engine, 'h-fail', 'CAROL', 'BOB', '1000');
      const carol = await engine.invoke('payment-list', { account: 'CAROL', limit: 2 });
      expect(carol.ok && carol.value.items.map((item) => item.paymentId)).toEqual(['h-fail', 'h-5']);
      const next = await engine.invoke('payment-list', { account: 'CAROL', limit: 2, cursor: carol.ok ? carol.value.nextCursor : null });
      expect(next.ok && next.value.items.map((item) => item.paymentId)).toEqual(['h-3', 'h-1']);
      const rejected = await engine.invoke('payment-list', { status: 'rejected' });
      expect(rejected.ok && rejected.value.items.map((item) => item.paymentId)).toEqual(['h-fail']);
      const future = await engine.invoke('payment-list', { fromMs: Date.now() + 60_000 });
      expect(future.ok && future.value.items).toEqual([]);
      const all = await engine.invoke('payment-list', { fromMs: 0, toMs: Date.now() + 1000, limit: 500 });
      expect(all.ok && all.value.items.length).toBe(9);
      await engine.close();
    });
  });
});

describe('durability', () => {
  it('recovers every acknowledged payment from the journal when the process stops without a checkpoint', async () => {
    const { engine, folder } = await openLedger();
    await account(engine, 'ALICE', 'EUR', '1000.00');
    await account(engine, 'BOB');
    for (let index = 0; index < 50; index++) await pay(engine, `d-${index}`, 'ALICE', 'BOB', '1.25');
    const image = crashImage(folder, newFolder());
    await engine.close();
    const recovered = await Engine.open(image, { create: true });
    expect(recovered.store.openReport.replayedRecords).toBeGreaterThan(0);
    expect(balance(recovered, 'BOB')).toBe(50 * 125);
    expect(recovered.info().payments).toBe(50); // the opening balance is a transfer, not a payment
    expect(recovered.verify().ok).toBe(true);
    await recovered.close();
  });

  it('drops a torn frame at the end of the journal and keeps everything before it', async () => {
    const { engine, folder } = await openLedger();
    await account(engine, 'ALICE', 'EUR', '10.00');
    await account(engine, 'BOB');
    await pay(engine, 't-1', 'ALICE', 'BOB', '1');
    const imageFolder = newFolder();
    const image = crashImage(folder, imageFolder);
    await engine.close();
    const journal = readdirSync(imageFolder).find((name) => name.includes('-journal-'))!;
    const journalPath = path.join(imageFolder, journal);
    const sizeBefore = statSync(journalPath).size;
    appendFileSync(journalPath, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 9, 9]));
    const recovered = await Engine.open(image, { create: true });
    expect(balance(recovered, 'BOB')).toBe(100);
    expect(statSync(journalPath).size).toBe(sizeBefore);
    await pay(recovered, 't-2', 'ALICE', 'BOB', '1');
    await recovered.close();
    const again = await Engine.open(image, { create: true });
    expect(balance(again, 'BOB')).toBe(200);
    await again.close();
  });

  it('keeps payments made while a checkpoint is being written', async () => {
    const { engine, folder, ledgerPath } = await openLedger();
    await account(engine, 'ALICE', 'EUR', '1000.00');
    await account(engine, 'BOB');
    const payments: Promise<unknown>[] = [];
    for (let index = 0; index < 100; index++) {
      payments.push(pay(engine, `c-${index}`, 'ALICE', 'BOB', '1'));
      if (index % 25 === 0) payments.push(engine.store.checkpoint());
    }
    await Promise.all(payments);
    const image = crashImage(folder, newFolder());
    await engine.close();
    for (const candidate of [image, ledgerPath]) {
      const reopened = await Engine.open(candidate, { create: true });
      expect(balance(reopened, 'BOB')).toBe(10000);
      expect(reopened.verify().ok).toBe(true);
      await reopened.close();
    }
  });

  it('moves the latencies of a file written before payment_latency existed into it, once', async () => {
    const { engine, ledgerPath } = await openLedger();
    await account(engine, 'ALICE', 'EUR', '10.00');
    await account(engine, 'BOB');
    await pay(engine, 'old-1', 'ALICE', 'BOB', '1');
    await engine.close();
    // The file as the earlier schema kept it: PLT in a payments column, no rows in payment_latency.
    const file = await SqliteDatabase.open(readFileSync(ledgerPath));
    file.exec('ALTER TABLE payments ADD COLUMN plt_us INTEGER');
    file.exec("UPDATE payments SET plt_us = 4321 WHERE payment_id = 'old-1'");
    file.exec('DELETE FROM payment_latency');
    writeFileSync(ledgerPath, file.export());
    file.close();
    await resealLedgerFile(ledgerPath);
    const reopened = await Engine.open(ledgerPath, { create: true });
    expect(await reopened.invoke('payment-get', { paymentId: 'old-1' })).toMatchObject({ ok: true, value: { pltUs: 4321 } });
    await pay(reopened, 'new-1', 'ALICE', 'BOB', '1');
    await reopened.close();
    const again = await Engine.open(ledgerPath, { create: true });
    expect(await again.invoke('payment-get', { paymentId: 'old-1' })).toMatchObject({ ok: true, value: { pltUs: 4321 } });
    expect(await again.invoke('payment-get', { paymentId: 'new-1' })).toMatchObject({ ok: true, value: { pltUs: expect.any(Number) } });
    await again.close();
  });

  it('refuses a file that is not a PayDesk ledger and leaves it untouched', async () => {
    const folder = newFolder();
    const notes = path.join(folder, 'notes.txt');
    appendFileSync(notes, 'quarterly notes, not a ledger');
    await expect(Engine.open(notes, { create: true })).rejects.toThrow(/not a PayDesk ledger/);
    expect(readFileSync(notes, 'utf8')).toBe('quarterly notes, not a ledger');
  });

  it('refuses to open a ledger that another engine holds', async () => {
    const { engine, ledgerPath } = await openLedger();
    await expect(Engine.open(ledgerPath, { create: true })).rejects.toThrow(/already open in this PayDesk|open in another PayDesk process/);
    await engine.close();
  });
});

describe.each(backends())('invariants under random traffic on the %s back end', (backend) => {
  it('holds every invariant and matches a simple model after any sequence of payments and a reopen', async () => {
    const codes = ['A', 'B', 'C', 'D'];
    const operation = fc.record({
      debtor: fc.constantFrom(...codes, 'GHOST'),
      creditor: fc.constantFrom(...codes),
      amountMinor: fc.integer({ min: 1, max: 40_000 }),
      reuseId: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 40 }), async (operations) => {
        const { engine, ledgerPath } = await openLedger(backend);
        const model = new Map<string, number>();
        for (const code of codes) {
          await account(engine, code, 'EUR', '100.00', code === 'D' ? '50.00' : '0');
          model.set(code, 10000);
        }
        let lastId = 'none';
        for (const [index, step] of operations.entries()) {
          const paymentId = step.reuseId && index > 0 ? lastId : `op-${index}`;
          const amount = `${Math.floor(step.amountMinor / 100)}.${String(step.amountMinor % 100).padStart(2, '0')}`;
          const result = await pay(engine, paymentId, step.debtor, step.creditor, amount);
          lastId = paymentId;
          if (result.ok && result.value.status === 'accepted' && !result.value.replayed) {
            model.set(step.debtor, model.get(step.debtor)! - step.amountMinor);
            model.set(step.creditor, model.get(step.creditor)! + step.amountMinor);
          }
        }
        await engine.close();
        const reopened = await Engine.open(ledgerPath, { create: true });
        expect(reopened.verify()).toMatchObject({ ok: true, problems: [] });
        for (const code of codes) {
          expect(balance(reopened, code)).toBe(model.get(code));
          expect(balance(reopened, code)).toBeGreaterThanOrEqual(code === 'D' ? -5000 : 0);
        }
        await reopened.close();
      }),
      // Each PostgreSQL run is a database of its own.
      { numRuns: backend === 'file' ? 25 : 10 },
    );
  });
});
