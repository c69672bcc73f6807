import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { batchService } from '../../electron/core/batch/batch-handlers';
import { backends, newLedgerLocation, type BackendName } from '../support/postgres';
import { useTempFolder } from '../support/temp-folder';
import { withOperators } from '../support/operators';

/** Four-eyes: payments above the threshold wait with their funds reserved until a different approver decides. */
const newFolder = useTempFolder('paydesk-approval-');

async function ledgerWithThreshold(backend: BackendName) {
  const ledgerPath = await newLedgerLocation(backend, newFolder());
  const engine = await Engine.open(ledgerPath, { create: true });
  const callers = await withOperators(engine, { otto: 'operator', april: 'approver', adam: 'approver' });
  await callers.otto.call('account-create', { code: 'ALICE', name: 'Alice', currency: 'EUR', openingBalance: '1000.00' });
  await callers.otto.call('account-create', { code: 'BOB', name: 'Bob', currency: 'EUR' });
  expect(await callers.otto.call('approval-threshold-set', { currency: 'EUR', amount: '500.00' })).toMatchObject({ ok: false, code: 'ROLE_REQUIRED' });
  expect(await callers.admin.call('approval-threshold-set', { currency: 'EUR', amount: '500.00' })).toMatchObject({
    ok: true, value: [{ currency: 'EUR', thresholdMinor: 50_000 }],
  });
  return { engine, ledgerPath, ...callers };
}

function balance(engine: Engine, code: string): number {
  return engine.store.state.accounts.get(code)!.balanceMinor;
}

const bigPayment = { paymentId: 'BIG-1', debtor: 'ALICE', creditor: 'BOB', amount: '600.00', currency: 'EUR' } as const;

