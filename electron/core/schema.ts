import { batchSchemaStatements } from './batch/batch-records';
import { reconciliationSchemaStatements } from './reconciliation/reconciliation-records';
import { controlSchemaStatements } from './security/control-records';
import { batchApprovalSchemaStatements } from './approval/batch-approval-records';
import { accountIdentifierSchemaStatements } from './accounts/account-identifiers';

/**
 * The ledger file's schema. A payment row is also the transfer it posts when
 * accepted: status 1 means posted, 0 means rejected (kept for the record and
 * for PSR, never touching a balance). `seq` is dense and gives the order;
 * `received_at_ms` is the clock as read, so it ascends with `seq` except
 * where the clock went back: payment_clock_steps lists those seqs, and a time
 * range is found by binary search within each ascending stretch (queries.ts),
 * so paging and time ranges still walk the primary key instead of scanning.
 */
export const applicationId = 'paydesk-ledger';
export const schemaVersion = 1;

export const schemaStatements = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    overdraft_limit_minor INTEGER NOT NULL,
    balance_minor INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS payments (
    seq INTEGER PRIMARY KEY,
    payment_id TEXT NOT NULL UNIQUE,
    debtor_id INTEGER REFERENCES accounts(id),
    creditor_id INTEGER REFERENCES accounts(id),
    debtor_code TEXT NOT NULL,
    creditor_code TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    reference TEXT NOT NULL,
    status INTEGER NOT NULL,
    code TEXT NOT NULL,
    message TEXT,
    channel TEXT NOT NULL,
    batch_id TEXT,
    line INTEGER,
    received_at_ms INTEGER NOT NULL
  )`,
  // PLT per payment, known only once the payment's outcome is durable: a narrow table of its own that latencies
  // append to, rather than an UPDATE of every payment row after its commit (which rewrote each page twice).
  `CREATE TABLE IF NOT EXISTS payment_latency (seq INTEGER PRIMARY KEY, plt_us INTEGER NOT NULL)`,
  // Each payment stamped earlier than the one before it (ledger-state.ts); derived from the payments, live and on replay.
  `CREATE TABLE IF NOT EXISTS payment_clock_steps (seq INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, previous_at_ms INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS payments_by_debtor ON payments(debtor_id)`,
  `CREATE INDEX IF NOT EXISTS payments_by_creditor ON payments(creditor_id)`,
  `CREATE INDEX IF NOT EXISTS payments_rejected ON payments(seq) WHERE status = 0`,
  ...batchSchemaStatements,
  ...reconciliationSchemaStatements,
  ...controlSchemaStatements,
  ...batchApprovalSchemaStatements,
  ...accountIdentifierSchemaStatements,
  // Metrics aggregates, kept as payments commit (electron/core/metrics/aggregates.ts). Counts by reason code
  // and PLT histogram buckets are stored as "key:count" pairs; scope is realtime, batch or batch:<id>.
  `CREATE TABLE IF NOT EXISTS metrics_windows (
    scope TEXT NOT NULL,
    level_s INTEGER NOT NULL,
    start_s INTEGER NOT NULL,
    total INTEGER NOT NULL,
    succeeded INTEGER NOT NULL,
    failures TEXT NOT NULL,
    plt_count INTEGER NOT NULL,
    plt_max_us INTEGER NOT NULL,
    plt_histogram TEXT NOT NULL,
    PRIMARY KEY (scope, level_s, start_s)
  ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS metrics_batches (
    batch_id TEXT PRIMARY KEY,
    total INTEGER NOT NULL,
    succeeded INTEGER NOT NULL,
    failures TEXT NOT NULL,
    plt_count INTEGER NOT NULL,
    plt_max_us INTEGER NOT NULL,
    plt_histogram TEXT NOT NULL,
    first_ms INTEGER,
    last_ms INTEGER NOT NULL
  ) WITHOUT ROWID`,
];
