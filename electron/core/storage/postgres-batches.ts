import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';

/**
 * What a batch needs from a shared ledger besides its log
 * (docs/architecture.md, "Storage back ends"): its file kept in PostgreSQL, so
 * that any desk can resume it, and a claim, so that one desk runs it at a time.
 *
 * The file is kept by content: its bytes in parts of `batchFilePartBytes` under
 * its SHA-256 (the hash the batch record carries), the header row written last,
 * so a file counts as kept only once every part is in. Each part is one
 * autocommitted statement: the connection is the one the turns use, and a
 * transaction left open on it would swallow the log's own commits.
 *
 * A kept file is dropped once no batch that names its hash can run any more
 * (BatchService.dropKeptFile). Drops and the check that a file is still kept
 * before a batch record naming it commits (confirmKept) both run in turns, so
 * across desks one sees the other's outcome; within a desk, turns of one hold
 * run together, so both also go through `withFiles`, one at a time.
 *
 * The claim is a session-level advisory lock per batch on the desk's
 * connection: PostgreSQL lets it go when that connection ends, including when
 * the desk was killed, so a claim held by another session means "running on
 * another desk" and no claim means the batch's desk is gone.
 */

/** Bytes per stored part of a batch file: bounds the memory a store or a fetch holds at once. */
export const batchFilePartBytes = 4 * 1024 * 1024;

/** The advisory-lock namespace of batch claims (the turn and migration locks use 0x5044). */
const batchLockNamespace = 0x5042;

/** The tables of shared schema version 2. */
export const batchFileTables: readonly string[] = [
  `CREATE TABLE paydesk_batch_files (file_hash text PRIMARY KEY, size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
    parts integer NOT NULL CHECK (parts >= 0), stored_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE paydesk_batch_file_parts (file_hash text NOT NULL, part integer NOT NULL CHECK (part >= 0), bytes bytea NOT NULL,
    PRIMARY KEY (file_hash, part))`,
];

export type FetchOutcome = 'fetched' | 'missing' | 'damaged';

/** The batch's claim key: 31 bits of its id's SHA-256 (a collision only makes a batch look busy, never runs one twice). */
export function batchLockKey(batchId: string): number {
  return createHash('sha256').update(batchId).digest().readUInt32BE(0) & 0x7fffffff;
}

export class SharedBatches {
  /** Batches this desk has claimed; a claim is taken once per batch (advisory locks count re-entries). */
  private readonly claimed = new Set<string>();

  /** This process's drops and confirmations of kept files, one after another (see withFiles). */
  private fileWork: Promise<unknown> = Promise.resolve();

  constructor(private readonly client: pg.Client) {}

  /**
   * Runs `work` after this process's earlier work on kept files has settled: turns of one hold run together, and a
   * drop must not fall between another turn's confirmKept and the commit of the batch record it confirmed the file for.
   */
  withFiles<T>(work: () => Promise<T>): Promise<T> {
    const run = this.fileWork.then(work);
    this.fileWork = run.catch(() => undefined);
    return run;
  }

  /**
   * In the turn that commits a batch record naming `fileHash`: keeps the file again when it is no longer whole in the
   * shared ledger (another desk's batch of the same bytes ended and dropped it since keepFile, or a concurrent keep
   * and drop left parts missing under the header). Rarely more than one query.
   */
  async confirmKept(fileHash: string, filePath: string): Promise<void> {
    const kept = await this.client.query<{ parts: number; stored: number }>(
      `SELECT parts, (SELECT COUNT(*) FROM paydesk_batch_file_parts p WHERE p.file_hash = f.file_hash AND p.part < f.parts)::int AS stored
       FROM paydesk_batch_files f WHERE file_hash = $1`, [fileHash],
    );
    if (kept.rows.length > 0 && kept.rows[0].stored === kept.rows[0].parts) return;
    if (kept.rows.length > 0) await this.dropFile(fileHash);
    await this.keepFile(fileHash, filePath);
  }

  /**
   * Deletes the kept file with `fileHash`, its header and its parts in one statement (one transaction); true when
   * there was one. Parts without a header are left alone: they belong to a keep under way, which writes the header last.
   */
  async dropFile(fileHash: string): Promise<boolean> {
    const dropped = await this.client.query(
      `WITH header AS (DELETE FROM paydesk_batch_files WHERE file_hash = $1 RETURNING file_hash)
       DELETE FROM paydesk_batch_file_parts WHERE file_hash IN (SELECT file_hash FROM header)`, [fileHash],
    );
    return (dropped.rowCount ?? 0) > 0;
  }

