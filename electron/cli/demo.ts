import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Engine } from '../core/engine';
import { markDemoLedger } from '../core/demo/demo-ledger';
import type { HistoryResult } from '../core/demo/history';
import { formatMinor } from '../../shared/money';

/** A few accounts in two currencies with balances, enough to try every screen. */
export const demoAccounts = [
  { code: 'ACME-OPS', name: 'Acme Operations', currency: 'EUR', openingBalance: '250000.00' },
  { code: 'ACME-PAYROLL', name: 'Acme Payroll', currency: 'EUR', openingBalance: '80000.00' },
  { code: 'GLOBEX', name: 'Globex Supplies', currency: 'EUR', openingBalance: '1200.00' },
  { code: 'INITECH', name: 'Initech Ltd', currency: 'EUR', openingBalance: '0' },
  { code: 'UMBRELLA-US', name: 'Umbrella Corp US', currency: 'USD', openingBalance: '500000.00' },
  { code: 'HOOLI-US', name: 'Hooli Inc', currency: 'USD', openingBalance: '15000.00' },
  { code: 'STARK-US', name: 'Stark Industries', currency: 'USD', openingBalance: '0' },
] as const;

/** A few accounts to try every screen with; `markDemo` makes the new ledger a demo ledger first (paydesk init --demo). */
export async function seedDemoLedger(engine: Engine, markDemo = false): Promise<void> {
  if (markDemo) await requireDemoLedger(engine);
  for (const account of demoAccounts) {
    const result = await engine.invoke('account-create', { ...account });
    if (!result.ok) throw new Error(`demo account ${account.code}: ${result.message}`);
  }
}

/** Marks the new ledger as a demo ledger, or stops the command: demo data never goes into a real ledger. */
export async function requireDemoLedger(engine: Engine): Promise<void> {
  const marked = await markDemoLedger(engine.store);
  if (!marked.ok) throw new Error(marked.message);
}

/** Rows in the sample batch file; a few are wrong on purpose so validation has something to show. */
export const sampleBatchRows = 60;

/**
 * The sample files `paydesk demo` writes beside the ledger: a batch of
 * payments to import, and a statement of the first demo account whose lines
 * match some of its history payments (by reference, and one by amount and
 * date only) and hold two the ledger has never seen.
 */
export async function writeDemoFiles(folder: string, history: HistoryResult): Promise<string[]> {
  await mkdir(folder, { recursive: true });
  const batchPath = path.join(folder, 'sample-batch.csv');
  const statementPath = path.join(folder, `sample-statement-${history.statementAccount}.csv`);
  await writeFile(batchPath, sampleBatchCsv());
  await writeFile(statementPath, sampleStatementCsv(history));
  return [batchPath, statementPath];
}

function sampleBatchCsv(): string {
  const parties = [['ACME-OPS', 'GLOBEX'], ['ACME-PAYROLL', 'INITECH'], ['UMBRELLA-US', 'STARK-US'], ['HOOLI-US', 'UMBRELLA-US']];
  const lines = ['payment_id,debtor,creditor,amount,currency,reference'];
  for (let line = 1; line <= sampleBatchRows; line++) {
    const [debtor, creditor] = parties[line % parties.length];
    const currency = debtor.endsWith('-US') ? 'USD' : 'EUR';
    let amount = `${(10 + ((line * 37) % 900)).toString()}.${String((line * 13) % 100).padStart(2, '0')}`;
    let creditorCode = creditor;
    if (line === 17) creditorCode = 'NOBODY';
    if (line === 33) amount = '12.345';
    lines.push(`sample-batch-${line},${debtor},${creditorCode},${amount},${currency},Sample batch line ${line}`);
  }
  return `${lines.join('\n')}\n`;
}

function sampleStatementCsv(history: HistoryResult): string {
  const lines = ['date,amount,currency,reference,description'];
  const day = (atMs: number) => new Date(atMs).toISOString().slice(0, 10);
  const sample = history.statementSample.slice(0, 12);
  sample.forEach((entry, index) => {
    const reference = index === sample.length - 1 ? '' : entry.reference;
    lines.push(`${day(entry.receivedAtMs)},${formatMinor(entry.amountMinor, 'EUR')},EUR,${reference},Payment with ${entry.counterparty}`);
  });
  const lastDay = day(sample.length > 0 ? sample[sample.length - 1].receivedAtMs : Date.now());
  lines.push(`${lastDay},-15.00,EUR,BANK-FEE-1,Account maintenance fee`);
  lines.push(`${lastDay},1250.00,EUR,UNKNOWN-CREDIT-7,Incoming transfer not in the ledger`);
  return `${lines.join('\n')}\n`;
}
