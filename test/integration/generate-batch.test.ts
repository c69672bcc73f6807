import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { main as cli } from '../../electron/cli/main';
import { Engine } from '../../electron/core/engine';
import { parseAmount } from '../../shared/money';
import { useTempFolder } from '../support/temp-folder';

/**
 * scripts/generate-batch.ts as a person runs it (node --import tsx, a real
 * process): help, refusals with exit code 2, a currency's decimals, and the
 * accounts of a given ledger, whose file the CLI then runs as a batch.
 */

const repositoryRoot = path.resolve(__dirname, '../..');
const execFileAsync = promisify(execFile);

async function generate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', 'scripts/generate-batch.ts', ...args], { cwd: repositoryRoot });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function rowsOf(file: string): string[][] {
  const [header, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
  expect(header).toBe('payment_id,debtor_account,creditor_account,amount,currency,reference');
  return lines.map((line) => line.split(','));
}

describe('scripts/generate-batch.ts', () => {
  const newFolder = useTempFolder('paydesk-generate-');

  it('prints its usage and exits 0 on --help', async () => {
    const result = await generate('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: node --import tsx scripts\/generate-batch\.ts OUT\.csv \[options\]/);
    expect(result.stdout).toContain('--currency CUR');
    expect(result.stdout).toContain('--ledger FILE');
    expect(result.stderr).toBe('');
  });

  it('refuses bad arguments with a sentence and the usage, exit code 2, no stack trace', async () => {
    const folder = newFolder();
    const output = path.join(folder, 'x.csv');
    for (const args of [[], ['--rows', '5'], [output, '--currency', 'XYZ'], [output, '--accounts', 'ONLY'], [output, '--rows', 'many'], ['--bogus']]) {
      const result = await generate(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^generate-batch: .+\nusage: /);
      expect(result.stderr).not.toContain('    at ');
    }
  });

  it('writes the chosen currency with its decimals between the chosen accounts', async () => {
    const folder = newFolder();
    for (const [currency, pattern] of [['JPY', /^\d+$/], ['BHD', /^\d+\.\d{3}$/], ['EUR', /^\d+\.\d{2}$/]] as const) {
      const file = path.join(folder, `${currency}.csv`);
      const result = await generate(file, '--rows', '40', '--seed', '3', '--currency', currency.toLowerCase(), '--accounts', 'NORTH, SOUTH,EAST');
      expect(result.code).toBe(0);
      const rows = rowsOf(file);
      expect(rows).toHaveLength(40);
      for (const [, debtor, creditor, amount, rowCurrency] of rows) {
        expect(['NORTH', 'SOUTH', 'EAST']).toContain(debtor);
        expect(creditor).not.toBe(debtor);
        expect(rowCurrency).toBe(currency);
        expect(amount).toMatch(pattern);
        expect(parseAmount(amount, currency).ok).toBe(true);
      }
    }
  });

  it('takes the accounts of a ledger in one currency, and the CLI runs the file it writes', async () => {
    const folder = newFolder();
    const ledgerPath = path.join(folder, 'demo.paydesk');
    const printed = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await cli(['init', '--db', ledgerPath, '--demo'])).toBe(0);
    const file = path.join(folder, 'usd.csv');
    const result = await generate(file, '--rows', '30', '--currency', 'USD', '--ledger', ledgerPath, '--prefix', 'usd');
    expect(result.code).toBe(0);
    const accounts = new Set(rowsOf(file).flatMap(([, debtor, creditor]) => [debtor, creditor]));
    expect([...accounts].sort()).toEqual(['HOOLI-US', 'STARK-US', 'UMBRELLA-US']);
    printed.mockClear();
    // Exit code 1 is allowed: STARK-US starts empty, so a few of its payments are refused with AM04.
    expect(await cli(['batch', '--db', ledgerPath, file, '--json'])).toBeLessThanOrEqual(1);
    const summary = JSON.parse(String(printed.mock.calls.at(-1)?.[0])) as { rows: number; valid: number; invalid: number };
    printed.mockRestore();
    expect(summary).toMatchObject({ rows: 30, valid: 30, invalid: 0 });
    expect((await generate(path.join(folder, 'gbp.csv'), '--currency', 'GBP', '--ledger', ledgerPath)).stderr).toContain('at least two GBP accounts');
  });

  it('refuses a ledger another process holds open, with the sentence and exit code 2', async () => {
    const folder = newFolder();
    const ledgerPath = path.join(folder, 'held.paydesk');
    const engine = await Engine.open(ledgerPath, { create: true });
    try {
      const result = await generate(path.join(folder, 'out.csv'), '--ledger', ledgerPath);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^generate-batch: cannot read the accounts of .*held\.paydesk: .*open in another PayDesk process/);
      expect(result.stderr).not.toContain('    at ');
    } finally {
      await engine.close();
    }
  });
});
