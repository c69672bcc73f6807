import { failure, success, type Result } from '../../../shared/result';
import type { SqliteDatabase } from '../storage/sqlite';
import type { LedgerStore } from '../ledger-store';

/**
 * A demo ledger is a file created for demos (`paydesk demo`, `paydesk init
 * --demo`): marked so in its settings when it was still empty, and named so
 * in the header. Only a demo ledger runs the load generator, so made-up
 * traffic never reaches a ledger that holds real money or a real audit trail.
 */
export const ledgerKindKey = 'ledger-kind';

export function isDemoLedger(database: SqliteDatabase): boolean {
  return database.value('SELECT value FROM settings WHERE key = ?', [ledgerKindKey]) === 'demo';
}

/** Marks a fresh ledger as a demo ledger; a ledger that already holds accounts or payments stays what it is. */
export async function markDemoLedger(store: LedgerStore): Promise<Result<void>> {
  if (store.state.accounts.size > 0 || store.state.lastPaymentSeq > 0) {
    return failure('FF01', 'Only a new, empty ledger can become a demo ledger: this one already holds accounts or payments.');
  }
  const note = { target: 'ledger', detail: 'ledger created as a demo ledger: the load generator may run on it' };
  await store.whenDurable(store.commit([{ t: 'setting', key: ledgerKindKey, value: 'demo' }], note));
  return success(undefined);
}

export const demoOnlyMessage =
  'The load generator runs only on a demo ledger, never on one that holds real money: create one with "paydesk demo --db demo.paydesk" '
  + 'and open that file.';
