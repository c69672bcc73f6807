import type { Operator, OperatorStatus, Role } from '../../../shared/access';
import type { SqliteDatabase } from '../storage/sqlite';

/** Operators as stored in the ledger file (table operators, records in control-records.ts). */
export interface StoredOperator extends Operator {
  passwordHash: string;
}

interface OperatorRow {
  username: string;
  display_name: string;
  role: Role;
  status: OperatorStatus;
  password_hash: string;
  created_at_ms: number;
  created_by: string;
}

function toOperator(row: OperatorRow): StoredOperator {
  return {
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    status: row.status,
    createdAtMs: row.created_at_ms,
    createdBy: row.created_by,
    passwordHash: row.password_hash,
  };
}

export function findOperator(database: SqliteDatabase, username: string): StoredOperator | undefined {
  const row = database.get<OperatorRow>('SELECT * FROM operators WHERE username = ?', [username]);
  return row === undefined ? undefined : toOperator(row);
}

export function listOperators(database: SqliteDatabase): Operator[] {
  return database.all<OperatorRow>('SELECT * FROM operators ORDER BY username').map((row) => publicOperator(toOperator(row)));
}

export function operatorCount(database: SqliteDatabase): number {
  return Number(database.value('SELECT COUNT(*) FROM operators'));
}

export function activeAdministratorCount(database: SqliteDatabase): number {
  return Number(database.value("SELECT COUNT(*) FROM operators WHERE role = 'administrator' AND status = 'active'"));
}

/** Never let the password hash cross the process boundary. */
export function publicOperator(operator: StoredOperator): Operator {
  const { passwordHash: _passwordHash, ...rest } = operator;
  return rest;
}
