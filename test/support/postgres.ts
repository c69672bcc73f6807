import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { createDatabase, type ThrowawayDatabase } from './postgres-admin';

/**
 * PostgreSQL for the shared-ledger tests. PAYDESK_TEST_PG_URL names a role that
 * may create databases (scripts/test-setup-postgres.sh makes one, and .ci/run
 * exports it); every ledger a test opens is a throwaway database of its own,
 * dropped when the file's tests end. Without the URL the PostgreSQL tests are
 * skipped with the reason printed, except where PAYDESK_REQUIRE_PG=1 (CI): a
 * CI run without PostgreSQL fails rather than passing without it.
 */
export const postgresTestUrl = process.env.PAYDESK_TEST_PG_URL ?? null;

export const postgresRequired = process.env.PAYDESK_REQUIRE_PG === '1';

if (postgresTestUrl === null && postgresRequired) {
  throw new Error('PAYDESK_REQUIRE_PG=1 but PAYDESK_TEST_PG_URL is not set: run scripts/test-setup-postgres.sh and export the URL it prints.');
}

let warned = false;

/** Whether the PostgreSQL tests run here; prints once why not. */
export function postgresTestsRun(): boolean {
  if (postgresTestUrl !== null) return true;
  if (!warned) {
    warned = true;
    console.warn('PostgreSQL tests SKIPPED: PAYDESK_TEST_PG_URL is not set (scripts/test-setup-postgres.sh prints one).');
  }
  return false;
}

const created: ThrowawayDatabase[] = [];
let cleanupRegistered = false;

/** A new empty database on the test server, dropped after the test file; its URL. */
export async function newPostgresDatabase(): Promise<string> {
  if (postgresTestUrl === null) throw new Error('PAYDESK_TEST_PG_URL is not set');
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    afterAll(async () => {
      for (const database of created.splice(0)) await database.drop();
    });
  }
  const database = await createDatabase(`paydesk_t_${process.pid}_${randomBytes(5).toString('hex')}`, postgresTestUrl);
  created.push(database);
  return database.url;
}

/** A new shared ledger in a throwaway database, holding these EUR accounts, each opened with `openingBalance`; its URL. */
export async function newSharedLedger(accountCodes: readonly string[], openingBalance: string): Promise<string> {
  const url = await newPostgresDatabase();
  const engine = await Engine.open(url, { create: true, liveUpdates: false });
  try {
    for (const code of accountCodes) {
      const created = await engine.invoke('account-create', { code, name: code, currency: 'EUR', openingBalance });
      if (!created.ok) throw new Error(created.message);
    }
  } finally {
    await engine.close();
  }
  return url;
}

export type BackendName = 'file' | 'postgres';

/** The back ends an integration suite runs against: the file always, PostgreSQL where configured. */
export function backends(): BackendName[] {
  return postgresTestsRun() ? ['file', 'postgres'] : ['file'];
}

/** Where a new ledger of that back end goes: a file in `folder`, or a throwaway database. */
export async function newLedgerLocation(backend: BackendName, folder: string): Promise<string> {
  return backend === 'file' ? path.join(folder, 'ledger.paydesk') : newPostgresDatabase();
}
