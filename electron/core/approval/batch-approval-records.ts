import type { ApprovalStatus } from '../../../shared/access';
import type { SqliteDatabase } from '../storage/sqlite';

/**
 * Journal records for batches held for four-eyes approval. The hold carries
 * the batch's valid totals per currency (shown to the approver) and the
 * amounts reserved per debtor (withheld from every other payment and batch
 * until the decision). Like every record, each is a decision already taken:
 * replay applies it exactly as the live path did.
 */
export interface BatchApprovalHoldRecord {
  t: 'batch-approval-hold';
  id: string;
  /** Valid rows' totals: [currency, amount in minor units] pairs. */
  totals: [string, number][];
  /** Reserved per debtor: [account code, amount in minor units] pairs. */
  reserved: [string, number][];
  by: string;
  at: number;
}

export interface BatchApprovalDecisionRecord {
  t: 'batch-approval-decision';
  id: string;
  status: Exclude<ApprovalStatus, 'pending'>;
  by: string;
  at: number;
  note: string | null;
}

export type BatchApprovalRecord = BatchApprovalHoldRecord | BatchApprovalDecisionRecord;

export function isBatchApprovalRecord(record: { t: string }): record is BatchApprovalRecord {
  return record.t === 'batch-approval-hold' || record.t === 'batch-approval-decision';
}

export const batchApprovalSchemaStatements = [
  `CREATE TABLE IF NOT EXISTS batch_approvals (
    batch_id TEXT PRIMARY KEY,
    totals TEXT NOT NULL,
    status TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at_ms INTEGER NOT NULL,
    decided_by TEXT,
    decided_at_ms INTEGER,
    note TEXT
  ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS batch_reservations (
    batch_id TEXT NOT NULL,
    debtor_code TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    PRIMARY KEY (debtor_code, batch_id)
  ) WITHOUT ROWID`,
];

export function applyBatchApprovalRecord(database: SqliteDatabase, record: BatchApprovalRecord): void {
  switch (record.t) {
    case 'batch-approval-hold':
      database.run(
        `INSERT INTO batch_approvals (batch_id, totals, status, submitted_by, submitted_at_ms) VALUES (?, ?, 'pending', ?, ?)`,
        [record.id, JSON.stringify(record.totals), record.by, record.at],
      );
      for (const [debtorCode, amountMinor] of record.reserved) {
        database.run('INSERT INTO batch_reservations (batch_id, debtor_code, amount_minor) VALUES (?, ?, ?)', [record.id, debtorCode, amountMinor]);
      }
      return;
    case 'batch-approval-decision':
      database.run('UPDATE batch_approvals SET status = ?, decided_by = ?, decided_at_ms = ?, note = ? WHERE batch_id = ? AND status = ?', [
        record.status, record.by, record.at, record.note, record.id, 'pending',
      ]);
      if (database.changes !== 1) throw new Error(`batch approval decision names batch ${record.id}, which is not waiting for approval`);
      // The reservation is released: the decision is final, so the rows are no longer needed.
      database.run('DELETE FROM batch_reservations WHERE batch_id = ?', [record.id]);
  }
}
