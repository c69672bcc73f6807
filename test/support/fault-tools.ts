/** Shared pieces of the real-file fault tests: workers, CLI runs, folder snapshots, ledger checks. */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Engine } from '../../electron/core/engine';

export const repoRoot = path.join(import.meta.dirname, '../..');
export const faultWorkerPath = path.join(import.meta.dirname, 'fault-worker.ts');

/** A ledger with SOURCE (plenty) and SINK, closed, as `paydesk init` and `account add` would leave it. */
export async function newLedger(ledgerPath: string): Promise<void> {
  const engine = await Engine.open(ledgerPath, { create: true });
  await engine.invoke('account-create', { code: 'SOURCE', name: 'Source', currency: 'EUR', openingBalance: '100000000.00' });
  await engine.invoke('account-create', { code: 'SINK', name: 'Sink', currency: 'EUR' });
  await engine.close();
}

export interface WorkerRun {
  acknowledged: string[];
  stopped: string | null;
  failure: string | null;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs test/support/fault-worker.ts. With `killWhen`, SIGKILLs it once that
 * returns true for a line it printed (checked after the line is counted).
 */
export function runFaultWorker(
  ledgerPath: string, prefix: string, args: string[], killWhen: ((line: string, run: WorkerRun) => boolean) | null,
  timeoutMs = 40_000,
): Promise<WorkerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', faultWorkerPath, ledgerPath, prefix, ...args], {
      cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: WorkerRun = { acknowledged: [], stopped: null, failure: null, code: null, signal: null, stderr: '' };
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString('utf8')));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('ACK ')) run.acknowledged.push(line.slice(4));
      else if (line.startsWith('STOPPED ')) run.stopped = line;
      else if (line.startsWith('FAIL ')) run.failure = line;
      if (killWhen?.(line, run)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      run.code = code;
      run.signal = signal;
      resolve(run);
    });
  });
}

/**
 * Every file in a folder (not recursive) with its SHA-256: compared before and
 * after to prove nothing changed. Lock files are left out: a stale lock that a
 * killed process left is rightly taken over (callers check that none remains).
 */
export function snapshotFolder(folder: string): Record<string, string> {
  const snapshot: Record<string, string> = {};
  for (const name of readdirSync(folder).sort()) {
    if (/\.lock\.\d+$/.test(name)) continue;
    const filePath = path.join(folder, name);
    snapshot[name] = statSync(filePath).isDirectory() ? 'folder' : createHash('sha256').update(readFileSync(filePath)).digest('hex');
  }
  return snapshot;
}

export function copyFolder(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}

export function journalFiles(folder: string, ledgerName: string): string[] {
  return readdirSync(folder).filter((name) => name.startsWith(`${ledgerName}-journal-`)).sort();
}

/** Checks a ledger that opened: each acknowledged payment once, SINK's balance from its payments, verify OK. */
export async function checkKept(engine: Engine, acknowledged: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  const database = engine.store.database;
  for (const paymentId of acknowledged) {
    const count = Number(database.value('SELECT COUNT(*) FROM payments WHERE payment_id = ?', [paymentId]));
    if (count !== 1) problems.push(`acknowledged ${paymentId} present ${count} times`);
  }
  const paid = Number(database.value("SELECT COALESCE(SUM(amount_minor), 0) FROM payments WHERE creditor_code = 'SINK' AND status = 1"));
  const sink = engine.store.state.accounts.get('SINK');
  if (sink === undefined) problems.push('SINK is missing');
  else if (sink.balanceMinor !== paid) problems.push(`SINK holds ${sink.balanceMinor}, its accepted payments ${paid}`);
  const report = await engine.verifyWithFiles();
  problems.push(...report.problems);
  return problems;
}

export function lockFiles(folder: string): string[] {
  return readdirSync(folder).filter((name) => /\.lock(\.\d+|-tmp-.*)?$/.test(name) || name.includes('.lock-tmp-'));
}
