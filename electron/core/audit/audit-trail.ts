import { createHash } from 'node:crypto';
import { formatMinor, formatMinorGrouped } from '../../../shared/money';
import type { LedgerRecord, PaymentRow } from '../records';
import type { SqliteDatabase } from '../storage/sqlite';
import { currentScope } from '../security/call-context';
import type { AuditRecord } from '../security/control-records';

/**
 * The tamper-evident audit trail. Every commit made while an operation is in
 * progress (see call-context.ts) carries one audit entry in the same journal
 * frame and the same transaction as the change itself, so the change and its
 * entry survive a crash together or not at all. Each entry holds SHA-256 over
 * the previous entry's hash and its own fields, starting from a genesis of
 * 64 zeros: editing, deleting or reordering any entry breaks every hash after it.
 */
export const genesisHash = '0'.repeat(64);
export const auditTargetLengthMax = 140;
export const auditDetailLengthMax = 500;

/** What a caller may say about its own commit; anything left out is described from the records. */
export interface AuditNote {
  actor?: string;
  action?: string;
  target?: string;
  outcome?: string;
  detail?: string;
}

type AuditFields = Pick<AuditRecord, 'seq' | 'at' | 'actor' | 'action' | 'target' | 'outcome' | 'detail'>;

export function auditHash(previousHash: string, fields: AuditFields): string {
  const own = JSON.stringify([fields.seq, fields.at, fields.actor, fields.action, fields.target, fields.outcome, fields.detail]);
  return createHash('sha256').update(previousHash).update('\n').update(own).digest('hex');
}

