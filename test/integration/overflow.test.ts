import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { batchService } from '../../electron/core/batch/batch-handlers';
import { useTempFolder } from '../support/temp-folder';
import { uploadAndValidate } from '../support/batch-steps';

/**
 * Balances and totals that would pass 2^53 - 1 minor units are refused with
 * AM02 and a sentence, never an INTERNAL failure: real-time payments, opening
 * balances, batch rows (the batch goes on) and batch totals. Real ledgers on disk.
 */
const newFolder = useTempFolder('paydesk-overflow-');
/** Number.MAX_SAFE_INTEGER minor units of EUR. */
const largestEur = '90071992547409.91';
const header = 'payment_id,debtor_account,creditor_account,amount,currency,reference';

/**
 * ALICE holds the largest balance the ledger can hold (so EQUITY-EUR holds its
 * negative); BOB may overdraw by as much, so he can pay her what would pass it.
 */
async function ledgerAtTheLimit(): Promise<{ engine: Engine; ledgerPath: string }> {
  const ledgerPath = path.join(newFolder(), 'ledger.paydesk');
  const engine = await Engine.open(ledgerPath, { create: true });
  for (const [code, openingBalance, overdraftLimit] of [['ALICE', largestEur, '0'], ['BOB', '0', largestEur], ['CAROL', '0', '0']]) {
    const created = await engine.invoke('account-create', { code, name: `Account ${code}`, currency: 'EUR', openingBalance, overdraftLimit });
    if (!created.ok) throw new Error(created.message);
  }
  return { engine, ledgerPath };
}

function balance(engine: Engine, code: string): number {
  return engine.store.state.accounts.get(code)!.balanceMinor;
}

async function validatedBatch(engine: Engine, lines: string[]): Promise<string> {
  const text = `${header}\n${lines.join('\n')}\n`;
  return (await uploadAndValidate(engine.invoke.bind(engine), 'limit.csv', text)).batch.batchId;
}

describe('balances and totals past 2^53 minor units', () => {
  it('a real-time payment that would take a balance past the limit is rejected with AM02 and a sentence, nothing moved', async () => {
    const { engine, ledgerPath } = await ledgerAtTheLimit();
    const result = await engine.invoke('payment-submit', { paymentId: 'P-1', debtor: 'BOB', creditor: 'ALICE', amount: '0.01', currency: 'EUR' });
    expect(result).toMatchObject({ ok: true, value: { status: 'rejected', code: 'AM02' } });
    if (result.ok) expect(result.value.message).toBe(
      'The balance of account ALICE would go above 90,071,992,547,409.91 EUR, the most PayDesk can hold exactly; the amount is refused.',
    );
    expect(balance(engine, 'ALICE')).toBe(Number.MAX_SAFE_INTEGER);
    expect(balance(engine, 'BOB')).toBe(0);
    // The equity side too: paying out of EQUITY-EUR, already at minus the limit.
    expect(await engine.invoke('payment-submit', { paymentId: 'P-2', debtor: 'EQUITY-EUR', creditor: 'CAROL', amount: '0.01', currency: 'EUR' }))
      .toMatchObject({ ok: true, value: { status: 'rejected', code: 'AM02' } });
    // Within the limit, everything still works.
    expect(await engine.invoke('payment-submit', { paymentId: 'P-3', debtor: 'ALICE', creditor: 'BOB', amount: '0.01', currency: 'EUR' }))
      .toMatchObject({ ok: true, value: { status: 'accepted' } });
    expect(engine.verify().ok).toBe(true);
    await engine.close();
    const reopened = await Engine.open(ledgerPath, { create: true });
    expect(balance(reopened, 'ALICE')).toBe(Number.MAX_SAFE_INTEGER - 1);
    expect(await reopened.invoke('payment-get', { paymentId: 'P-1' })).toMatchObject({ ok: true, value: { status: 'rejected', code: 'AM02' } });
    await reopened.close();
  });

  it('an opening balance that would take the equity account past the limit is refused and no account is created', async () => {
    const { engine } = await ledgerAtTheLimit();
    const result = await engine.invoke('account-create', { code: 'DAVE', name: 'Dave', currency: 'EUR', openingBalance: '0.01' });
    expect(result).toMatchObject({ ok: false, code: 'AM02', field: 'openingBalance' });
    if (!result.ok) expect(result.message).toContain('EQUITY-EUR would go below minus 90,071,992,547,409.91 EUR');
    expect(engine.store.state.accounts.has('DAVE')).toBe(false);
    // Without an opening balance the account opens.
    expect(await engine.invoke('account-create', { code: 'DAVE', name: 'Dave', currency: 'EUR' })).toMatchObject({ ok: true });
    expect(engine.verify().ok).toBe(true);
    await engine.close();
  });

  it('a batch row past the limit is rejected with AM02 and the batch goes on: the chunk\'s valid rows are paid', async () => {
    const { engine, ledgerPath } = await ledgerAtTheLimit();
    const batchId = await validatedBatch(engine, ['B-1,BOB,CAROL,5.00,EUR,before', 'B-2,BOB,ALICE,0.01,EUR,too much', 'B-3,BOB,CAROL,7.00,EUR,after']);
    expect(await engine.invoke('batch-start', { batchId })).toMatchObject({ ok: true });
    const summary = await batchService(engine).whenStopped(batchId);
    expect(summary).toMatchObject({ status: 'completed', rowsDone: 3, accepted: 2, rejected: 1, skipped: 0, reasons: { AM02: 1 } });
    expect(balance(engine, 'CAROL')).toBe(1_200);
    expect(balance(engine, 'ALICE')).toBe(Number.MAX_SAFE_INTEGER);
    expect(await engine.invoke('payment-get', { paymentId: 'B-2' })).toMatchObject({ ok: true, value: { status: 'rejected', code: 'AM02', line: 3 } });
    expect(engine.verify().ok).toBe(true);
    await engine.close();
    const reopened = await Engine.open(ledgerPath, { create: true });
    expect(balance(reopened, 'CAROL')).toBe(1_200);
    await reopened.close();
  });

  it('a batch whose rows add up past the limit is refused at start with AM02 when its totals are needed for approval', async () => {
    const { engine } = await ledgerAtTheLimit();
    expect(await engine.invoke('approval-threshold-set', { currency: 'EUR', amount: '500.00' })).toMatchObject({ ok: true });
    const half = '50000000000000.00';
    const batchId = await validatedBatch(engine, [`B-1,BOB,CAROL,${half},EUR,one`, `B-2,BOB,CAROL,${half},EUR,two`]);
    const started = await engine.invoke('batch-start', { batchId });
    expect(started).toMatchObject({ ok: false, code: 'AM02' });
    if (!started.ok) expect(started.message).toContain('add up to more than 90,071,992,547,409.91 EUR by line 3');
    expect(await engine.invoke('batch-get', { batchId })).toMatchObject({ ok: true, value: { status: 'validated', rowsDone: 0 } });
    expect(engine.controls.approvals.reservedMinor('BOB')).toBe(0);
    await engine.close();
  });
});
