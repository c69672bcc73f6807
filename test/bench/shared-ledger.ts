import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createDatabase } from '../support/postgres-admin';
import { Engine } from '../../electron/core/engine';
import { batchFolder } from '../../electron/core/batch/batch-files';
import { defaultAccounts } from '../../scripts/generate-batch';
import { BenchSkipped, elapsedMs, quantile, type BenchCase, type Figure } from './harness';
import { durabilityFloorFigures, postgresCommitFloorFigures } from './floors';
import { inputFile } from './batch';
import { balancesDiffering, paydesk, paydeskBalances, repositoryRoot } from './processes';

/**
 * Issue 17's shared-ledger cases: PayDesk on PostgreSQL over loopback. Each
 * case gets a throwaway database on the server PAYDESK_BENCH_PG_URL names (or
 * PAYDESK_TEST_PG_URL; the role must be allowed to create databases), dropped
 * afterwards. Without either the cases are skipped with the reason printed.
 */
const benchPostgresUrl = process.env.PAYDESK_BENCH_PG_URL ?? process.env.PAYDESK_TEST_PG_URL ?? null;

const sequentialPayments = 2_000;
const desks = 4;
const paymentsInFlight = 64;
const paymentsPerDesk = 2_500;
const workerPath = path.join(import.meta.dirname, 'shared-desk-worker.ts');

function requirePostgres(): string {
  if (benchPostgresUrl === null) {
    throw new BenchSkipped('no PostgreSQL configured: set PAYDESK_BENCH_PG_URL (or PAYDESK_TEST_PG_URL) to a role that may create databases');
  }
  return benchPostgresUrl;
}

/** Runs `work` on the URL of a new empty database, dropped (with this desk's batch files) afterwards. */
async function withThrowawayDatabase<T>(work: (url: string) => Promise<T>): Promise<T> {
  const database = await createDatabase(`paydesk_bench_${process.pid}_${randomBytes(4).toString('hex')}`, requirePostgres());
  try {
    return await work(database.url);
  } finally {
    rmSync(batchFolder(database.url), { recursive: true, force: true });
    await database.drop();
  }
}

async function openFunded(location: string): Promise<Engine> {
  const engine = await Engine.open(location, { create: true, liveUpdates: false });
  for (const account of [{ code: 'PAYER', openingBalance: '900000000.00' }, { code: 'PAYEE' }]) {
    const created = await engine.invoke('account-create', { ...account, name: account.code, currency: 'EUR' });
    if (!created.ok) throw new Error(created.message);
  }
  return engine;
}

/** The payee's balance and the payment count must show every acknowledged payment exactly once, and verify must hold. */
function checkPaid(engine: Engine, payments: number): void {
  const report = engine.verify();
  const payeeMinor = engine.store.state.accounts.get('PAYEE')?.balanceMinor;
  if (!report.ok || payeeMinor !== payments * 100 || report.checkedPayments < payments) {
    throw new Error(`after the run: verify ${report.ok ? 'OK' : report.problems.join(' ')}, PAYEE holds ${payeeMinor} minor units, ` +
      `${report.checkedPayments} payments; expected ${payments * 100} and ${payments}`);
  }
}

/** Sequential payments, each timed from the call to the durable answer as its caller sees it. */
async function sequentialLatenciesMs(location: string): Promise<number[]> {
  const engine = await openFunded(location);
  const latenciesMs: number[] = [];
  try {
    for (let index = 0; index < sequentialPayments; index++) {
      const startNs = process.hrtime.bigint();
      const result = await engine.invoke('payment-submit', {
        paymentId: `P-${index}`, debtor: 'PAYER', creditor: 'PAYEE', amount: '1.00', currency: 'EUR', reference: `Invoice ${index}`,
      });
      latenciesMs.push(elapsedMs(startNs));
      if (!result.ok || result.value.status !== 'accepted') throw new Error(`payment P-${index} failed`);
    }
    checkPaid(engine, sequentialPayments);
  } finally {
    await engine.close();
  }
  return latenciesMs.sort((left, right) => left - right);
}

/**
 * Real-time PLT on a shared ledger: the time from the call to the durable
 * answer (it includes taking the turn and reading other desks' frames), beside
 * the same payments on a file in the same run. Right after each PLT loop, the
 * floor under it: a bare committed INSERT in the same database, and a bare
 * fdatasync of a small append on the disk the file ledger is on.
 */
export const sharedRealtime: BenchCase = {
  name: 'shared ledger (PostgreSQL): real-time PLT, sequential',
  async run({ workFolder }) {
    requirePostgres();
    const shared = await withThrowawayDatabase(async (url) => ({ plt: await sequentialLatenciesMs(url), floor: await postgresCommitFloorFigures(url) }));
    const file = await sequentialLatenciesMs(path.join(workFolder, `shared-plt-${Date.now()}.paydesk`));
    const durabilityFloor = await durabilityFloorFigures(workFolder);
    return [
      { name: 'PLT p50', value: quantile(shared.plt, 0.5), unit: 'ms' },
      { name: 'PLT p99', value: quantile(shared.plt, 0.99), unit: 'ms', target: { kind: 'max', value: 5 } },
      ...shared.floor,
      { name: 'the same on a file: PLT p50', value: quantile(file, 0.5), unit: 'ms' },
      { name: 'the same on a file: PLT p99', value: quantile(file, 0.99), unit: 'ms' },
      ...durabilityFloor,
    ] satisfies Figure[];
  },
};

