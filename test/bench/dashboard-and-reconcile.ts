import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Engine } from '../../electron/core/engine';
import { buildLedger } from './ledger-builder';
import { elapsedMs, median, type BenchCase, type Figure } from './harness';

const run = promisify(execFile);
const repositoryRoot = path.join(import.meta.dirname, '../..');
const dashboardRanges = ['5m', '1h', '24h', 'all'] as const;
/** Queries per range; the median is reported, the first (cold) one included. */
const dashboardQueries = 20;

/** The dashboard's query over a ledger of N payments, for each time range; the slowest range's median is the figure. */
export const dashboardQuery: BenchCase = {
  name: 'dashboard query',
  repeat: false,
  async run({ workFolder, rows, seed }) {
    const ledgerPath = path.join(workFolder, `dashboard-${rows}.paydesk`);
    await buildLedger(ledgerPath, rows, seed);
    const engine = await Engine.open(ledgerPath, { create: true });
    const figures: Figure[] = [];
    for (const range of dashboardRanges) {
      const timesMs: number[] = [];
      for (let index = 0; index < dashboardQueries; index++) {
        const startNs = process.hrtime.bigint();
        const result = await engine.invoke('metrics-dashboard', { range });
        timesMs.push(elapsedMs(startNs));
        if (!result.ok) throw new Error(result.message);
      }
      figures.push({ name: `range ${range}, ${rows.toLocaleString('en')} payments`, value: median(timesMs), unit: 'ms', target: { kind: 'max', value: 50 } });
    }
    await engine.close();
    return figures;
  },
};

/**
 * Reconciling a statement of N/10 lines against an account with N payments,
 * through the CLI on the reconciliation fixture generator's ledger; the time
 * is the engine's own (`--time`), without starting node and opening the file.
 */
export const reconcile: BenchCase = {
  name: 'reconcile',
  repeat: false,
  async run({ workFolder, rows, seed, runs }) {
    const folder = path.join(workFolder, 'reconcile');
    const lines = Math.max(100, Math.floor(rows / 10));
    const generator = path.join(repositoryRoot, 'test/fixtures/reconciliation/generate-bench.ts');
    await run(process.execPath, ['--import', 'tsx', generator, folder, String(rows), String(lines), String(seed)], { maxBuffer: 1 << 24 });
    const timesMs: number[] = [];
    for (let index = 0; index < runs; index++) {
      const cli = path.join(repositoryRoot, 'bin/paydesk.mjs');
      const args = [cli, 'reconcile', '--db', path.join(folder, 'bench.paydesk'), '--account', 'CASH', path.join(folder, 'statement.csv'), '--json', '--time'];
      const { stderr } = await run(process.execPath, args, { maxBuffer: 1 << 26 }).catch((error: { stderr: string; code: number }) => {
        if (error.code !== 1) throw error;
        return error;
      });
      const match = /reconciled in (\d+) ms/.exec(stderr);
      if (match === null) throw new Error(`reconcile printed no time: ${stderr}`);
      timesMs.push(Number(match[1]));
    }
    const name = `${lines.toLocaleString('en')} lines against ${rows.toLocaleString('en')} payments`;
    return [{ name, value: median(timesMs), unit: 'ms', target: { kind: 'max', value: 5000 } }];
  },
};
