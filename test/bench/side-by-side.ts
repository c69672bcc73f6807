import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultAccounts } from '../../scripts/generate-batch';
import { median, type BenchCase, type Figure } from './harness';
import { batchWorker, inputFile } from './batch';
import { hostBatch } from './host-batch';
import { balancesDiffering, paydesk, paydeskBalances, python3Available, runProcess, type ProcessRun } from './processes';

const nativeScript = path.join(import.meta.dirname, 'native-sqlite.py');

/** A demo ledger (the accounts generate-batch pays between) and its opening balances. */
async function demoLedger(workFolder: string, name: string): Promise<{ ledgerPath: string; opening: Record<string, number> }> {
  const ledgerPath = path.join(workFolder, `${name}-${Date.now()}.paydesk`);
  await paydesk(['init', '--db', ledgerPath, '--demo']);
  return { ledgerPath, opening: await paydeskBalances(ledgerPath) };
}

/** Every account the file touches ends with the same balance in both tools. */
const noneDiffer = { unit: '', target: { kind: 'max', value: 0 } } as const;

function rate(rows: number, wallMs: number): number {
  return (rows / wallMs) * 1000;
}

/** The native SQLite loop in Python on the same file and opening balances; null (with the reason printed) without python3. */
async function nativeBaseline(workFolder: string, inputPath: string, opening: Record<string, number>) {
  if (!(await python3Available())) {
    process.stderr.write('bench: the native SQLite baseline is skipped: python3 with its sqlite3 module is not installed here\n');
    return null;
  }
  const openingPath = path.join(workFolder, `opening-${Date.now()}.json`);
  writeFileSync(openingPath, JSON.stringify(Object.fromEntries(defaultAccounts.map((code) => [code, opening[code]]))));
  const databasePath = path.join(workFolder, `native-${Date.now()}.sqlite`);
  const run = await runProcess('python3', [nativeScript, inputPath, databasePath, openingPath], { measureRss: true });
  const report = JSON.parse(run.stdout) as { balances: Record<string, number> };
  return { ...run, balances: report.balances };
}

/** What the sql.js floor is, in the table (batch-worker.ts's sqljs-floor mode). */
const sqlJsFloorName = 'sql.js floor: the same rows into a payments table of the native loop\'s shape (unique payment id, an index per account), ' +
  'commit per 1,000 rows, nothing else';

/** The sql.js floor's rows per second on the input, in a process of its own (batch-worker.ts's sqljs-floor mode). */
async function sqlJsFloorRate(workFolder: string, inputPath: string, rows: number): Promise<number> {
  const floor = await batchWorker('sqljs-floor', inputPath, workFolder);
  if (floor.rows !== rows) throw new Error(`the sql.js floor inserted ${floor.rows} rows of ${rows}`);
  return rate(rows, floor.ms);
}

type NativeRun = NonNullable<Awaited<ReturnType<typeof nativeBaseline>>>;

/** The native loop's figures, with what the 2x target asks of the CLI and the sql.js floor beside its rate; the floor alone without python3. */
function nativeAndFloorFigures(rows: number, native: NativeRun | null, floorRate: number, cliRate: number, cliBalances: Record<string, number>): Figure[] {
  const floor: Figure = { name: sqlJsFloorName, value: floorRate, unit: 'rows/s' };
  if (native === null) return [floor];
  const nativeRate = rate(rows, native.wallMs);
  return [
    { name: 'native SQLite (python3, WAL, synchronous=FULL, commit per 1,000 rows)', value: nativeRate, unit: 'rows/s' },
    { name: '2x native needs', value: 2 * nativeRate, unit: 'rows/s' },
    floor,
    { name: 'native SQLite, peak RSS', value: native.peakRssMb, unit: 'MB' },
    { name: 'CLI / native', value: cliRate / nativeRate, unit: 'x', target: { kind: 'min', value: 2 } },
    { name: 'accounts whose balance differs, CLI vs native', value: balancesDiffering(defaultAccounts, cliBalances, native.balances), ...noneDiffer },
  ];
}

/**
 * Issue 14's comparison, in one run on one file: `paydesk batch` as a whole
 * process, the native SQLite loop at the same durability (a commit per 1,000
 * rows), and the same batch driven through the loopback host as the UI does.
 * The balances of every account the file touches must come out equal. Beside
 * the native figure, twice it (what the target asks of the CLI) and the sql.js
 * floor: the rows inserted through sql.js in a process of its own with nothing
 * else, which the CLI, doing the same inserts and more, cannot beat.
 */