  /**
   * Keeps the file at `filePath` under `fileHash` unless it is kept already; refuses
   * (throws) when the file no longer has that hash. Resolves once every part is committed.
   */
  async keepFile(fileHash: string, filePath: string): Promise<void> {
    const kept = await this.client.query('SELECT 1 FROM paydesk_batch_files WHERE file_hash = $1', [fileHash]);
    if (kept.rows.length > 0) return;
    const hash = createHash('sha256');
    let part = 0;
    let sizeBytes = 0;
    for await (const bytes of createReadStream(filePath, { highWaterMark: batchFilePartBytes })) {
      const buffer = bytes as Buffer;
      hash.update(buffer);
      sizeBytes += buffer.length;
      await this.client.query(
        'INSERT INTO paydesk_batch_file_parts (file_hash, part, bytes) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [fileHash, part, buffer],
      );
      part++;
    }
    if (hash.digest('hex') !== fileHash) {
      // Parts of other bytes must not stay under this hash, where a later keep would take them for its own.
      await this.client.query(
        'DELETE FROM paydesk_batch_file_parts WHERE file_hash = $1 AND NOT EXISTS (SELECT 1 FROM paydesk_batch_files WHERE file_hash = $1)', [fileHash],
      );
      throw new Error(`the batch file ${filePath} changed while it was being kept in the shared ledger`);
    }
    await this.client.query(
      'INSERT INTO paydesk_batch_files (file_hash, size_bytes, parts) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [fileHash, String(sizeBytes), part],
    );
  }

  /**
   * Writes the kept file with `fileHash` to `targetPath` (through a temporary file,
   * renamed once its hash matches); 'missing' when the shared ledger does not hold
   * it, 'damaged' when what it holds does not hash to `fileHash`.
   */
  async fetchFile(fileHash: string, targetPath: string): Promise<FetchOutcome> {
    const header = await this.client.query<{ parts: number }>('SELECT parts FROM paydesk_batch_files WHERE file_hash = $1', [fileHash]);
    if (header.rows.length === 0) return 'missing';
    await fs.mkdir(path.dirname(targetPath), { recursive: true });
    const temporaryPath = `${targetPath}.${process.pid}.tmp`;
    const outcome = await this.writeParts(fileHash, header.rows[0].parts, temporaryPath).catch(async (error: unknown) => {
      await fs.rm(temporaryPath, { force: true });
      throw error;
    });
    if (outcome === 'fetched') await fs.rename(temporaryPath, targetPath);
    else await fs.rm(temporaryPath, { force: true });
    return outcome;
  }

  private async writeParts(fileHash: string, parts: number, temporaryPath: string): Promise<FetchOutcome> {
    const handle = await fs.open(temporaryPath, 'w');
    const hash = createHash('sha256');
    try {
      for (let part = 0; part < parts; part++) {
        const found = await this.client.query<{ bytes: Buffer }>(
          'SELECT bytes FROM paydesk_batch_file_parts WHERE file_hash = $1 AND part = $2', [fileHash, part],
        );
        if (found.rows.length === 0) return 'damaged';
        hash.update(found.rows[0].bytes);
        await handle.write(found.rows[0].bytes);
      }
      if (hash.digest('hex') !== fileHash) return 'damaged';
      await handle.datasync();
      return 'fetched';
    } finally {
      await handle.close();
    }
  }

  /** Claims the batch for this desk; false when another desk holds the claim. */
  async claim(batchId: string): Promise<boolean> {
    if (this.claimed.has(batchId)) return true;
    const result = await this.client.query<{ granted: boolean }>(
      'SELECT pg_try_advisory_lock($1, $2) AS granted', [batchLockNamespace, batchLockKey(batchId)],
    );
    if (result.rows[0].granted) this.claimed.add(batchId);
    return result.rows[0].granted;
  }

  /** Lets the batch's claim go (its run ended here). */
  async release(batchId: string): Promise<void> {
    if (!this.claimed.delete(batchId)) return;
    await this.client.query('SELECT pg_advisory_unlock($1, $2)', [batchLockNamespace, batchLockKey(batchId)]);
  }

  /** Of `batchIds`, those another desk (another PostgreSQL session) holds the claim of. */
  async claimedElsewhere(batchIds: readonly string[]): Promise<Set<string>> {
    if (batchIds.length === 0) return new Set();
    const held = await this.client.query<{ key: string }>(
      `SELECT objid::text AS key FROM pg_locks
       WHERE locktype = 'advisory' AND classid = $1 AND objsubid = 2 AND granted AND pid <> pg_backend_pid()`, [batchLockNamespace],
    );
    const keys = new Set(held.rows.map((row) => Number(row.key)));
    return new Set(batchIds.filter((batchId) => keys.has(batchLockKey(batchId))));
  }
}
