import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bidiControlNames, bidiControlProblem, revealBidiControls } from '../../shared/bidi';
import { accountCreateSchema, paymentRequestSchema } from '../../shared/schemas';
import { operatorCreateSchema } from '../../shared/access';
import { Engine } from '../../electron/core/engine';
import { batchService } from '../../electron/core/batch/batch-handlers';
import { useTempFolder } from '../support/temp-folder';
import { uploadAndValidate } from '../support/batch-steps';

/** Bidirectional controls (Trojan Source) are refused wherever text enters the ledger, with a sentence naming the character. */
const newFolder = useTempFolder('paydesk-bidi-');
const header = 'payment_id,debtor_account,creditor_account,amount,currency,reference';
const override = '\u202e';

async function openLedger(): Promise<Engine> {
  const engine = await Engine.open(path.join(newFolder(), 'ledger.paydesk'), { create: true });
  for (const [code, openingBalance] of [['ALICE', '100.00'], ['BOB', '0']]) {
    const created = await engine.invoke('account-create', { code, name: `Account ${code}`, currency: 'EUR', openingBalance });
    if (!created.ok) throw new Error(created.message);
  }
  return engine;
}

function firstMessage(result: { success: boolean; error?: { issues: { message: string }[] } }): string | undefined {
  return result.error?.issues[0].message;
}

describe('bidirectional control characters', () => {
  it('every one of the twelve is refused in a reference, an id, an account code and a name, naming the character', () => {
    expect(bidiControlNames.size).toBe(12);
    for (const [codePoint, name] of bidiControlNames) {
      const control = String.fromCodePoint(codePoint);
      const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
      const payment = { paymentId: 'P-1', debtor: 'ALICE', creditor: 'BOB', amount: '1.00', currency: 'EUR' };
      expect(firstMessage(paymentRequestSchema.safeParse({ ...payment, reference: `Invoice ${control}2001` })))
        .toBe(`The reference contains U+${hex} ${name}, which can disguise text; remove it.`);
      expect(firstMessage(paymentRequestSchema.safeParse({ ...payment, paymentId: `P-${control}1` })))
        .toBe(`The payment id contains U+${hex} ${name}, which can disguise text; remove it.`);
      expect(firstMessage(paymentRequestSchema.safeParse({ ...payment, creditor: `BOB${control}` })))
        .toBe(`The account code contains U+${hex} ${name}, which can disguise text; remove it.`);
      expect(firstMessage(accountCreateSchema.safeParse({ code: 'C', name: `Carol ${control}`, currency: 'EUR' })))
        .toBe(`The account name contains U+${hex} ${name}, which can disguise text; remove it.`);
      const operator = { username: 'carol', displayName: `Carol ${control}`, password: 'correct horse battery', role: 'viewer' };
      expect(firstMessage(operatorCreateSchema.safeParse(operator)))
        .toBe(`The display name contains U+${hex} ${name}, which can disguise text; remove it.`);
    }
    // Right-to-left text itself is welcome: only the invisible controls are refused.
    expect(bidiControlProblem('The reference', 'فاتورة 2001 חשבונית')).toBeNull();
    expect(revealBidiControls(`a${override}b`)).toBe('a<U+202E>b');
  });

  it('a payment whose reference holds U+202E is refused with FF01 and the sentence, and nothing is recorded', async () => {
    const engine = await openLedger();
    const result = await engine.invoke('payment-submit', {
      paymentId: 'P-1', debtor: 'ALICE', creditor: 'BOB', amount: '1.00', currency: 'EUR', reference: `Invoice ${override}0102`,
    });
    expect(result).toEqual({
      ok: false, code: 'FF01', field: 'reference',
      message: 'The reference contains U+202E RIGHT-TO-LEFT OVERRIDE, which can disguise text; remove it.',
    });
    expect(await engine.invoke('payment-get', { paymentId: 'P-1' })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    const named = await engine.invoke('account-create', { code: 'CAROL', name: `Carol \u2067evil\u2069`, currency: 'EUR' });
    expect(named).toMatchObject({ ok: false, code: 'FF01', field: 'name', message: expect.stringContaining('U+2067 RIGHT-TO-LEFT ISOLATE') });
    expect(engine.store.state.accounts.has('CAROL')).toBe(false);
    await engine.close();
  });

  it('batch rows with a bidi control in the reference or the payment id are invalid with the sentence; the other rows are paid', async () => {
    const engine = await openLedger();
    const text = `${header}\nB-1,ALICE,BOB,1.00,EUR,fine\nB-2,ALICE,BOB,2.00,EUR,Invoice ${override}2001\nB-\u200f3,ALICE,BOB,3.00,EUR,ok\n`;
    const validation = await uploadAndValidate(engine.invoke.bind(engine), 'bidi.csv', text);
    expect(validation.batch).toMatchObject({ rows: 3, valid: 1, invalid: 2 });
    expect(validation.errors).toEqual([
      {
        line: 3, field: 'reference', value: 'Invoice <U+202E>2001', code: 'FF01',
        message: 'The reference contains U+202E RIGHT-TO-LEFT OVERRIDE, which can disguise text; remove it.',
      },
      {
        line: 4, field: 'paymentId', value: 'B-<U+200F>3', code: 'FF01',
        message: 'Payment id contains U+200F RIGHT-TO-LEFT MARK, which can disguise text; remove it.',
      },
    ]);
    // A file name that would display "invoice.csv" while it ends in something else.
    expect(await engine.invoke('batch-upload', { fileId: null, fileName: `invoice${override}vsc.exe`, offset: 0, text }))
      .toMatchObject({ ok: false, code: 'FF01', field: 'fileName', message: expect.stringContaining('U+202E RIGHT-TO-LEFT OVERRIDE') });
    const batchId = validation.batch.batchId;
    expect(await engine.invoke('batch-start', { batchId })).toMatchObject({ ok: true });
    expect(await batchService(engine).whenStopped(batchId)).toMatchObject({ status: 'completed', accepted: 1, skipped: 2 });
    expect(engine.store.database.value("SELECT COUNT(*) FROM payments WHERE reference LIKE '%' || char(8238) || '%'")).toBe(0);
    await engine.close();
  });
});
