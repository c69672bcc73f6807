import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useTempFolder } from '../support/temp-folder';

const run = promisify(execFile);
const newFolder = useTempFolder('paydesk-cli-');
const cliPath = path.join(import.meta.dirname, '../../bin/paydesk.mjs');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function paydesk(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function balances(db: string): Promise<{ code: string; currency: string; balanceMinor: number; balance: string }[]> {
  const result = await paydesk('balances', '--db', db, '--json');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

describe('paydesk command line', () => {
  it('creates a ledger, adds accounts, pays and prints balances as JSON', async () => {
    const db = path.join(newFolder(), 'books.paydesk');
    expect((await paydesk('init', '--db', db)).code).toBe(0);
    const added = await paydesk('account', 'add', '--db', db, '--code', 'ALICE', '--name', 'Alice', '--currency', 'BHD', '--opening-balance', '10.500');
    expect(added.code).toBe(0);
    expect((await paydesk('account', 'add', '--db', db, '--code', 'BOB', '--name', 'Bob', '--currency', 'BHD')).code).toBe(0);
    const paid = await paydesk('pay', '--db', db, '--id', 'cli-1', '--from', 'ALICE', '--to', 'BOB', '--amount', '0.125', '--currency', 'BHD', '--json');
    expect(paid.code).toBe(0);
    const outcome = JSON.parse(paid.stdout);
    expect(outcome).toMatchObject({ id: 'cli-1', status: 'accepted', code: 'ACSC' });
    expect(Object.keys(outcome)).toEqual(['id', 'status', 'code', 'message', 'pltUs']);
    expect(outcome.pltUs).toBeGreaterThan(0);
    const lines = await balances(db);
    expect(lines.find((line) => line.code === 'ALICE')).toEqual({ code: 'ALICE', currency: 'BHD', balanceMinor: 10375, balance: '10.375' });
    expect(lines.find((line) => line.code === 'BOB')).toEqual({ code: 'BOB', currency: 'BHD', balanceMinor: 125, balance: '0.125' });
    expect((await paydesk('verify', '--db', db)).code).toBe(0);
  });

  it('answers a rejected payment with its code and exit code 1', async () => {
    const db = path.join(newFolder(), 'books.paydesk');
    await paydesk('init', '--db', db, '--demo');
    const rejected = await paydesk('pay', '--db', db, '--id', 'big', '--from', 'INITECH', '--to', 'GLOBEX', '--amount', '5.00', '--currency', 'EUR', '--json');
    expect(rejected.code).toBe(1);
    expect(JSON.parse(rejected.stdout)).toMatchObject({ status: 'rejected', code: 'AM04' });
  });

  it.each([
    [['pay', '--db', 'LEDGER', '--id', 'x', '--from', 'GLOBEX', '--to', 'INITECH', '--amount', '1e3', '--currency', 'EUR'], /AM12/],
    [['pay', '--db', 'LEDGER', '--id', 'x', '--from', 'GLOBEX', '--to', 'INITECH', '--currency', 'EUR'], /--amount is required/],
    [['pay', '--db', 'LEDGER', '--bogus'], /bogus/],
    [['account', 'add', '--db', 'LEDGER', '--code', 'GLOBEX', '--name', 'Again', '--currency', 'EUR'], /ACCOUNT_EXISTS/],
    [['balances', '--db', 'MISSING'], /no ledger at/],
    [['balances', '--db', 'NOTLEDGER'], /not a PayDesk ledger/],
    [['init', '--db', 'LEDGER'], /already exists/],
    [['teleport', '--db', 'LEDGER'], /unknown command/],
  ])('refuses %j with one line on stderr, exit 2, and changes nothing', async (args, message) => {
    const folder = newFolder();
    const db = path.join(folder, 'books.paydesk');
    const notLedger = path.join(folder, 'notes.txt');
    writeFileSync(notLedger, 'not a ledger');
    await paydesk('init', '--db', db, '--demo');
    const before = readFileSync(db);
    const substitute = (arg: string) => ({ LEDGER: db, MISSING: path.join(folder, 'missing.paydesk'), NOTLEDGER: notLedger })[arg] ?? arg;
    const result = await paydesk(...args.map(substitute));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(readFileSync(notLedger, 'utf8')).toBe('not a ledger');
  });
});
