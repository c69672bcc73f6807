import pg from 'pg';

/**
 * One statement on the test server as the role PAYDESK_TEST_PG_URL names
 * (CREATE DATABASE, DROP DATABASE), on a connection of its own. Free of
 * vitest and Playwright, so both kinds of test share it.
 */
export async function adminQuery(sql: string, serverUrl = process.env.PAYDESK_TEST_PG_URL): Promise<Record<string, unknown>[]> {
  if (serverUrl === undefined) throw new Error('PAYDESK_TEST_PG_URL is not set: run scripts/test-setup-postgres.sh and export the URL it prints.');
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

export interface ThrowawayDatabase {
  name: string;
  /** The test server's URL with this database in it. */
  url: string;
  /** Drops it, closing any connection still open; never throws. */
  drop(): Promise<void>;
}

/** A new empty database on the test server; the name is quoted, so spaces and accents are fine. */
export async function createDatabase(name: string, serverUrl = process.env.PAYDESK_TEST_PG_URL): Promise<ThrowawayDatabase> {
  await adminQuery(`CREATE DATABASE "${name}"`, serverUrl);
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`, serverUrl).catch(() => undefined);
    },
  };
}