/** What a desk process reports when it has paid its share. */
interface DeskReport {
  accepted: number;
  failures: string[];
  failureTotal: number;
}

interface Desk {
  ready: Promise<void>;
  done: Promise<DeskReport>;
  go(): void;
}

function startDesk(url: string, name: string, inFlight: number): Desk {
  const child = spawn(process.execPath, ['--import', 'tsx', workerPath, url, name, String(paymentsPerDesk), String(inFlight)], {
    cwd: repositoryRoot, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const lines = createInterface({ input: child.stdout });
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const done = new Promise<DeskReport>((resolve, reject) => {
    lines.on('line', (line) => (line === 'READY' ? markReady() : resolve(JSON.parse(line))));
    child.on('close', (code) => reject(new Error(`desk ${name} exited with ${code}: ${stderr.trim()}`)));
  });
  return { ready, done, go: () => child.stdin.write('go\n') };
}

/**
 * 64 payments in flight across 4 desk processes on one shared ledger, all
 * paying from the same account: every payment takes the ledger's turn, so
 * this is the rate at which desks can take turns. A file has no equivalent
 * (one process holds it); its 64-in-flight case above is one process.
 */
export const sharedDesks: BenchCase = {
  name: 'shared ledger (PostgreSQL): 64 in flight across 4 processes',
  async run() {
    requirePostgres();
    return withThrowawayDatabase(async (url) => {
      await (await openFunded(url)).close();
      const started = Array.from({ length: desks }, (_, index) => startDesk(url, `D${index}`, paymentsInFlight / desks));
      await Promise.all(started.map((desk) => desk.ready));
      const startNs = process.hrtime.bigint();
      for (const desk of started) desk.go();
      const outcomes = await Promise.all(started.map((desk) => desk.done));
      const totalMs = elapsedMs(startNs);
      const refused = outcomes.reduce((sum, outcome) => sum + outcome.failureTotal, 0);
      if (refused > 0) throw new Error(`${refused} payments were not accepted: ${outcomes.flatMap((outcome) => outcome.failures).join(', ')}`);
      const engine = await Engine.open(url, { liveUpdates: false });
      try {
        checkPaid(engine, desks * paymentsPerDesk);
      } finally {
        await engine.close();
      }
      return [{ name: 'payments per second, all desks', value: (desks * paymentsPerDesk * 1000) / totalMs, unit: 'payments/s' }] satisfies Figure[];
    });
  },
};

/** `paydesk batch` on a ledger; its wall time, CPU time and peak RSS, and the balances it leaves. */
async function cliBatch(location: string, inputPath: string, rows: number) {
  const run = await paydesk(['batch', '--db', location, inputPath, '--json'], { allowedExitCodes: [1], measureRss: true });
  const report = JSON.parse(run.stdout) as { rows: number };
  if (report.rows !== rows) throw new Error(`paydesk batch read ${report.rows} rows of ${rows}`);
  return { wallMs: run.wallMs, cpuS: run.cpuS, peakRssMb: run.peakRssMb, balances: await paydeskBalances(location) };
}

/**
 * The batch case's input (1,000,000 rows unless --rows says otherwise) through
 * `paydesk batch` as a whole process on a shared ledger, and on a file beside
 * it. Both start from the same demo ledger (the file is copied into PostgreSQL
 * with `paydesk copy`) and must end with the same balances.
 */
export const sharedBatch: BenchCase = {
  name: 'shared ledger (PostgreSQL): batch, whole process',
  repeat: false,
  async run({ workFolder, rows, seed }) {
    requirePostgres();
    const inputPath = await inputFile(workFolder, rows, seed);
    const demoPath = path.join(workFolder, `shared-batch-${Date.now()}.paydesk`);
    await paydesk(['init', '--db', demoPath, '--demo']);
    return withThrowawayDatabase(async (url) => {
      await paydesk(['copy', '--from', demoPath, '--to', url]);
      const shared = await cliBatch(url, inputPath, rows);
      const file = await cliBatch(demoPath, inputPath, rows);
      return [
        { name: 'paydesk batch (CLI) on PostgreSQL', value: (rows * 1000) / shared.wallMs, unit: 'rows/s', target: { kind: 'min', value: 100_000 } },
        { name: 'paydesk batch (CLI) on PostgreSQL, wall time', value: shared.wallMs / 1000, unit: 's' },
        // How much of the wall time the desk itself was busy: the rest it waited for the server.
        { name: 'the same: CPU time of the desk (user + system)', value: shared.cpuS, unit: 's' },
        { name: 'the same: peak RSS of the desk', value: shared.peakRssMb, unit: 'MB' },
        { name: 'the same on a file', value: (rows * 1000) / file.wallMs, unit: 'rows/s' },
        { name: 'accounts whose balance differs, PostgreSQL vs file', value: balancesDiffering(defaultAccounts, shared.balances, file.balances),
          unit: '', target: { kind: 'max', value: 0 } },
      ] satisfies Figure[];
    });
  },
};
