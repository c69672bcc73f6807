import type { ApprovalStatus, OperatorStatus, Role } from '../../../shared/access';
import type { SqliteDatabase } from '../storage/sqlite';

/**
 * Journal records for operators, settings, four-eyes approvals and the audit
 * trail. Like every record, each is a decision already taken: replay applies
 * it exactly as the live path did, so a restart restores the same operators,
 * the same pending payments and the same audit chain.
 */
export interface OperatorRecord {
  t: 'operator';
  username: string;
  displayName: string;
  role: Role;
  passwordHash: string;
  createdAtMs: number;
  createdBy: string;
}

export interface OperatorStatusRecord {
  t: 'operator-status';
  username: string;
  status: OperatorStatus;
}

/** A new role for an operator. */
export interface OperatorRoleRecord {
  t: 'operator-role';
  username: string;
  role: Role;
}

/** A new password hash: changed by the operator, or reset by an administrator (`by`). */
export interface OperatorPasswordRecord {
  t: 'operator-password';
  username: string;
  passwordHash: string;
  by: string;
}

export interface SettingRecord {
  t: 'setting';
  key: string;
  value: string | null;
}

/** A payment held for approval: its amount is reserved against the debtor's available balance. */
export interface ApprovalHoldRecord {
  t: 'approval-hold';
  id: string;
  d: string;
  c: string;
  a: number;
  cur: string;
  ref: string;
  by: string;
  at: number;
}

export interface ApprovalDecisionRecord {
  t: 'approval-decision';
  id: string;
  status: Exclude<ApprovalStatus, 'pending'>;
  by: string;
  at: number;
  note: string | null;
}

/** One audit entry; `hash` is SHA-256 over `prev` and the entry's own fields (electron/core/audit/audit-trail.ts). */
export interface AuditRecord {
  t: 'audit';
  seq: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  outcome: string;
  detail: string;
  prev: string;
  hash: string;
}

export type ControlRecord = OperatorRecord | OperatorStatusRecord | OperatorRoleRecord | OperatorPasswordRecord
  | SettingRecord | ApprovalHoldRecord | ApprovalDecisionRecord | AuditRecord;

const controlRecordTypes = new Set<string>([
  'operator', 'operator-status', 'operator-role', 'operator-password', 'setting', 'approval-hold', 'approval-decision', 'audit']);

export function isControlRecord(record: { t: string }): record is ControlRecord {
  return controlRecordTypes.has(record.t);
}

export const controlSchemaStatements = [
  `CREATE TABLE IF NOT EXISTS operators (
    username TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    created_by TEXT NOT NULL
  ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS approvals (
    payment_id TEXT PRIMARY KEY,
    debtor_code TEXT NOT NULL,
    creditor_code TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    reference TEXT NOT NULL,
    status TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at_ms INTEGER NOT NULL,
    decided_by TEXT,
    decided_at_ms INTEGER,
    note TEXT
  ) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS approvals_pending ON approvals(debtor_code) WHERE status = 'pending'`,
  `CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  )`,
];

export function applyControlRecord(database: SqliteDatabase, record: ControlRecord): void {
  switch (record.t) {
    case 'operator':
      database.run(
        `INSERT INTO operators (username, display_name, role, status, password_hash, created_at_ms, created_by)
         VALUES (?, ?, ?, 'active', ?, ?, ?)`,
        [record.username, record.displayName, record.role, record.passwordHash, record.createdAtMs, record.createdBy],
      );
      return;
    case 'operator-status':
      database.run('UPDATE operators SET status = ? WHERE username = ?', [record.status, record.username]);
      return;
    case 'operator-role':
      database.run('UPDATE operators SET role = ? WHERE username = ?', [record.role, record.username]);
      return;
    case 'operator-password':
      database.run('UPDATE operators SET password_hash = ? WHERE username = ?', [record.passwordHash, record.username]);
      return;
    case 'setting':
      if (record.value === null) database.run('DELETE FROM settings WHERE key = ?', [record.key]);
      else database.run('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)', [record.key, record.value]);
      return;
    case 'approval-hold':
      database.run(
        `INSERT INTO approvals (payment_id, debtor_code, creditor_code, amount_minor, currency, reference, status, submitted_by, submitted_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
        [record.id, record.d, record.c, record.a, record.cur, record.ref, record.by, record.at],
      );
      return;
    case 'approval-decision':
      database.run('UPDATE approvals SET status = ?, decided_by = ?, decided_at_ms = ?, note = ? WHERE payment_id = ?', [
        record.status, record.by, record.at, record.note, record.id,
      ]);
      return;
    case 'audit':
      database.run(
        `INSERT INTO audit (seq, at_ms, actor, action, target, outcome, detail, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [record.seq, record.at, record.actor, record.action, record.target, record.outcome, record.detail, record.prev, record.hash],
      );
  }
}
