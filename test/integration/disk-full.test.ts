/**
 * Issue 12, fail-stop after a write error, on a real full disk: a small tmpfs
 * (CI runs as root; skipped with the reason where mounting is not allowed).
 * (a) A process pays until the disk fills: it must get LEDGER_STOPPED and
 *     never an "accepted" that is not on disk; `paydesk pay` on the full disk
 *     must not crash with a stack trace or a "refused" exit; once space is
 *     freed, every acknowledged payment is there exactly once and verify is OK.
 * (b) `paydesk batch --results` on a disk that fills mid-batch: exit 3, the
 *     batch not reported complete, and every row the results file lists as
 *     accepted is in the ledger exactly once after the reopen.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { generateBatch } from '../../scripts/generate-batch';
import { checkKept, lockFiles, newLedger, runFaultWorker, snapshotFolder } from '../support/fault-tools';
import { mountTmpfs, unmountTmpfs } from '../support/tmpfs';
import { runCli } from '../support/run-cli';

const root = mkdtempSync(path.join(os.tmpdir(), 'paydesk-disk-full-'));
const mountPoint = path.join(root, 'tmpfs');
let skipReason: string | null = null;

const fillerPath = path.join(mountPoint, 'filler.bin');

/** Fills the tmpfs until only `leaveBytes` are free. */
function fillLeaving(leaveBytes: number): string {
  const stats = statfsSync(mountPoint);
  const free = stats.bavail * stats.bsize;
  writeFileSync(fillerPath, Buffer.alloc(Math.max(0, free - leaveBytes), 0x5a));
  return fillerPath;
}

beforeAll(() => {
  skipReason = mountTmpfs(mountPoint, '4m');
  if (skipReason !== null) console.log(`disk-full: skipped: ${skipReason}`);
});

afterAll(() => {
  unmountTmpfs(mountPoint);
  rmSync(root, { recursive: true, force: true });
});

/** `paydesk batch --results` with the ledger on the tmpfs and room for only part of the batch. */
async function batchOnFullDisk(name: string, rows: number) {
  const folder = path.join(mountPoint, name);
  mkdirSync(folder);
  const ledgerPath = path.join(folder, 'ledger.paydesk');
  const accounts = ['NORTH', 'SOUTH', 'EAST', 'WEST'];
  const engine = await Engine.open(ledgerPath, { create: true });
  for (const code of accounts) await engine.invoke('account-create', { code, name: code, currency: 'EUR', openingBalance: '1000000.00' });
  await engine.close();
  // The input and the results file live on the real disk; only the ledger's disk fills.
  const outside = mkdtempSync(path.join(root, 'outside-'));
  const csvPath = path.join(outside, 'in.csv');
  const resultsPath = path.join(outside, 'results.csv');
  await generateBatch(csvPath, rows, 7, 'b', accounts);
  const csvBytes = readFileSync(csvPath).length;
  // Room for the import's copy of the file and a few chunks, not for all of them.
  fillLeaving(csvBytes + 400 * 1024);
  const batch = await runCli(['batch', '--db', ledgerPath, '--results', resultsPath, csvPath], 55_000);
  return { folder, ledgerPath, resultsPath, batch };
}

