import path from 'node:path';
import { Engine } from '../../electron/core/engine';
import { buildLedger } from './ledger-builder';
import { elapsedMs, median, type BenchCase } from './harness';

/** Payments left in the journal past the last checkpoint, so opening includes a real recovery. */
const journalPayments = 20_000;

/**
 * Opening a ledger of N payments, recovery and verify included: the file is
 * checkpointed, then more payments are made and the process "stops" without a
 * checkpoint (the files are left as a crash leaves them).
 */
export const openLedger: BenchCase = {
  name: 'open a ledger (load, replay the journal, verify)',
  repeat: false,
  async run({ workFolder, rows, seed, runs }) {
    const ledgerPath = path.join(workFolder, `open-${rows}.paydesk`);
    await buildLedger(ledgerPath, rows, seed);
    const engine = await Engine.open(ledgerPath, { create: true, checkpointJournalBytes: Number.MAX_SAFE_INTEGER });
    for (let index = 0; index < journalPayments; index++) {
      await engine.submitPayment({ paymentId: `J-${index}`, debtor: 'ACC00001', creditor: 'ACC00002', amount: '0.01', currency: 'EUR' });
    }
    // Leave the journal as a crash would: flushed, but never folded into the file.
    await engine.store.whenAllDurable();
    const expectedPayments = engine.info().payments;
    const copyPath = path.join(workFolder, `open-${rows}-crashed.paydesk`);
    await copyLedgerFiles(ledgerPath, copyPath);
    await engine.close();
    const timesMs: number[] = [];
    for (let run = 0; run < runs; run++) {
      const scratch = path.join(workFolder, `open-run-${run}.paydesk`);
      await copyLedgerFiles(copyPath, scratch);
      const startNs = process.hrtime.bigint();
      const reopened = await Engine.open(scratch, { create: true });
      timesMs.push(elapsedMs(startNs));
      const payments = reopened.info().payments;
      if (payments !== expectedPayments) throw new Error(`the reopened ledger holds ${payments} payments, not ${expectedPayments}`);
      await reopened.close();
    }
    const name = `open ${rows.toLocaleString('en')} payments + ${journalPayments.toLocaleString('en')} in the journal`;
    return [{ name, value: median(timesMs), unit: 'ms', target: { kind: 'max', value: 2000 } }];
  },
};

async function copyLedgerFiles(fromPath: string, toPath: string): Promise<void> {
  const { readdir, copyFile } = await import('node:fs/promises');
  const folder = path.dirname(fromPath);
  const base = path.basename(fromPath);
  for (const name of await readdir(folder)) {
    // The manifest too: without it a checkpointed ledger is refused at open.
    if (name === base || name === `${base}.manifest` || name.startsWith(`${base}-journal-`)) {
      await copyFile(path.join(folder, name), path.join(path.dirname(toPath), name.replace(base, path.basename(toPath))));
    }
  }
}
