/**
 * Writes a seeded batch file for benchmarks and crash tests, streaming, so a
 * million rows never sit in memory:
 *   node --import tsx scripts/generate-batch.ts OUT.csv [--rows N] [--seed S] [--prefix P] [--accounts A,B,...]
 * The default accounts are the EUR accounts of `paydesk init --demo`.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';

export const defaultAccounts = ['ACME-OPS', 'ACME-PAYROLL', 'GLOBEX', 'INITECH'];

/** A small linear congruential generator: the same seed writes the same file. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
}

export async function generateBatch(outputPath: string, rows: number, seed: number, prefix: string, accounts: string[]): Promise<void> {
  const random = seededRandom(seed);
  const output = createWriteStream(outputPath);
  let text = 'payment_id,debtor_account,creditor_account,amount,currency,reference\n';
  for (let index = 1; index <= rows; index++) {
    const debtor = Math.floor(random() * accounts.length);
    const creditor = (debtor + 1 + Math.floor(random() * (accounts.length - 1))) % accounts.length;
    const cents = 1 + Math.floor(random() * 500);
    text += `${prefix}-${index},${accounts[debtor]},${accounts[creditor]},${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')},EUR,Invoice ${index}\n`;
    if (text.length > 1 << 20) {
      if (!output.write(text)) await once(output, 'drain');
      text = '';
    }
  }
  output.end(text);
  await once(output, 'close');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { rows: { type: 'string' }, seed: { type: 'string' }, prefix: { type: 'string' }, accounts: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new Error('usage: generate-batch.ts OUT.csv [--rows N] [--seed S] [--prefix P] [--accounts A,B]');
  await generateBatch(positionals[0], Number(values.rows ?? 1000), Number(values.seed ?? 1), values.prefix ?? 'pay', values.accounts?.split(',') ?? defaultAccounts);
}
