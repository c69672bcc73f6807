import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { batchService } from '../../electron/core/batch/batch-handlers';
import { useTempFolder } from '../support/temp-folder';
import { signIn, withOperators, type SignedInCaller } from '../support/operators';
import { uploadAndValidate } from '../support/batch-steps';

/** Four-eyes for batches: a batch whose total is above a currency's threshold waits, its totals reserved, for a different approver. */
const newFolder = useTempFolder('paydesk-batch-approval-');
const header = 'payment_id,debtor_account,creditor_account,amount,currency,reference';

async function ledgerWithThreshold(ledgerPath = path.join(newFolder(), 'ledger.paydesk')) {
  const engine = await Engine.open(ledgerPath, { create: true });
  const callers = await withOperators(engine, { otto: 'operator', april: 'approver' });
  await callers.otto.call('account-create', { code: 'ALICE', name: 'Alice', currency: 'EUR', openingBalance: '1000.00' });
  await callers.otto.call('account-create', { code: 'CAROL', name: 'Carol', currency: 'EUR', openingBalance: '1000.00' });
  await callers.otto.call('account-create', { code: 'BOB', name: 'Bob', currency: 'EUR' });
  await callers.admin.call('approval-threshold-set', { currency: 'EUR', amount: '500.00' });
  return { engine, ledgerPath, ...callers };
}

/** Uploads, validates and starts a batch as `caller`; returns the start's answer. */
async function startBatch(caller: SignedInCaller, lines: string[]) {
  const text = `${header}\n${lines.join('\n')}\n`;
  const batchId = (await uploadAndValidate(caller.call.bind(caller), 'big.csv', text)).batch.batchId;
  return { batchId, started: await caller.call('batch-start', { batchId }) };
}

const bigBatch = ['B-1,ALICE,BOB,300.00,EUR,one', 'B-2,ALICE,BOB,250.00,EUR,two', 'B-3,CAROL,BOB,100.00,EUR,three', 'B-4,NOBODY,BOB,900.00,EUR,bad'];