describe('disk full (issue 12)', () => {
  afterEach(() => rmSync(fillerPath, { force: true }));

  const fillers: [string, string[]][] = [
    ['a journal append', []],
    ['a checkpoint', ['--checkpoint-bytes', '4000']],
  ];
  const fillTitle = (what: string) => `real-time payments until ${what} fills the disk: LEDGER_STOPPED, exit 3, accepted payments kept once`;
  for (const [what, extra] of fillers) it(fillTitle(what), async (context) => {
    if (skipReason !== null) return context.skip();
    const folder = path.join(mountPoint, `realtime-${extra.length}`);
    mkdirSync(folder);
    const ledgerPath = path.join(folder, 'ledger.paydesk');
    await newLedger(ledgerPath);
    fillLeaving(96 * 1024);
    const run = await runFaultWorker(ledgerPath, 'd', ['--in-flight', '6', ...extra], null, 50_000);
    console.log(`disk-full: real-time, ${what}: ${run.acknowledged.length} acknowledged before ${run.stopped}`);
    expect(run.failure, run.stderr).toBeNull();
    expect(run.code, `${run.stderr}`).toBe(3);
    expect(run.stopped).toMatch(/LEDGER_STOPPED/);
    expect(run.stopped).toMatch(/full/);
    expect(run.stderr).not.toMatch(/unexpected error/);
    expect(run.acknowledged.length).toBeGreaterThan(0);
    expect(lockFiles(folder)).toEqual([]);

    // The command line on the still-full disk: never "accepted" unless kept, never a stack trace, never exit 1 ("refused").
    const pay = await runCli(['pay', '--db', ledgerPath, '--id', 'cli-1', '--from', 'SOURCE', '--to', 'SINK', '--amount', '2.00', '--currency', 'EUR']);
    console.log(`disk-full: paydesk pay on the full disk: exit ${pay.code}: ${(pay.stdout + pay.stderr).trim().slice(0, 300)}`);
    // (A stack trace on stderr before the sentence is bug F1 in .tmp/fault-bugs.md: its own skipped test below.)
    expect(pay.stderr).not.toMatch(/unexpected error/);
    expect([0, 2, 3]).toContain(pay.code);
    if (pay.code !== 0) expect(pay.stdout).not.toMatch(/accepted/);
    expect(readdirSync(folder).filter((name) => name.includes('.tmp-'))).toEqual([]);

    rmSync(fillerPath);
    const acknowledged = pay.code === 0 ? [...run.acknowledged, 'cli-1'] : run.acknowledged;
    const engine = await Engine.open(ledgerPath);
    try {
      expect(await checkKept(engine, acknowledged)).toEqual([]);
    } finally {
      await engine.close();
    }
    const verify = await runCli(['verify', '--db', ledgerPath]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  }, 60_000);

  // BUG F1 (.tmp/fault-bugs.md): LedgerStore.stop() logs the JournalWriteError with console.error(sentence, cause), so
  // `paydesk batch` (and `paydesk pay`) print a Node stack trace on stderr before the LEDGER_STOPPED sentence; issue 12
  // asks that the stop be said in words. Unskip once the lead has fixed it.
  it('on a full disk `paydesk batch` says LEDGER_STOPPED in words, without a stack trace (bug F1)', async (context) => {
    if (skipReason !== null) return context.skip();
    const { batch } = await batchOnFullDisk('words', 12_000);
    expect(batch.code).toBe(3);
    expect(batch.stderr).toMatch(/LEDGER_STOPPED/);
    expect(batch.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('a batch on a disk that fills mid-run: not reported complete, exit 3, every row the results file accepts is kept once', async (context) => {
    if (skipReason !== null) return context.skip();
    const rows = 12_000;
    const { folder, ledgerPath, resultsPath, batch } = await batchOnFullDisk('batch', rows);
    console.log(`disk-full: batch: exit ${batch.code}: ${(batch.stdout + batch.stderr).trim().slice(0, 400)}`);
    expect(batch.code, batch.stdout + batch.stderr).toBe(3);
    expect(batch.stderr).toMatch(/LEDGER_STOPPED/);
    expect(batch.stderr).toMatch(/stopped part-way/);
    expect(batch.stdout).not.toMatch(new RegExp(`Accepted ${rows}\\b`));
    expect(readdirSync(folder).filter((name) => name.includes('.tmp-'))).toEqual([]);
    expect(lockFiles(folder)).toEqual([]);

    const lines = readFileSync(resultsPath, 'utf8').trim().split('\n').slice(1);
    const accepted = lines.filter((line) => line.split(',')[7] === 'accepted').map((line) => line.split(',')[1]);
    console.log(`disk-full: batch: the results file lists ${lines.length} rows, ${accepted.length} accepted, of ${rows}`);
    expect(lines.length).toBeLessThan(rows);

    rmSync(fillerPath);
    const reopened = await Engine.open(ledgerPath);
    try {
      const database = reopened.store.database;
      for (const paymentId of accepted) {
        expect(Number(database.value('SELECT COUNT(*) FROM payments WHERE payment_id = ? AND status = 1', [paymentId])), paymentId).toBe(1);
      }
      const batchRow = database.get<{ status: string; rows_done: number; accepted: number }>('SELECT status, rows_done, accepted FROM batches');
      expect(batchRow?.status).not.toBe('completed');
      // The results file holds exactly the durable rows: what the ledger kept of the batch.
      expect(Number(database.value('SELECT COUNT(*) FROM payments WHERE batch_id IS NOT NULL AND status = 1'))).toBe(accepted.length);
      expect((await reopened.verifyWithFiles()).problems).toEqual([]);
    } finally {
      await reopened.close();
    }
  }, 60_000);
  it('a write the disk takes only part of is cut back: the reopened ledger holds the acknowledged payments and none of the others', async (context) => {
    if (skipReason !== null) return context.skip();
    const folder = path.join(mountPoint, 'cut-back');
    mkdirSync(folder);
    const ledgerPath = path.join(folder, 'ledger.paydesk');
    await newLedger(ledgerPath);
    const engine = await Engine.open(ledgerPath);
    fillLeaving(8 * 1024);
    // Submitted in one turn of the event loop, so their frames reach the journal in one write (about 70 KB), of which
    // the disk takes the first few whole frames before it is full.
    const submitted = Array.from({ length: 200 }, (_, index) => engine.invoke('payment-submit', {
      paymentId: `cut-${index}`, debtor: 'SOURCE', creditor: 'SINK', amount: '1.00', currency: 'EUR', reference: `Invoice ${index}`,
    }));
    const results = await Promise.all(submitted);
    const acknowledged = results.flatMap((result) => (result.ok ? [result.value.paymentId] : []));
    expect(results.filter((result) => !result.ok).map((result) => !result.ok && result.code)).toContain('LEDGER_STOPPED');
    await engine.close();

    rmSync(fillerPath);
    const reopened = await Engine.open(ledgerPath);
    try {
      expect(await checkKept(reopened, acknowledged)).toEqual([]);
      // Whole frames of the refused write would come back here as payments nobody was told of.
      expect(Number(reopened.store.database.value("SELECT COUNT(*) FROM payments WHERE payment_id LIKE 'cut-%'"))).toBe(acknowledged.length);
    } finally {
      await reopened.close();
    }
  }, 60_000);
});

describe('read-only media (issue 12)', () => {
  const source = path.join(root, 'ro-source');
  const readOnlyView = path.join(root, 'ro-view');
  let mounted = false;

  afterAll(() => {
    if (mounted) execFileSync('umount', [readOnlyView], { stdio: 'pipe' });
  });

  it('balances, verify and metrics work on a read-only bind mount (journal unretired, a stale lock beside it); pay is refused clearly', async (context) => {
    mkdirSync(source, { recursive: true });
    mkdirSync(readOnlyView, { recursive: true });
    const ledgerName = 'ledger.paydesk';
    await newLedger(path.join(source, ledgerName));
    // A SIGKILL after acknowledged payments: the journal is unretired and the killed process's lock stays.
    const run = await runFaultWorker(path.join(source, ledgerName), 'ro', ['--max', '25'], (line) => line.startsWith('DONE'));
    expect(run.signal).toBe('SIGKILL');
    expect(run.acknowledged.length).toBe(25);
    try {
      execFileSync('mount', ['--bind', source, readOnlyView], { stdio: 'pipe' });
      mounted = true;
      execFileSync('mount', ['-o', 'remount,bind,ro', readOnlyView], { stdio: 'pipe' });
    } catch (error) {
      console.log(`read-only: skipped: a read-only bind mount is not permitted here (${String((error as { stderr?: Buffer }).stderr ?? error).trim()})`);
      return context.skip();
    }
    const ledgerPath = path.join(readOnlyView, ledgerName);
    const before = snapshotFolder(source);
    const lockBefore = lockFiles(source);

    const balances = await runCli(['balances', '--db', ledgerPath, '--json']);
    expect(balances.code, balances.stderr).toBe(0);
    const sink = (JSON.parse(balances.stdout) as { code: string; balanceMinor: number }[]).find((line) => line.code === 'SINK');
    expect(sink?.balanceMinor, 'the journal was replayed in memory').toBe(25 * 101);
    const verify = await runCli(['verify', '--db', ledgerPath]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/^OK: /);
    const metrics = await runCli(['metrics', '--db', ledgerPath]);
    expect(metrics.code, metrics.stderr).toBe(0);
    expect(metrics.stdout).toMatch(/Payments today/);
    const pay = await runCli(['pay', '--db', ledgerPath, '--id', 'ro-x', '--from', 'SOURCE', '--to', 'SINK', '--amount', '1.00', '--currency', 'EUR']);
    expect(pay.code, pay.stdout + pay.stderr).not.toBe(0);
    expect(pay.stdout).not.toMatch(/accepted/);
    expect(pay.stderr).toMatch(/read-only/);
    expect(pay.stderr).not.toMatch(/unexpected error|\n\s+at /);

    expect(snapshotFolder(source)).toEqual(before);
    expect(lockFiles(source)).toEqual(lockBefore);
  }, 60_000);
});
