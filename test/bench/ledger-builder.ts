import { Engine } from '../../electron/core/engine';
import type { PaymentRow } from '../../electron/core/records';
import { seededRandom } from './harness';

/** Rows per commit while building a large ledger: one journal frame each. */
const rowsPerCommit = 10_000;

export interface BuiltLedger {
  accountCodes: string[];
  payments: number;
}

/**
 * Fills a ledger with `payments` posted payments between `accountCount`
 * accounts through the engine's own commit path (so the file is exactly what
 * PayDesk writes), received over the last `spreadMs` milliseconds. About one
 * payment in fifty is a rejection, so the figures have failures to show.
 */
export async function buildLedger(ledgerPath: string, payments: number, seed: number, accountCount = 1000, spreadMs = 86_400_000): Promise<BuiltLedger> {
  const engine = await Engine.open(ledgerPath, { create: true, checkpointJournalBytes: Number.MAX_SAFE_INTEGER });
  const random = seededRandom(seed);
  const accountCodes = Array.from({ length: accountCount }, (_, index) => `ACC${String(index).padStart(5, '0')}`);
  for (const code of accountCodes) {
    const result = await engine.invoke('account-create', { code, name: `Customer ${code}`, currency: 'EUR', openingBalance: '10000000.00' });
    if (!result.ok) throw new Error(result.message);
  }
  const state = engine.store.state;
  const startMs = Date.now() - spreadMs;
  for (let done = 0; done < payments; done += rowsPerCommit) {
    const rows: PaymentRow[] = [];
    const latencyPairs: number[] = [];
    for (let index = done; index < Math.min(payments, done + rowsPerCommit); index++) {
      const debtor = accountCodes[Math.floor(random() * accountCount)];
      let creditor = accountCodes[Math.floor(random() * accountCount)];
      if (creditor === debtor) creditor = accountCodes[(accountCodes.indexOf(debtor) + 1) % accountCount];
      const rejected = random() < 0.02;
      rows.push({
        seq: state.lastPaymentSeq + 1 + rows.length, id: `GEN-${index}`, d: debtor, c: creditor, a: 1 + Math.floor(random() * 50_000),
        cur: 'EUR', ref: `INV-${index}`, s: rejected ? 0 : 1, code: rejected ? 'AM04' : 'ACSC',
        msg: rejected ? `Insufficient funds: account ${debtor} cannot cover this amount.` : null,
        ch: index % 3 === 0 ? 'realtime' : 'batch', b: index % 3 === 0 ? null : `GEN-BATCH-${Math.floor(index / 100_000)}`,
        l: null, at: Math.max(state.lastReceivedAtMs, startMs + Math.floor((index / payments) * spreadMs)),
      });
      latencyPairs.push(rows[rows.length - 1].seq, Math.round(150 * Math.exp(random() * 3)));
    }
    const lsn = engine.store.commit([{ t: 'payments', rows }, { t: 'latency', pairs: latencyPairs }]);
    await engine.store.whenDurable(lsn);
  }
  await engine.close();
  return { accountCodes, payments };
}
