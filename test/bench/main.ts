import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BenchSkipped, median, verdict, type BenchCase, type BenchOptions, type Figure } from './harness';
import { batchEndToEnd } from './batch';
import { dashboardQuery, reconcile } from './dashboard-and-reconcile';
import { openLedger } from './open-ledger';
import { realtimeConcurrent, realtimeHost, realtimeSequential } from './realtime';
import { sharedBatch, sharedDesks, sharedRealtime } from './shared-ledger';
import { batchSideBySide, coldStart } from './side-by-side';

/**
 * `npm run bench [-- --json] [--rows N] [--runs N] [--only NAME]`: every case
 * runs after a warm-up, a few times, and the table shows medians. Inputs are
 * generated from a fixed seed, so two runs measure the same work.
 */
const cases: BenchCase[] = [
  coldStart, batchSideBySide, batchEndToEnd, realtimeSequential, realtimeConcurrent, realtimeHost, openLedger, dashboardQuery, reconcile,
  sharedRealtime, sharedDesks, sharedBatch,
];

/** What `npm run bench -- --help` prints, with every case's name for --only. */
function usage(): string {
  return [
    'usage: npm run bench [-- --json] [--rows N] [--runs N] [--only TEXT]',
    '  --json      print every figure as JSON at the end instead of a table as cases finish',
    '  --rows N    rows of the large cases (default 1000000, at least 1000)',
    '  --runs N    measured runs of a repeated case, after a warm-up (default 3)',
    '  --only TEXT run only the cases whose name contains TEXT; the cases:',
    ...cases.map((benchCase) => `              ${benchCase.name}`),
    '  --help      print this and exit',
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, rows: { type: 'string' }, runs: { type: 'string' }, only: { type: 'string' }, help: { type: 'boolean' } },
    });
  } catch (error) {
    process.stderr.write(`paydesk bench: ${(error as Error).message}\n${usage()}`);
    return 2;
  }
  const values = parsed.values;
  if (values.help) {
    process.stdout.write(usage());
    return 0;
  }
  const rows = Number(values.rows ?? 1_000_000);
  const runs = Number(values.runs ?? 3);
  if (!Number.isSafeInteger(rows) || rows < 1000 || !Number.isSafeInteger(runs) || runs < 1) {
    process.stderr.write('paydesk bench: --rows must be at least 1000 and --runs at least 1\n');
    return 2;
  }
  const workFolder = mkdtempSync(path.join(os.tmpdir(), 'paydesk-bench-'));
  const results: { case: string; figures: Figure[]; skipped?: string }[] = [];
  // The table is printed a case at a time, as each finishes; --json prints everything at the end.
  if (!values.json) process.stdout.write(`${tableHeader.join('\n')}\n`);
  try {
    for (const benchCase of cases.filter((candidate) => values.only === undefined || candidate.name.includes(values.only!))) {
      if (!values.json) process.stderr.write(`running: ${benchCase.name}\n`);
      const result = await measureOrSkip(benchCase, { rows, runs, workFolder, seed: 20261125 });
      results.push(result);
      if (!values.json) process.stdout.write(result.skipped === undefined ? tableRows(result) : `| ${result.case} | skipped: ${result.skipped} | | |\n`);
    }
  } finally {
    rmSync(workFolder, { recursive: true, force: true });
  }
  if (values.json) process.stdout.write(`${JSON.stringify({ rows, runs, results }, null, 2)}\n`);
  return 0;
}

/** A case's figures, or the reason it cannot run here (also printed to stderr, so a --json run shows it too). */
async function measureOrSkip(benchCase: BenchCase, options: BenchOptions): Promise<{ case: string; figures: Figure[]; skipped?: string }> {
  try {
    return { case: benchCase.name, figures: await measure(benchCase, options) };
  } catch (error) {
    if (!(error instanceof BenchSkipped)) throw error;
    process.stderr.write(`bench: ${benchCase.name} is skipped: ${error.message}\n`);
    return { case: benchCase.name, figures: [], skipped: error.message };
  }
}

/** One case's figures: a single run where the case asks for it, else the medians of `runs` runs after a warm-up. */
async function measure(benchCase: BenchCase, options: BenchOptions): Promise<Figure[]> {
  if (benchCase.repeat === false) return benchCase.run(options);
  await benchCase.run(options);
  const samples: Figure[][] = [];
  for (let run = 0; run < options.runs; run++) samples.push(await benchCase.run(options));
  return samples[0].map((figure, index) => ({ ...figure, value: median(samples.map((sample) => sample[index].value)) }));
}

const tableHeader = ['| case | figure | median | target |', '| --- | --- | --- | --- |'];

function tableRows(result: { case: string; figures: Figure[] }): string {
  const lines: string[] = [];
  for (const figure of result.figures) {
    const value = figure.value >= 100 || Number.isInteger(figure.value) ? Math.round(figure.value).toLocaleString('en') : figure.value.toFixed(3);
    lines.push(`| ${result.case} | ${figure.name} | ${value} ${figure.unit} | ${verdict(figure)} |`.replace(/ {2,}\|/g, ' |'));
  }
  return `${lines.join('\n')}\n`;
}