export const batchSideBySide: BenchCase = {
  name: 'batch, whole process, side by side',
  repeat: false,
  async run({ workFolder, rows, seed }) {
    const inputPath = await inputFile(workFolder, rows, seed);
    const cliLedger = await demoLedger(workFolder, 'cli');
    const cli = await paydesk(['batch', '--db', cliLedger.ledgerPath, inputPath, '--json', '--results', path.join(workFolder, 'cli-results.csv')], {
      measureRss: true, allowedExitCodes: [1],
    });
    const cliReport = JSON.parse(cli.stdout) as { rows: number; accepted: number };
    if (cliReport.rows !== rows) throw new Error(`paydesk batch read ${cliReport.rows} rows of ${rows}`);
    const cliBalances = await paydeskBalances(cliLedger.ledgerPath);
    const cliRate = rate(rows, cli.wallMs);
    const figures: Figure[] = [
      { name: 'paydesk batch (CLI), whole process', value: cliRate, unit: 'rows/s' },
      { name: 'paydesk batch (CLI), wall time', value: cli.wallMs / 1000, unit: 's' },
      { name: 'paydesk batch (CLI), peak RSS', value: cli.peakRssMb, unit: 'MB', target: { kind: 'max', value: 600 } },
    ];
    const native = await nativeBaseline(workFolder, inputPath, cliLedger.opening);
    figures.push(...nativeAndFloorFigures(rows, native, await sqlJsFloorRate(workFolder, inputPath, rows), cliRate, cliBalances));
    const hostLedger = await demoLedger(workFolder, 'host');
    const host = await hostBatch(hostLedger.ledgerPath, inputPath);
    const hostBalances = await paydeskBalances(hostLedger.ledgerPath);
    figures.push(
      { name: 'through the loopback host (upload, validate, process over HTTP)', value: rate(rows, host.wallMs), unit: 'rows/s' },
      { name: 'host process peak RSS', value: host.peakRssMb, unit: 'MB' },
      { name: 'host / CLI', value: rate(rows, host.wallMs) / cliRate, unit: 'x', target: { kind: 'min', value: 0.8 } },
      { name: 'accounts whose balance differs, host vs CLI', value: balancesDiffering(defaultAccounts, hostBalances, cliBalances), ...noneDiffer },
    );
    return figures;
  },
};

/** Starts of a command: the median and the fastest of `coldStartRuns` runs. */
const coldStartRuns = 11;

async function startTimes(command: string, args: string[]): Promise<{ medianS: number; fastestS: number; cpuMedianS: number }> {
  const runs: ProcessRun[] = [];
  for (let run = 0; run < coldStartRuns; run++) runs.push(await runProcess(command, args, { measureRss: true }));
  const wallMs = runs.map((run) => run.wallMs);
  return { medianS: median(wallMs) / 1000, fastestS: Math.min(...wallMs) / 1000, cpuMedianS: median(runs.map((run) => run.cpuS)) };
}

/**
 * Command-line cold start beside Node's own: `node -e 0` is the floor no Node
 * program starts under. The bundle is made fresh first (a stale one is rebuilt
 * by the first start, which would not be a cold start of the shipped CLI).
 */
export const coldStart: BenchCase = {
  name: 'command-line cold start',
  repeat: false,
  async run({ workFolder }) {
    const { ledgerPath } = await demoLedger(workFolder, 'small');
    await paydesk(['--help']);
    const floor = await startTimes(process.execPath, ['-e', '0']);
    const help = await startTimes(process.execPath, [path.join(import.meta.dirname, '../../bin/paydesk.mjs'), '--help']);
    const balances = await startTimes(process.execPath, [path.join(import.meta.dirname, '../../bin/paydesk.mjs'), 'balances', '--db', ledgerPath]);
    return [
      { name: 'node -e 0 (the floor), median', value: floor.medianS, unit: 's' },
      { name: 'paydesk --help, median', value: help.medianS, unit: 's', target: { kind: 'max', value: 0.3 } },
      { name: 'paydesk --help, fastest', value: help.fastestS, unit: 's' },
      { name: 'paydesk balances (small ledger), median', value: balances.medianS, unit: 's', target: { kind: 'max', value: 0.3 } },
      { name: 'paydesk balances (small ledger), fastest', value: balances.fastestS, unit: 's' },
      { name: 'paydesk --help above the floor, median', value: help.medianS - floor.medianS, unit: 's' },
      { name: 'paydesk balances above the floor, median', value: balances.medianS - floor.medianS, unit: 's' },
      { name: 'CPU time (user + system): node -e 0, median', value: floor.cpuMedianS, unit: 's' },
      { name: 'CPU time: paydesk --help, median', value: help.cpuMedianS, unit: 's' },
      { name: 'CPU time: paydesk balances, median', value: balances.cpuMedianS, unit: 's' },
    ];
  },
};
