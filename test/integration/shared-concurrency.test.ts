import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { newPostgresDatabase, postgresTestsRun } from '../support/postgres';

/**
 * Several real processes on one shared ledger (PostgreSQL): desks paying at
 * once between overlapping accounts, and a desk killed with SIGKILL in the
 * middle of its payments. Skipped, with the reason printed, where no
 * PostgreSQL server is configured (test/support/postgres.ts).
 */
const workerPath = path.join(import.meta.dirname, '../support/shared-desk-worker.ts');

interface Acknowledged {
  paymentId: string;
  debtor: string;
  creditor: string;
  amount: string;
  status: string;
  code: string;
}

interface Desk {
  child: ChildProcess;
  acknowledged: Acknowledged[];
  refused: string[];
  lines: (predicate: (line: string) => boolean) => Promise<void>;
  exited: Promise<number | null>;
}

function startDesk(url: string, desk: string, count: number, seed: number): Desk {
  const child = spawn(process.execPath, ['--import', 'tsx', workerPath, url, desk, String(count), '4', String(seed)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acknowledged: Acknowledged[] = [];
  const refused: string[] = [];
  const waiting = new Set<{ predicate: (line: string) => boolean; resolve: () => void }>();
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith('ACK ')) acknowledged.push(JSON.parse(line.slice(4)) as Acknowledged);
      if (line.startsWith('REFUSED ')) refused.push(line);
      for (const waiter of waiting) if (waiter.predicate(line)) (waiting.delete(waiter), waiter.resolve());
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child, acknowledged, refused, exited,
    lines: (predicate) => new Promise((resolve) => waiting.add({ predicate, resolve })),
  };
}

// Opening balances of 60.00 against payments of 1.00 to 40.99: accounts reach their limits often, so refusals race with credits from other desks.
const limits: Record<string, number> = { A: 5_000, B: 0, C: 2_000, D: 0 };

async function sharedLedgerWithAccounts(): Promise<string> {
  const url = await newPostgresDatabase();
  const engine = await Engine.open(url, { create: true });
  for (const code of ['A', 'B', 'C', 'D']) {
    const overdraftLimit = (limits[code] / 100).toFixed(2);
    const created = await engine.invoke('account-create', { code, name: code, currency: 'EUR', openingBalance: '60.00', overdraftLimit });
    if (!created.ok) throw new Error(created.message);
  }
  await engine.close();
  return url;
}

/** Every acknowledged outcome is in the ledger once, as acknowledged; no account is past its limit; verify (and the audit chain) holds. */
async function checkLedger(url: string, acknowledged: Acknowledged[]): Promise<void> {
  const engine = await Engine.open(url);
  try {
    for (const outcome of acknowledged) {
      const found = await engine.invoke('payment-get', { paymentId: outcome.paymentId });
      expect(found, outcome.paymentId).toMatchObject({ ok: true });
      if (!found.ok) continue;
      const sameContent = found.value.debtor === outcome.debtor && found.value.creditor === outcome.creditor;
      // A shared id acknowledged to two desks must be the same payment with the same outcome.
      if (sameContent) expect(found.value.status, outcome.paymentId).toBe(outcome.status);
    }
    const accounts = await engine.invoke('account-list', {});
    if (!accounts.ok) throw new Error(accounts.message);
    for (const account of accounts.value.filter((candidate) => candidate.code.length === 1)) {
      expect(account.balanceMinor, account.code).toBeGreaterThanOrEqual(-limits[account.code]);
    }
    expect(engine.verify()).toMatchObject({ ok: true, problems: [] });
  } finally {
    await engine.close();
  }
}

describe.runIf(postgresTestsRun())('several desks on one shared ledger, as real processes', () => {
  it('four desks paying at once between overlapping accounts: each acknowledged outcome once, no limit passed, verify holds', async () => {
    const url = await sharedLedgerWithAccounts();
    const desks = ['d1', 'd2', 'd3', 'd4'].map((name, index) => startDesk(url, name, 60, index + 11));
    expect(await Promise.all(desks.map((desk) => desk.exited))).toEqual([0, 0, 0, 0]);
    const acknowledged = desks.flatMap((desk) => desk.acknowledged);
    expect(acknowledged.filter((outcome) => outcome.status === 'accepted').length).toBeGreaterThan(100);
    expect(acknowledged.some((outcome) => outcome.code === 'AM04')).toBe(true);
    // A shared id paid by another desk first comes back DUPL (different content) or replayed: never paid twice.
    const refusedCodes = new Set(desks.flatMap((desk) => desk.refused.map((line) => (JSON.parse(line.slice(8)) as { code: string }).code)));
    expect([...refusedCodes].filter((code) => code !== 'DUPL')).toEqual([]);
    await checkLedger(url, acknowledged);
  }, 180_000);

  it('a desk killed with SIGKILL mid-payment loses nothing acknowledged, and another desk retries its ids safely', async () => {
    const url = await sharedLedgerWithAccounts();
    const killed = startDesk(url, 'k', 100_000, 3);
    await killed.lines((line) => line.startsWith('ACK ') && killed.acknowledged.length >= 15);
    killed.child.kill('SIGKILL');
    await killed.exited;
    const acknowledged = [...killed.acknowledged];
    await checkLedger(url, acknowledged);
    // The retry, from another desk, of every id the killed desk used (acknowledged or not): the first outcome or DUPL, never a second payment.
    const engine = await Engine.open(url);
    for (const outcome of acknowledged) {
      const { paymentId, debtor, creditor, amount } = outcome;
      const retry = await engine.invoke('payment-submit', { paymentId, debtor, creditor, amount, currency: 'EUR' });
      expect(retry, outcome.paymentId).toMatchObject({ ok: true, value: { status: outcome.status, replayed: true } });
    }
    expect(engine.verify()).toMatchObject({ ok: true });
    await engine.close();
  }, 180_000);
});
