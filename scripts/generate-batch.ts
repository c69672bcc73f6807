/**
 * Writes a seeded batch file for benchmarks, crash tests and demos, streaming,
 * so a million rows never sit in memory. `--help` prints the usage below.
 * The default accounts are the EUR accounts of `paydesk init --demo`.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isKnownCurrency } from '../shared/currencies';
import { formatMinor } from '../shared/money';

export const defaultAccounts = ['ACME-OPS', 'ACME-PAYROLL', 'GLOBEX', 'INITECH'];
export const defaultCurrency = 'EUR';
/** Each row moves between 1 and this many minor units (0.01 to 5.00 in EUR), so demo balances last. */
const rowAmountMinorMax = 500;

export const usage = `usage: node --import tsx scripts/generate-batch.ts OUT.csv [options]
  --rows N          rows to write (default 1000)
  --seed S          the same seed writes the same file (default 1)
  --prefix P        payment ids are P-1, P-2, ... (default pay)
  --currency CUR    ISO 4217 code of every row; amounts use its decimals (default ${defaultCurrency})
  --accounts A,B,.. account codes to pay between, at least two (default: ${defaultAccounts.join(',')})
  --ledger FILE     instead of --accounts: the open customer and internal accounts of this ledger in --currency
  --help            print this and exit`;

/** A small linear congruential generator: the same seed writes the same file. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
}

export async function generateBatch(
  outputPath: string, rows: number, seed: number, prefix: string, accounts: string[], currency = defaultCurrency,
): Promise<void> {
  if (accounts.length < 2) throw new Error('a batch needs at least two accounts to pay between');
  const random = seededRandom(seed);
  const output = createWriteStream(outputPath);
  let text = 'payment_id,debtor_account,creditor_account,amount,currency,reference\n';
  for (let index = 1; index <= rows; index++) {
    const debtor = Math.floor(random() * accounts.length);
    const creditor = (debtor + 1 + Math.floor(random() * (accounts.length - 1))) % accounts.length;
    const amountMinor = 1 + Math.floor(random() * rowAmountMinorMax);
    text += `${prefix}-${index},${accounts[debtor]},${accounts[creditor]},${formatMinor(amountMinor, currency)},${currency},Invoice ${index}\n`;
    if (text.length > 1 << 20) {
      if (!output.write(text)) await once(output, 'drain');
      text = '';
    }
  }
  output.end(text);
  await once(output, 'close');
}

export class UsageError extends Error {}

/** The open customer and internal accounts of a ledger in one currency (the ledger is opened, read and closed). */
export async function ledgerAccounts(ledgerPath: string, currency: string): Promise<string[]> {
  if (!existsSync(ledgerPath)) throw new UsageError(`no ledger at ${ledgerPath}`);
  // Loaded only here, so writing a file from a list of accounts does not load sql.js.
  const { Engine } = await import('../electron/core/engine');
  let engine: Awaited<ReturnType<typeof Engine.open>>;
  try {
    engine = await Engine.open(ledgerPath);
  } catch (error) {
    // Held by a running PayDesk, not a ledger, or failing verification: the engine's sentence says which.
    throw new UsageError(`cannot read the accounts of ${ledgerPath}: ${(error as Error).message}`);
  }
  try {
    return engine
      .listAccounts(undefined)
      .filter((account) => account.currency === currency && account.status === 'open' && account.kind !== 'equity')
      .map((account) => account.code);
  } finally {
    await engine.close();
  }
}

function count(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new UsageError(`--${name} must be a whole number, not "${text}"`);
  return value;
}

/** Runs the command line; returns the exit code (0 written or help, 2 bad arguments). */
export async function main(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        rows: { type: 'string' }, seed: { type: 'string' }, prefix: { type: 'string' }, accounts: { type: 'string' },
        currency: { type: 'string' }, ledger: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      out.write(`${usage}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('name one output file');
    if (values.accounts !== undefined && values.ledger !== undefined) throw new UsageError('give --accounts or --ledger, not both');
    const currency = (values.currency ?? defaultCurrency).toUpperCase();
    if (!isKnownCurrency(currency)) throw new UsageError(`--currency ${currency} is not an ISO 4217 code`);
    const accounts = values.ledger !== undefined
      ? await ledgerAccounts(values.ledger, currency)
      : (values.accounts?.split(',').map((code) => code.trim()).filter((code) => code !== '') ?? defaultAccounts);
    if (accounts.length < 2) throw new UsageError(`at least two ${currency} accounts are needed; found ${accounts.length}`);
    const rows = count(values.rows, 1000, 'rows');
    await generateBatch(positionals[0], rows, count(values.seed, 1, 'seed'), values.prefix ?? 'pay', accounts, currency);
    out.write(`Wrote ${rows} ${currency} rows between ${accounts.length} accounts to ${positionals[0]}.\n`);
    return 0;
  } catch (error) {
    const known = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (!known) throw error;
    err.write(`generate-batch: ${(error as Error).message}\n${usage}\n`);
    return 2;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
