import type { VerifyReport } from '../../shared/domain';
import type { SqliteDatabase } from './storage/sqlite';

/** Problems listed per check before the report says "and N more": a bound on what a broken ledger prints. */
const problemsPerCheck = 20;

interface AccountRow {
  id: number;
  code: string;
  currency: string;
  balanceMinor: number;
}

/**
 * Checks the ledger's invariants from the database alone:
 * every currency sums to zero; every balance equals the sum of its posted
 * transfers; no payment id appears twice; every posted transfer moves a
 * positive amount between two different accounts of its own currency.
 *
 * The transfers are summed in one pass over the payments table in JS: on a
 * million payments that is several times faster than SQLite grouping them,
 * and verify runs at every open.
 */
export function verifyLedger(database: SqliteDatabase): VerifyReport {
  const problems: string[] = [];
  const add = (found: string[]) => {
    problems.push(...found.slice(0, problemsPerCheck));
    if (found.length > problemsPerCheck) problems.push(`… and ${found.length - problemsPerCheck} more like the above.`);
  };
  const accounts = database
    .rows('SELECT id, code, currency, balance_minor FROM accounts')
    .map(([id, code, currency, balanceMinor]) => ({ id, code, currency, balanceMinor }) as AccountRow);
  add(currencySums(accounts));
  const { net, invalid, checkedPayments } = sumPostedTransfers(database, accounts);
  add(invalid);
  add(
    accounts
      .filter((account) => account.balanceMinor !== (net.get(account.id) ?? 0))
      .map((account) => `Account ${account.code} shows ${account.balanceMinor} but its posted transfers sum to ${net.get(account.id) ?? 0}.`),
  );
  add(
    database
      .rows('SELECT payment_id, COUNT(*) FROM payments GROUP BY payment_id HAVING COUNT(*) > 1')
      .map(([paymentId, count]) => `Payment ${paymentId} is recorded ${count} times.`),
  );
  return { ok: problems.length === 0, problems, checkedAccounts: accounts.length, checkedPayments };
}

function currencySums(accounts: AccountRow[]): string[] {
  const sums = new Map<string, bigint>();
  for (const account of accounts) sums.set(account.currency, (sums.get(account.currency) ?? 0n) + BigInt(account.balanceMinor));
  return [...sums]
    .filter(([, sum]) => sum !== 0n)
    .map(([currency, sum]) => `The balances in ${currency} sum to ${sum} minor units instead of zero.`);
}

function sumPostedTransfers(database: SqliteDatabase, accounts: AccountRow[]) {
  // Account ids are small dense integers: arrays indexed by id beat maps on a million rows.
  const maxId = accounts.reduce((max, account) => Math.max(max, account.id), 0);
  const byId: (AccountRow | undefined)[] = new Array(maxId + 1);
  for (const account of accounts) byId[account.id] = account;
  const currencyIndex = new Map([...new Set(accounts.map((account) => account.currency))].map((currency, index) => [currency, index]));
  const netById = new Float64Array(maxId + 1);
  const invalidSeqs: number[] = [];
  const statement = database.statement('SELECT seq, debtor_id, creditor_id, amount_minor, currency FROM payments WHERE status = 1');
  try {
    while (statement.step()) {
      const [seq, debtorId, creditorId, amountMinor, currency] = statement.get() as [number, number, number, number, string];
      const debtor = byId[debtorId];
      const creditor = byId[creditorId];
      const valid = debtor !== undefined && creditor !== undefined && debtor !== creditor && amountMinor > 0 &&
        debtor.currency === currency && creditor.currency === currency && currencyIndex.has(currency);
      if (!valid) {
        invalidSeqs.push(seq);
        continue;
      }
      netById[debtorId] -= amountMinor;
      netById[creditorId] += amountMinor;
    }
  } finally {
    statement.reset();
  }
  const net = new Map(accounts.map((account) => [account.id, netById[account.id]]));
  const invalid = invalidSeqs.map((seq) => {
    const paymentId = database.value('SELECT payment_id FROM payments WHERE seq = ?', [seq]);
    return `Posted payment ${paymentId} has an invalid amount, account or currency.`;
  });
  const checkedPayments = Number(database.value('SELECT COUNT(*) FROM payments'));
  return { net, invalid, checkedPayments };
}