function lastEntry(database: SqliteDatabase): { seq: number; hash: string } {
  const row = database.get<{ seq: number; hash: string }>('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
  return row ?? { seq: 0, hash: genesisHash };
}

function clip(text: string, lengthMax: number): string {
  return text.length <= lengthMax ? text : `${text.slice(0, lengthMax - 1)}…`;
}

/**
 * The audit entry for a commit, or null when there is nothing to audit
 * (only measured latencies, or no operation in progress and no note).
 */
export function auditRecordFor(database: SqliteDatabase, records: readonly LedgerRecord[], note?: AuditNote): AuditRecord | null {
  const scope = currentScope();
  if (note === undefined && scope === undefined) return null;
  const described = describeRecords(records);
  if (note === undefined && described === null) return null;
  const last = lastEntry(database);
  const fields: AuditFields = {
    seq: last.seq + 1,
    // The clock as read: raising it to the last entry's time would make one forward jump a floor for every later entry.
    at: Date.now(),
    actor: clip(note?.actor ?? scope?.caller.username ?? 'system', 60),
    action: clip(note?.action ?? scope?.action ?? 'engine', 60),
    target: clip(note?.target ?? described?.target ?? '', auditTargetLengthMax),
    outcome: clip(note?.outcome ?? described?.outcome ?? 'ok', 60),
    detail: clip(note?.detail ?? described?.detail ?? '', auditDetailLengthMax),
  };
  if (scope !== undefined) scope.audited = true;
  return { t: 'audit', ...fields, prev: last.hash, hash: auditHash(last.hash, fields) };
}

interface Description {
  target: string;
  outcome: string;
  detail: string;
}

/** A short account of what a commit changes, from the records alone. */
export function describeRecords(records: readonly LedgerRecord[]): Description | null {
  const parts = records.filter((record) => record.t !== 'latency' && record.t !== 'audit').map(describeRecord);
  if (parts.length === 0) return null;
  const rejected = parts.find((part) => part.outcome !== 'ok' && part.outcome !== 'accepted');
  return {
    target: parts.find((part) => part.target !== '')?.target ?? '',
    outcome: rejected?.outcome ?? parts[0].outcome,
    detail: parts.map((part) => part.detail).join('; '),
  };
}

function describeRecord(record: LedgerRecord): Description {
  switch (record.t) {
    case 'payments':
      return describePayments(record.rows);
    case 'account':
      return { target: record.code, outcome: 'ok', detail: `account ${record.code} (${record.name}, ${record.currency}, ${record.kind}) created` };
    case 'account-identifier':
      return {
        target: record.account, outcome: 'ok',
        detail: `account ${record.account} identified by ${record.kind === 'iban' ? 'IBAN' : 'id'} ${record.value}`,
      };
    case 'account-identifier-removed':
      return {
        target: record.account, outcome: 'ok',
        detail: `account ${record.account} no longer identified by ${record.kind === 'iban' ? 'IBAN' : 'id'} ${record.value}`,
      };
    case 'status':
      return { target: record.code, outcome: 'ok', detail: `account ${record.code} set to ${record.status}` };
    case 'operator':
      return { target: record.username, outcome: 'ok', detail: `operator ${record.username} (${record.displayName}) created as ${record.role}` };
    case 'operator-status':
      return { target: record.username, outcome: 'ok', detail: `operator ${record.username} set to ${record.status}` };
    case 'operator-role':
      return { target: record.username, outcome: 'ok', detail: `operator ${record.username} is now ${record.role}` };
    case 'operator-password':
      return {
        target: record.username,
        outcome: 'ok',
        // Never the hash: only who set the password.
        detail: record.by === record.username ? `operator ${record.username} changed their password` : `password of ${record.username} reset by ${record.by}`,
      };
    case 'setting':
      return describeSetting(record.key, record.value);
    case 'approval-hold':
      return {
        target: record.id,
        outcome: 'pending',
        detail: `payment ${record.id}: ${formatMinorGrouped(record.a, record.cur)} ${record.cur} ${record.d} -> ${record.c} held for approval`,
      };
    case 'approval-decision':
      return { target: record.id, outcome: record.status, detail: `payment ${record.id} ${record.status}${record.note ? `: ${record.note}` : ''}` };
    case 'batch-approval-hold': {
      const totals = record.totals.map(([currency, amountMinor]) => `${formatMinorGrouped(amountMinor, currency)} ${currency}`).join(', ');
      return { target: record.id, outcome: 'pending', detail: `batch ${record.id} (${totals}) held for approval` };
    }
    case 'batch-approval-decision':
      return { target: record.id, outcome: record.status, detail: `batch ${record.id} ${record.status}${record.note ? `: ${record.note}` : ''}` };
    default:
      return describeOther(record as unknown as Record<string, unknown>);
  }
}

/** A setting as an auditor reads it: an approval threshold in decimal units with its currency, never minor units. */
function describeSetting(key: string, value: string | null): Description {
  const thresholdPrefix = 'approval-threshold:';
  if (key.startsWith(thresholdPrefix)) {
    const currency = key.slice(thresholdPrefix.length);
    const detail = value === null
      ? `${currency} approval threshold removed`
      : `${currency} approval threshold set to ${formatMinorGrouped(Number(value), currency)} ${currency}`;
    return { target: `${currency} threshold`, outcome: 'ok', detail };
  }
  if (key === 'backup-folder') return { target: key, outcome: 'ok', detail: value === null ? 'backup folder cleared' : `backup folder set to ${value}` };
  return { target: key, outcome: 'ok', detail: `setting ${key} = ${value ?? '(none)'}` };
}

function describePayments(rows: readonly PaymentRow[]): Description {
  if (rows.length === 1) {
    const row = rows[0];
    const where = row.b === null ? '' : ` (batch ${row.b}, line ${row.l})`;
    return {
      target: row.id,
      outcome: row.s === 1 ? 'accepted' : `rejected ${row.code}`,
      detail: `payment ${row.id}: ${formatMinorGrouped(row.a, row.cur)} ${row.cur} ${row.d} -> ${row.c}${where}`,
    };
  }
  const accepted = rows.filter((row) => row.s === 1).length;
  const batchId = rows.find((row) => row.b !== null)?.b ?? '';
  return { target: batchId, outcome: 'ok', detail: `${rows.length} payments: ${accepted} accepted, ${rows.length - accepted} rejected` };
}

/** Batch and reconciliation records: their type and identifying fields, never their bulk (rows, lines). */
function describeOther(record: Record<string, unknown>): Description {
  const shown = ['id', 'name', 'status', 'line', 'rowsDone', 'fileName', 'account']
    .filter((key) => typeof record[key] === 'string' || typeof record[key] === 'number')
    .map((key) => `${key} ${String(record[key])}`);
  const target = typeof record.id === 'string' ? record.id : typeof record.name === 'string' ? record.name : '';
  return { target, outcome: 'ok', detail: `${String(record.t)}${shown.length > 0 ? ` (${shown.join(', ')})` : ''}` };
}
