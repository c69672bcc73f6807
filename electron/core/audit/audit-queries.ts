import type { AuditEntry, AuditExport } from '../../../shared/access';
import { accessLimits } from '../../../shared/access';
import { csvLine } from '../../../shared/batch';
import type { Page } from '../../../shared/domain';
import type { SqliteDatabase } from '../storage/sqlite';
import { auditHash, genesisHash } from './audit-trail';

/** Reading the audit trail: checking its chain, listing it with filters, exporting it as CSV. */

export interface AuditChainReport {
  checkedEntries: number;
  /** The first broken entry, named; empty when the chain holds. */
  problems: string[];
}

type AuditRow = [number, number, string, string, string, string, string, string, string];

/** Walks the chain from the genesis and stops at the first entry that does not hold. */
export function verifyAuditChain(database: SqliteDatabase): AuditChainReport {
  const statement = database.statement('SELECT seq, at_ms, actor, action, target, outcome, detail, previous_hash, hash FROM audit ORDER BY seq');
  let previousHash = genesisHash;
  let expectedSeq = 1;
  let checkedEntries = 0;
  try {
    while (statement.step()) {
      const [seq, at, actor, action, target, outcome, detail, prev, hash] = statement.get() as AuditRow;
      const problem =
        seq !== expectedSeq
          ? `Audit entry ${expectedSeq} is missing: the trail jumps from entry ${expectedSeq - 1} to ${seq}.`
          : prev !== previousHash
            ? `Audit entry ${seq} is broken: it does not follow entry ${seq - 1} (the previous hash differs).`
            : auditHash(prev, { seq, at, actor, action, target, outcome, detail }) !== hash
              ? `Audit entry ${seq} is broken: its hash does not match its fields (${action} by ${actor}).`
              : null;
      if (problem !== null) return { checkedEntries, problems: [problem] };
      previousHash = hash;
      expectedSeq = seq + 1;
      checkedEntries += 1;
    }
  } finally {
    statement.reset();
  }
  return { checkedEntries, problems: [] };
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  outcome?: string;
  search?: string;
  fromMs?: number;
  toMs?: number;
}

function whereClause(filter: AuditFilter, beforeSeq: number | null): { sql: string; params: (string | number)[] } {
  const conditions: string[] = [];
  const params: (string | number)[] = [];
  const add = (condition: string, ...values: (string | number)[]) => {
    conditions.push(condition);
    params.push(...values);
  };
  if (filter.actor !== undefined) add('actor = ?', filter.actor);
  if (filter.action !== undefined && filter.action !== '') add('action = ?', filter.action);
  if (filter.outcome !== undefined && filter.outcome !== '') add("outcome LIKE ? ESCAPE '\\'", `${escapeLike(filter.outcome)}%`);
  if (filter.search !== undefined && filter.search !== '') {
    // Action names are written with dashes ("approval-threshold-set"); "threshold set" finds them too.
    const pattern = `%${escapeLike(filter.search)}%`;
    const actionPattern = `%${escapeLike(filter.search.trim().toLowerCase().replace(/\s+/g, '-'))}%`;
    add(
      "(target LIKE ? ESCAPE '\\' OR detail LIKE ? ESCAPE '\\' OR action LIKE ? ESCAPE '\\' OR actor LIKE ? ESCAPE '\\' OR outcome LIKE ? ESCAPE '\\')",
      pattern, pattern, actionPattern, pattern, pattern,
    );
  }
  if (filter.fromMs !== undefined) add('at_ms >= ?', filter.fromMs);
  if (filter.toMs !== undefined) add('at_ms < ?', filter.toMs);
  if (beforeSeq !== null) add('seq < ?', beforeSeq);
  return { sql: conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`, params };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function toEntry(row: AuditRow): AuditEntry {
  const [seq, atMs, actor, action, target, outcome, detail, previousHash, hash] = row;
  return { seq, atMs, actor, action, target, outcome, detail, previousHash, hash };
}

const selectColumns = 'SELECT seq, at_ms, actor, action, target, outcome, detail, previous_hash, hash FROM audit';

/** Newest first; the cursor is the seq to continue below. */
export function listAudit(database: SqliteDatabase, filter: AuditFilter, limit: number, cursor: string | null | undefined): Page<AuditEntry> {
  const beforeSeq = cursor === null || cursor === undefined || !/^\d{1,15}$/.test(cursor) ? null : Number(cursor);
  const where = whereClause(filter, beforeSeq);
  const rows = database.rows(`${selectColumns} ${where.sql} ORDER BY seq DESC LIMIT ?`, [...where.params, limit + 1]) as AuditRow[];
  const items = rows.slice(0, limit).map(toEntry);
  return { items, nextCursor: rows.length > limit ? String(items[items.length - 1].seq) : null };
}

/** Every action the trail holds, for the Audit page's action list. */
export function auditActions(database: SqliteDatabase): string[] {
  return database.rows('SELECT DISTINCT action FROM audit ORDER BY action').map(([action]) => String(action));
}

export const auditCsvHeader = ['seq', 'time', 'actor', 'action', 'target', 'outcome', 'detail', 'previous_hash', 'hash'] as const;

/** Oldest first, every cell neutralised against formula injection (shared/batch.ts csvCell). */
export function exportAuditCsv(database: SqliteDatabase, filter: AuditFilter, nowMs: number): AuditExport {
  const where = whereClause(filter, null);
  const rows = database.rows(`${selectColumns} ${where.sql} ORDER BY seq LIMIT ?`, [...where.params, accessLimits.auditExportRowsMax]) as AuditRow[];
  const lines = [csvLine(auditCsvHeader)];
  for (const row of rows) {
    const entry = toEntry(row);
    lines.push(csvLine([entry.seq, new Date(entry.atMs).toISOString(), entry.actor, entry.action, entry.target, entry.outcome, entry.detail,
      entry.previousHash, entry.hash]));
  }
  const stamp = new Date(nowMs).toISOString().replace(/[:.]/g, '-');
  return { fileName: `paydesk-audit-${stamp}.csv`, csv: lines.join(''), rows: rows.length };
}
