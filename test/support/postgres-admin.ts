import pg from 'pg';

/**
 * One statement on the test server as the role PAYDESK_TEST_PG_URL names
 * (CREATE DATABASE, DROP DATABASE), on a connection of its own. Free of
 * vitest and Playwright, so both kinds of test share it.
 */
export async function adminQuery(sql: string, serverUrl = process.env.PAYDESK_TEST_PG_URL): Promise<void> {
  if (serverUrl === undefined) throw new Error('PAYDESK_TEST_PG_URL is not set: run scripts/test-setup-postgres.sh and export the URL it prints.');
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
