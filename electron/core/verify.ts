import type { VerifyReport } from '../../shared/domain';
import type { SqliteDatabase } from './storage/sqlite';

/** Problems listed per check before the report says "and N more": a bound on what a broken ledger prints. */
const problemsPerCheck = 20;

/**
 * Checks the ledger's invariants from the database alone:
 * every currency sums to zero; every balance equals the sum of its posted
 * transfers; no payment id appears twice; every posted transfer stays within
 * one currency and names two different existing accounts.
 */
export function verifyLedger(database: SqliteDatabase): VerifyReport {
  const problems: string[] = [];
  const add = (found: string[]) => {
    problems.push(...found.slice(0, problemsPerCheck));
    if (found.length > problemsPerCheck) problems.push(`… and ${found.length - problemsPerCheck} more like the above.`);
  };
  add(
    database
      .rows('SELECT currency, SUM(balance_minor) FROM accounts GROUP BY currency HAVING SUM(balance_minor) != 0')
      .map(([currency, sum]) => `The balances in ${currency} sum to ${sum} minor units instead of zero.`),
  );
  add(
    database
      .rows(
        `SELECT a.code, a.balance_minor, COALESCE(t.net, 0) FROM accounts a
         LEFT JOIN (SELECT account_id, SUM(delta) AS net FROM (
           SELECT creditor_id AS account_id, amount_minor AS delta FROM payments WHERE status = 1
           UNION ALL SELECT debtor_id, -amount_minor FROM payments WHERE status = 1) GROUP BY account_id) t
         ON t.account_id = a.id WHERE a.balance_minor != COALESCE(t.net, 0)`,
      )
      .map(([code, balance, net]) => `Account ${code} shows ${balance} but its posted transfers sum to ${net}.`),
  );
  add(
    database
      .rows('SELECT payment_id, COUNT(*) FROM payments GROUP BY payment_id HAVING COUNT(*) > 1')
      .map(([paymentId, count]) => `Payment ${paymentId} is recorded ${count} times.`),
  );
  add(
    database
      .rows(
        `SELECT p.payment_id FROM payments p LEFT JOIN accounts d ON d.id = p.debtor_id LEFT JOIN accounts c ON c.id = p.creditor_id
         WHERE p.status = 1 AND (d.id IS NULL OR c.id IS NULL OR d.id = c.id OR d.currency != p.currency OR c.currency != p.currency
           OR p.amount_minor <= 0)`,
      )
      .map(([paymentId]) => `Posted payment ${paymentId} has an invalid amount, account or currency.`),
  );
  const checkedAccounts = Number(database.value('SELECT COUNT(*) FROM accounts'));
  const checkedPayments = Number(database.value('SELECT COUNT(*) FROM payments'));
  return { ok: problems.length === 0, problems, checkedAccounts, checkedPayments };
}