describe.each(backends())('four-eyes approval on the %s back end', (backend) => {
    it('holds a payment above the threshold with its funds reserved, and a second approver posts it', async () => {
      const { engine, otto, april } = await ledgerWithThreshold(backend);
      const atThreshold = await otto.call('payment-submit', { ...bigPayment, paymentId: 'SMALL', amount: '500.00' });
      expect(atThreshold).toMatchObject({ ok: true, value: { status: 'accepted' } });
      expect(await otto.call('payment-submit', { ...bigPayment, amount: '400.01' })).toMatchObject({ ok: true, value: { status: 'accepted' } });
      // 99.99 left: a fresh request above the threshold that could not be paid is simply rejected, never held.
      expect(await otto.call('payment-submit', { ...bigPayment, paymentId: 'BIG-2' })).toMatchObject({ ok: true, value: { status: 'rejected', code: 'AM04' } });
      await engine.close();
      const fresh = await ledgerWithThreshold(backend);
      const held = await fresh.otto.call('payment-submit', bigPayment);
      expect(held).toMatchObject({ ok: true, value: { status: 'pending', code: 'PENDING_APPROVAL', replayed: false } });
      expect(balance(fresh.engine, 'ALICE')).toBe(100_000);
      // 600 reserved of 1000: 400.01 more is refused, 400.00 fits.
      const overdraft = await fresh.otto.call('payment-submit', { ...bigPayment, paymentId: 'P-2', amount: '400.01' });
      expect(overdraft).toMatchObject({ ok: true, value: { code: 'AM04' } });
      expect(await fresh.otto.call('payment-submit', bigPayment)).toMatchObject({ ok: true, value: { status: 'pending', replayed: true } });
      expect(await fresh.otto.call('payment-submit', { ...bigPayment, amount: '600.01' })).toMatchObject({ ok: false, code: 'DUPL' });
      const pending = await fresh.april.call('approval-list', { status: 'pending' });
      expect(pending).toMatchObject({ ok: true, value: [{ paymentId: 'BIG-1', submittedBy: 'otto', amountMinor: 60_000, status: 'pending' }] });
      expect(fresh.engine.verify()).toMatchObject({ ok: true });
      expect(await fresh.otto.call('approval-approve', { paymentId: 'BIG-1' })).toMatchObject({ ok: false, code: 'ROLE_REQUIRED' });
      expect(await fresh.april.call('approval-approve', { paymentId: 'BIG-1' })).toMatchObject({ ok: true, value: { status: 'approved', decidedBy: 'april' } });
      expect(balance(fresh.engine, 'ALICE')).toBe(40_000);
      expect(balance(fresh.engine, 'BOB')).toBe(60_000);
      expect(await fresh.otto.call('payment-submit', bigPayment)).toMatchObject({ ok: true, value: { status: 'accepted', replayed: true } });
      expect(await fresh.april.call('approval-approve', { paymentId: 'BIG-1' })).toMatchObject({ ok: false, code: 'APPROVAL_DECIDED' });
      expect(fresh.engine.verify()).toMatchObject({ ok: true });
      await fresh.engine.close();
    });

    it('refuses self-approval with a code and a sentence, even to an administrator', async () => {
      const { engine, april, admin, adam } = await ledgerWithThreshold(backend);
      expect(await april.call('payment-submit', bigPayment)).toMatchObject({ ok: true, value: { status: 'pending' } });
      expect(await april.call('approval-approve', { paymentId: 'BIG-1' })).toEqual({
        ok: false, code: 'SELF_APPROVAL', field: 'paymentId',
        message: 'You submitted payment BIG-1, so you cannot approve it: another approver must decide.',
      });
      expect(await adam.call('approval-approve', { paymentId: 'BIG-1' })).toMatchObject({ ok: true, value: { status: 'approved' } });
      const back = { paymentId: 'BIG-ADMIN', debtor: 'BOB', creditor: 'ALICE', amount: '550.00', currency: 'EUR' };
      expect(await admin.call('payment-submit', back)).toMatchObject({ ok: true, value: { status: 'pending' } });
      expect(await admin.call('approval-approve', { paymentId: 'BIG-ADMIN' })).toMatchObject({ ok: false, code: 'SELF_APPROVAL' });
      await engine.close();
    });

    it('a rejection releases the reservation, stays listed and in the trail, and survives a restart', async () => {
      const { engine, ledgerPath, otto, april } = await ledgerWithThreshold(backend);
      await otto.call('payment-submit', bigPayment);
      expect(await april.call('approval-reject', { paymentId: 'BIG-1', note: 'no invoice' })).toMatchObject({ ok: true, value: { status: 'rejected' } });
      // Released: 550.00 fits in the 1000.00 again.
      const again = await otto.call('payment-submit', { ...bigPayment, paymentId: 'BIG-2', amount: '550.00' });
      expect(again).toMatchObject({ ok: true, value: { status: 'pending' } });
      expect(await otto.call('payment-submit', bigPayment)).toMatchObject({ ok: true, value: { status: 'rejected', code: 'APPROVAL_REJECTED' } });
      const smaller = await otto.call('payment-submit', { ...bigPayment, paymentId: 'P-3', amount: '450.00' });
      expect(smaller).toMatchObject({ ok: true, value: { status: 'accepted' } });
      await engine.close();
      const reopened = await Engine.open(ledgerPath, { create: true });
      const rows = reopened.store.database.rows('SELECT payment_id, status, decided_by, note FROM approvals ORDER BY payment_id');
      expect(rows).toEqual([['BIG-1', 'rejected', 'april', 'no invoice'], ['BIG-2', 'pending', null, null]]);
      const trail = reopened.store.database.rows("SELECT actor, action, outcome FROM audit WHERE target = 'BIG-1' ORDER BY seq");
      expect(trail).toEqual([['otto', 'payment-submit', 'pending'], ['april', 'approval-reject', 'rejected']]);
      expect(reopened.verify()).toMatchObject({ ok: true });
      // BIG-2's 550.00 is still reserved after the restart.
      expect(reopened.controls.approvals.reservedMinor('ALICE')).toBe(55_000);
      await reopened.close();
    });

    it('keeps a batch from spending funds that a payment waiting for approval reserves', async () => {
      const { engine, otto, april } = await ledgerWithThreshold(backend);
      await otto.call('payment-submit', bigPayment);
      const filePath = path.join(newFolder(), 'spend-reserved.csv');
      const header = 'payment_id,debtor_account,creditor_account,amount,currency,reference';
      writeFileSync(filePath, `${header}\nB-1,ALICE,BOB,300.00,EUR,fits\nB-2,ALICE,BOB,200.00,EUR,reserved\n`);
      const fileId = await batchService(engine).importFromDisk(filePath, 'spend-reserved.csv');
      const preview = await engine.invoke('batch-inspect', { fileId });
      if (!preview.ok) throw new Error(preview.message);
      const validation = await engine.invoke('batch-validate', { fileId, mapping: preview.value.suggestedMapping });
      if (!validation.ok) throw new Error(validation.message);
      const batchId = validation.value.batch.batchId;
      expect(await engine.invoke('batch-start', { batchId })).toMatchObject({ ok: true });
      await batchService(engine).whenStopped(batchId);
      // 1000.00 less 600.00 reserved leaves 400.00: the first row fits, the second would dip into the reservation.
      expect(engine.store.database.rows("SELECT payment_id, code FROM payments WHERE batch_id = ? ORDER BY seq", [batchId])).toEqual([
        ['B-1', 'ACSC'], ['B-2', 'AM04'],
      ]);
      expect(await april.call('approval-approve', { paymentId: 'BIG-1' })).toMatchObject({ ok: true, value: { status: 'approved' } });
      expect(balance(engine, 'ALICE')).toBe(10_000);
      expect(engine.verify()).toMatchObject({ ok: true });
      await engine.close();
    });

    it('asks for confirmation before a threshold is raised or removed, and audits each change in decimal amounts', async () => {
      const { engine, admin } = await ledgerWithThreshold(backend);
      const raise = { currency: 'EUR', amount: '1000.00' };
      expect(await admin.call('approval-threshold-set', raise)).toMatchObject({
        ok: false, code: 'CONFIRMATION_REQUIRED', field: 'confirmed',
        message: 'Raising the EUR approval threshold from 500.00 EUR to 1,000.00 EUR lets payments up to 1,000.00 EUR post without a second operator.'
          + ' Confirm to go on.',
      });
      expect(await admin.call('approval-threshold-set', { ...raise, confirmed: true })).toMatchObject({ ok: true, value: [{ thresholdMinor: 100_000 }] });
      // Lowering tightens the control: no confirmation.
      expect(await admin.call('approval-threshold-set', { currency: 'EUR', amount: '250.00' })).toMatchObject({ ok: true });
      expect(await admin.call('approval-threshold-set', { currency: 'EUR', amount: null })).toMatchObject({ ok: false, code: 'CONFIRMATION_REQUIRED' });
      expect(await admin.call('approval-threshold-set', { currency: 'EUR', amount: null, confirmed: true })).toMatchObject({ ok: true, value: [] });
      expect(await admin.call('approval-threshold-set', { currency: 'USD', amount: null, confirmed: true })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
      expect(await admin.call('approval-threshold-set', { currency: 'XYZ', amount: '1.00' })).toMatchObject({ ok: false, code: 'AM03' });
      const audit = await admin.call('audit-list', { action: 'approval-threshold-set' });
      const entries = audit.ok ? audit.value.items.filter((entry) => entry.outcome === 'ok').map((entry) => entry.detail) : [];
      expect(entries).toEqual([
        'Removing the EUR approval threshold of 250.00 EUR lets every EUR payment and batch post without a second operator. (confirmed)',
        'EUR approval threshold lowered from 1,000.00 EUR to 250.00 EUR.',
        'Raising the EUR approval threshold from 500.00 EUR to 1,000.00 EUR lets payments up to 1,000.00 EUR post without a second operator. (confirmed)',
        'EUR approval threshold set to 500.00 EUR (there was none).',
      ]);
      await engine.close();
    });
});
