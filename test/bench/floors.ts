import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { nodeFileSystem } from '../../electron/core/storage/file-system';
import { elapsedMs, quantile, type Figure } from './harness';

/**
 * The floors under the real-time PLT figures, measured in the same run as the
 * PLT loop they sit beside: no payment is acknowledged before its commit is
 * durable, so a payment's p99 is bounded from below by the p99 of that
 * commit alone (within the noise of two measurements taken moments apart).
 * Informational, with no target: they say what stands in a target's way.
 */

/** Enough appends for a p99 of its own (the fifth slowest), few enough to take a second or two on a slow disk. */
const floorSamples = 500;
/** About the size of one payment's journal frame. */
const appendBytes = 200;

/**
 * Appends of about a payment's frame to a new file in `folder`, each followed
 * by fdatasync, through the file system the journal itself uses; each append
 * and its sync are timed together, as a journal commit waits for both.
 */
async function appendSyncLatenciesMs(folder: string): Promise<number[]> {
  const filePath = path.join(folder, `durability-floor-${process.pid}-${randomBytes(4).toString('hex')}`);
  const file = await nodeFileSystem.createExclusive(filePath);
  const latenciesMs: number[] = [];
  try {
    for (let sample = 0; sample < floorSamples; sample++) {
      const frame = randomBytes(appendBytes);
      const startNs = process.hrtime.bigint();
      await file.append([frame]);
      await file.datasync();
      latenciesMs.push(elapsedMs(startNs));
    }
  } finally {
    await file.close();
    await nodeFileSystem.remove(filePath);
  }
  return latenciesMs.sort((left, right) => left - right);
}

/** The durability floor of a file ledger: fdatasync of one small append in the bench's work folder (the disk the ledgers are on). */
export async function durabilityFloorFigures(workFolder: string): Promise<Figure[]> {
  const latenciesMs = await appendSyncLatenciesMs(workFolder);
  const name = `durability floor: fdatasync of one ${appendBytes}-byte append in the work folder`;
  return [
    { name: `${name}, p50`, value: quantile(latenciesMs, 0.5), unit: 'ms' },
    { name: `${name}, p99`, value: quantile(latenciesMs, 0.99), unit: 'ms' },
    { name: `${name}, max`, value: latenciesMs.at(-1) ?? Number.NaN, unit: 'ms' },
  ];
}

/**
 * One-row INSERTs into a throwaway table of the database at `url`, each its
 * own transaction committed with synchronous_commit on (so each waits for
 * PostgreSQL's WAL flush, as a shared ledger's commit does), timed from the
 * call to the answer over a connection already open.
 */
async function commitLatenciesMs(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const latenciesMs: number[] = [];
  try {
    await client.query('SET synchronous_commit = on');
    await client.query('CREATE TABLE bench_commit_floor (id integer PRIMARY KEY, payload text NOT NULL)');
    for (let sample = 0; sample < floorSamples; sample++) {
      const payload = randomBytes(appendBytes / 2).toString('hex');
      const startNs = process.hrtime.bigint();
      await client.query('INSERT INTO bench_commit_floor (id, payload) VALUES ($1, $2)', [sample, payload]);
      latenciesMs.push(elapsedMs(startNs));
    }
    await client.query('DROP TABLE bench_commit_floor');
  } finally {
    await client.end();
  }
  return latenciesMs.sort((left, right) => left - right);
}

/** The commit floor of a shared ledger: one-row INSERT committed on the same server and database, over loopback. */
export async function postgresCommitFloorFigures(url: string): Promise<Figure[]> {
  const latenciesMs = await commitLatenciesMs(url);
  const name = 'PostgreSQL commit floor: one-row INSERT committed (synchronous_commit on)';
  return [
    { name: `${name}, p50`, value: quantile(latenciesMs, 0.5), unit: 'ms' },
    { name: `${name}, p99`, value: quantile(latenciesMs, 0.99), unit: 'ms' },
  ];
}
