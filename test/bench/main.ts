import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median, verdict, type BenchCase, type Figure } from './harness';
import { batchEndToEnd } from './batch';
import { dashboardQuery, reconcile } from './dashboard-and-reconcile';
import { openLedger } from './open-ledger';
import { realtimeConcurrent, realtimeHost, realtimeSequential } from './realtime';

/**
 * `npm run bench [-- --json] [--rows N] [--runs N] [--only NAME]`: every case
 * runs after a warm-up, a few times, and the table shows medians. Inputs are
 * generated from a fixed seed, so two runs measure the same work.
 */
const cases: BenchCase[] = [batchEndToEnd, realtimeSequential, realtimeConcurrent, realtimeHost, openLedger, dashboardQuery, reconcile];

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, rows: { type: 'string' }, runs: { type: 'string' }, only: { type: 'string' } },
  });
  const rows = Number(values.rows ?? 1_000_000);
  const runs = Number(values.runs ?? 3);
  if (!Number.isSafeInteger(rows) || rows < 1000 || !Number.isSafeInteger(runs) || runs < 1) {
    process.stderr.write('paydesk bench: --rows must be at least 1000 and --runs at least 1\n');
    return 2;
  }
  const workFolder = mkdtempSync(path.join(os.tmpdir(), 'paydesk-bench-'));
  const results: { case: string; figures: Figure[] }[] = [];
  try {
    for (const benchCase of cases.filter((candidate) => values.only === undefined || candidate.name.includes(values.only!))) {
      const options = { rows, runs, workFolder, seed: 20261125 };
      if (!values.json) process.stderr.write(`running: ${benchCase.name}\n`);
      if (benchCase.repeat === false) {
        results.push({ case: benchCase.name, figures: await benchCase.run(options) });
        continue;
      }
      await benchCase.run(options);
      const samples: Figure[][] = [];
      for (let run = 0; run < runs; run++) samples.push(await benchCase.run(options));
      const figures = samples[0].map((figure, index) => ({ ...figure, value: median(samples.map((sample) => sample[index].value)) }));
      results.push({ case: benchCase.name, figures });
    }
  } finally {
    rmSync(workFolder, { recursive: true, force: true });
  }
  process.stdout.write(values.json ? `${JSON.stringify({ rows, runs, results }, null, 2)}\n` : table(results));
  return 0;
}

function table(results: { case: string; figures: Figure[] }[]): string {
  const lines = ['| case | figure | median | target |', '| --- | --- | --- | --- |'];
  for (const result of results) {
    for (const figure of result.figures) {
      const value = figure.value >= 100 ? Math.round(figure.value).toLocaleString('en') : figure.value.toFixed(3);
      lines.push(`| ${result.case} | ${figure.name} | ${value} ${figure.unit} | ${verdict(figure)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
