import type { AccountIdentifier } from '../../../shared/domain';
import { parseIban } from '../../../shared/iban';
import { failure, success, type Result } from '../../../shared/result';
import type { StatementAccount } from '../../../shared/reconciliation';
import type { SqliteDatabase } from '../storage/sqlite';

/**
 * The identifiers a bank gives a ledger account: its IBAN (validated with
 * its check digits, kept in electronic form) or the bank's other account id.
 * A statement names its account by one of them, and reconciliation picks the
 * ledger account from it. An identifier belongs to one account at most. Each
 * addition is its own journal record, applied the same way live and on
 * replay; the table is created IF NOT EXISTS, so ledgers from before it open.
 */

export interface AccountIdentifierRecord {
  t: 'account-identifier';
  /** The account's code. */
  account: string;
  kind: AccountIdentifier['kind'];
  value: string;
  at: number;
}

export const accountIdentifierSchemaStatements = [
  `CREATE TABLE IF NOT EXISTS account_identifiers (
    value TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    created_at_ms INTEGER NOT NULL
  ) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS account_identifiers_by_account ON account_identifiers(account_id)`,
];

/** An identifier taken off its account (added by mistake, or the account moved banks); the value may then identify another account. */
export interface AccountIdentifierRemovedRecord {
  t: 'account-identifier-removed';
  account: string;
  kind: AccountIdentifier['kind'];
  value: string;
  at: number;
}

export function isAccountIdentifierRecord(record: { t: string }): record is AccountIdentifierRecord {
  return record.t === 'account-identifier';
}

export function isAccountIdentifierRemovedRecord(record: { t: string }): record is AccountIdentifierRemovedRecord {
  return record.t === 'account-identifier-removed';
}

export function applyAccountIdentifierRemovedRecord(database: SqliteDatabase, record: AccountIdentifierRemovedRecord): void {
  database.run('DELETE FROM account_identifiers WHERE value = ? AND account_id = (SELECT id FROM accounts WHERE code = ?)', [record.value, record.account]);
  if (database.changes === 0) throw new Error(`identifier ${record.value} was removed from ${record.account}, which does not carry it`);
}

export function applyAccountIdentifierRecord(database: SqliteDatabase, record: AccountIdentifierRecord): void {
  const accountId = database.value('SELECT id FROM accounts WHERE code = ?', [record.account]);
  if (accountId === undefined) throw new Error(`identifier ${record.value} names an unknown account ${record.account}`);
  database.run('INSERT INTO account_identifiers (value, kind, account_id, created_at_ms) VALUES (?, ?, ?, ?)', [
    record.value, record.kind, accountId, record.at,
  ]);
}

/** The identifier in its kept form: an IBAN validated and compacted, another id trimmed. */
export function normaliseIdentifier(kind: AccountIdentifier['kind'], value: string): Result<string> {
  if (kind === 'iban') return parseIban(value);
  const trimmed = value.trim();
  if (trimmed === '') return failure('FF01', 'The account id is empty.', 'value');
  return success(trimmed);
}

/** The code of the ledger account a statement's account identifier belongs to, or null. */
export function accountForIdentifier(database: SqliteDatabase, identifier: StatementAccount): string | null {
  const code = database.value(
    'SELECT a.code FROM account_identifiers i JOIN accounts a ON a.id = i.account_id WHERE i.value = ?',
    [identifier.value],
  );
  return code === undefined ? null : String(code);
}

export function listIdentifiers(database: SqliteDatabase, account: string | undefined): AccountIdentifier[] {
  const sql = `SELECT a.code AS account, i.kind, i.value, i.created_at_ms AS createdAtMs FROM account_identifiers i
    JOIN accounts a ON a.id = i.account_id ${account === undefined ? '' : 'WHERE a.code = ?'} ORDER BY a.code, i.value`;
  return database.all<AccountIdentifier>(sql, account === undefined ? [] : [account]);
}