describe('four-eyes approval of batches', () => {
  it('shows an approver the rows to be paid, a page at a time, with totals per currency and per debtor', async () => {
    const { engine, otto, april } = await ledgerWithThreshold();
    const rows = [...bigBatch, 'B-1,ALICE,BOB,5.00,EUR,repeated id'];
    for (let index = 1; index <= 55; index++) rows.push(`S-${index},CAROL,BOB,1.00,EUR,small ${index}`);
    const { batchId } = await startBatch(otto, rows);
    const first = await april.call('batch-approval-detail', { batchId });
    if (!first.ok) throw new Error(first.message);
    expect(first.value.byCurrency).toEqual([{ currency: 'EUR', count: 58, amountMinor: 70_500 }]);
    expect(first.value.byDebtor).toEqual([
      { debtor: 'ALICE', currency: 'EUR', count: 2, amountMinor: 55_000 },
      { debtor: 'CAROL', currency: 'EUR', count: 56, amountMinor: 15_500 },
    ]);
    expect(first.value.rows).toHaveLength(50);
    expect(first.value.rows[0]).toMatchObject({ line: 2, paymentId: 'B-1', debtor: 'ALICE', amountMinor: 30_000, reference: 'one' });
    // The invalid row and the repeated id are not among the rows to be paid.
    expect(first.value.rows.map((row) => row.line)).not.toContain(5);
    expect(first.value.rows.map((row) => row.line)).not.toContain(6);
    const second = await april.call('batch-approval-detail', { batchId, afterLine: first.value.nextAfterLine! });
    expect(second.ok && second.value.rows.map((row) => row.paymentId)).toEqual(['S-48', 'S-49', 'S-50', 'S-51', 'S-52', 'S-53', 'S-54', 'S-55']);
    expect(second.ok && second.value.nextAfterLine).toBeNull();
    const validated = await startBatch(otto, ['N-1,ALICE,BOB,1.00,EUR,small']);
    expect(await april.call('batch-approval-detail', { batchId: validated.batchId })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    await engine.close();
  });

  it('holds a batch above the threshold with its totals per debtor reserved, and a second approver runs it', async () => {
    const { engine, otto, april } = await ledgerWithThreshold();
    const { batchId, started } = await startBatch(otto, bigBatch);
    expect(started).toMatchObject({ ok: true, value: { status: 'awaiting-approval', rowsDone: 0 } });
    expect(engine.controls.approvals.reservedMinor('ALICE')).toBe(55_000);
    expect(engine.controls.approvals.reservedMinor('CAROL')).toBe(10_000);
    // 450.01 of ALICE's 1000.00 would dip into the reservation; 450.00 fits.
    expect(await otto.call('payment-submit', { paymentId: 'P-1', debtor: 'ALICE', creditor: 'BOB', amount: '450.01', currency: 'EUR' }))
      .toMatchObject({ ok: true, value: { code: 'AM04' } });
    const listed = await april.call('batch-approval-list', { status: 'pending' });
    expect(listed).toMatchObject({
      ok: true,
      value: [{ batchId, fileName: 'big.csv', rows: 4, valid: 3, totals: [{ currency: 'EUR', amountMinor: 65_000 }], submittedBy: 'otto', status: 'pending' }],
    });
    expect(await otto.call('batch-approval-approve', { batchId })).toMatchObject({ ok: false, code: 'ROLE_REQUIRED' });
    expect(await april.call('batch-approval-approve', { batchId })).toMatchObject({ ok: true, value: { status: 'approved', decidedBy: 'april' } });
    expect(engine.controls.approvals.reservedMinor('ALICE')).toBe(0);
    expect(await batchService(engine).whenStopped(batchId)).toMatchObject({ status: 'completed', accepted: 3 });
    expect(engine.store.state.accounts.get('BOB')!.balanceMinor).toBe(65_000);
    const trail = engine.store.database.rows("SELECT actor, action FROM audit WHERE action LIKE 'batch-approval%' ORDER BY seq");
    expect(trail).toContainEqual(['april', 'batch-approval-approve']);
    expect(engine.verify()).toMatchObject({ ok: true });
    await engine.close();
  });

  it('refuses self-approval, and a rejection releases the reservation and keeps the batch listed as rejected across a restart', async () => {
    const { engine, ledgerPath, april } = await ledgerWithThreshold();
    const { batchId } = await startBatch(april, bigBatch);
    expect(await april.call('batch-approval-approve', { batchId })).toEqual({
      ok: false, code: 'SELF_APPROVAL', field: 'batchId', message: `You started batch ${batchId}, so you cannot approve it: another approver must decide.`,
    });
    expect(await april.call('batch-start', { batchId })).toMatchObject({ ok: false, code: 'FF01' });
    await engine.close();
    const reopened = await Engine.open(ledgerPath, { create: true });
    expect(reopened.controls.approvals.reservedMinor('ALICE')).toBe(55_000);
    const callers = await signIn(reopened, 'admin');
    expect(await callers.call('batch-approval-reject', { batchId, note: 'no invoices' })).toMatchObject({
      ok: true, value: { status: 'rejected', batchStatus: 'rejected', decidedBy: 'admin', note: 'no invoices' },
    });
    expect(reopened.controls.approvals.reservedMinor('ALICE')).toBe(0);
    expect(await callers.call('batch-approval-approve', { batchId })).toMatchObject({ ok: false, code: 'APPROVAL_DECIDED' });
    const rejected = await callers.call('batch-get', { batchId });
    expect(rejected).toMatchObject({ ok: true, value: { status: 'rejected', accepted: 0, finishedAtMs: expect.any(Number) } });
    expect(reopened.verify()).toMatchObject({ ok: true });
    await reopened.close();
    const again = await Engine.open(ledgerPath, { create: true });
    expect(await again.invoke('batch-approval-list', { status: 'rejected' })).toMatchObject({ ok: true, value: [{ batchId, note: 'no invoices' }] });
    await again.close();
  });

  it('runs a batch at or under the threshold at once', async () => {
    const { engine, otto } = await ledgerWithThreshold();
    const { batchId, started } = await startBatch(otto, ['S-1,ALICE,BOB,300.00,EUR,one', 'S-2,CAROL,BOB,200.00,EUR,two']);
    expect(started).toMatchObject({ ok: true, value: { status: 'running' } });
    expect(await batchService(engine).whenStopped(batchId)).toMatchObject({ status: 'completed', accepted: 2 });
    await engine.close();
  });

  it('paydesk batch leaves a batch above the threshold waiting, says so and exits 1', async () => {
    const folder = newFolder();
    const { engine, ledgerPath } = await ledgerWithThreshold(path.join(folder, 'ledger.paydesk'));
    await engine.close();
    const input = path.join(folder, 'big.csv');
    writeFileSync(input, `${header}\n${bigBatch.join('\n')}\n`);
    const cliPath = path.join(import.meta.dirname, '../../bin/paydesk.mjs');
    const outcome = await promisify(execFile)(process.execPath, [cliPath, 'batch', '--db', ledgerPath, input]).catch((error: unknown) => error);
    expect(outcome).toMatchObject({ code: 1, stderr: expect.stringContaining('waits for an approver') });
    const reopened = await Engine.open(ledgerPath, { create: true });
    expect(await reopened.invoke('batch-approval-list', { status: 'pending' })).toMatchObject({ ok: true, value: [{ submittedBy: 'cli' }] });
    expect(reopened.verify()).toMatchObject({ ok: true });
    await reopened.close();
  });
});
