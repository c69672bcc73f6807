/**
 * Issue 12, one holder always: real processes race to open one ledger that
 * starts with two stale locks (one naming a dead pid, one naming a live pid
 * whose start time is not the one recorded: pid reuse). Each process, when it
 * gets the ledger, pays distinct ids; refused, it retries. Afterwards every
 * acknowledged payment is there exactly once, verify is OK, no lock is left,
 * and no two processes ever held the ledger at once: an O_EXCL sentinel each
 * holder creates and removes, and a shared O_APPEND log whose HOLD and FREE
 * lines must strictly alternate.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { LedgerOpenError } from '../../electron/core/ledger-store';
import { checkKept, newLedger, repoRoot } from '../support/fault-tools';
import { useTempFolder } from '../support/temp-folder';

const newFolder = useTempFolder('paydesk-lock-race-');
const workerPath = path.join(import.meta.dirname, '../support/lock-race-worker.ts');
const workers = 6;
const rounds = 3;
const perRound = 4;

const sleepers: ChildProcess[] = [];
afterEach(() => {
  for (const sleeper of sleepers.splice(0)) sleeper.kill('SIGKILL');
});

function startTicks(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function lockIdentity(pid: number, ticks: string | null): string {
  return JSON.stringify({
    pid, startTicks: ticks, bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), host: os.hostname(),
    token: 'feedfacefeedface', acquiredAt: '2026-01-01T00:00:00.000Z',
  });
}

/** A pid that no process has any more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function liveSleeper(): number {
  const sleeper = spawn('sleep', ['120'], { stdio: 'ignore' });
  sleepers.push(sleeper);
  return sleeper.pid!;
}

interface WorkerResult {
  acknowledged: string[];
  refused: string[];
  overlaps: string[];
  output: string;
  code: number | null;
}

function runWorker(ledgerPath: string, worker: number, logPath: string, sentinelPath: string): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const args = [workerPath, ledgerPath, String(worker), String(rounds), String(perRound), logPath, sentinelPath];
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result: WorkerResult = { acknowledged: [], refused: [], overlaps: [], output: '', code: null };
    const timer = setTimeout(() => child.kill('SIGKILL'), 55_000);
    child.stderr.on('data', (chunk: Buffer) => (result.output += chunk.toString('utf8')));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('ACK ')) result.acknowledged.push(line.slice(4));
      else if (line.startsWith('REFUSED ')) result.refused.push(line.slice(8));
      else if (line.startsWith('OVERLAP ')) result.overlaps.push(line);
      else result.output += `${line}\n`;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      result.code = code;
      resolve(result);
    });
  });
}

describe('one holder, always (issue 12)', () => {
  it('a lock naming a live process with its own start time is refused, naming the lock file and how to clear it', async () => {
    const ledgerPath = path.join(newFolder(), 'ledger.paydesk');
    await newLedger(ledgerPath);
    const pid = liveSleeper();
    writeFileSync(`${ledgerPath}.lock.1`, lockIdentity(pid, startTicks(pid)));
    const error = await Engine.open(ledgerPath).then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(LedgerOpenError);
    expect((error as Error).message).toContain(`pid ${pid}`);
    expect((error as Error).message).toContain(`remove ${ledgerPath}.lock.1`);
    expect(readdirSync(path.dirname(ledgerPath)).filter((name) => name.includes('.lock'))).toEqual(['ledger.paydesk.lock.1']);
  });

  it(`${workers} processes racing past a dead-pid lock and a reused-pid lock: one holder at a time, every acknowledged payment once`, async () => {
    const folder = newFolder();
    const ledgerPath = path.join(folder, 'ledger.paydesk');
    await newLedger(ledgerPath);
    const dead = deadPid();
    const reused = liveSleeper();
    writeFileSync(`${ledgerPath}.lock.1`, lockIdentity(dead, '12345'));
    // A live pid, but the process behind it started at another time than the lock says: the pid was reused.
    writeFileSync(`${ledgerPath}.lock.2`, lockIdentity(reused, String(Number(startTicks(reused)) + 1)));
    const logPath = path.join(folder, 'holders.log');
    const sentinelPath = path.join(folder, 'holder.sentinel');
    writeFileSync(logPath, '');

    const results = await Promise.all(Array.from({ length: workers }, (_, worker) => runWorker(ledgerPath, worker, logPath, sentinelPath)));
    const acknowledged = results.flatMap((result) => result.acknowledged);
    const refusals = results.reduce((sum, result) => sum + result.refused.length, 0);
    console.log(`lock-race: ${workers} processes, ${acknowledged.length} acknowledged, ${refusals} refused opens (retried)`);
    for (const [worker, result] of results.entries()) {
      expect(result.code, `worker ${worker}: ${result.output}`).toBe(0);
      expect(result.overlaps, `worker ${worker}`).toEqual([]);
      expect(result.acknowledged.length, `worker ${worker}`).toBe(rounds * perRound);
      // A refusal is the lock at work, and says who holds it; never "damaged" or a stack trace.
      for (const refusal of result.refused) expect(refusal).toMatch(/is open in another PayDesk process|cannot be locked: other PayDesk processes/);
    }

    // The shared log's lines are in the order they were written: HOLD and FREE must alternate, same worker.
    const lines = readFileSync(logPath, 'utf8').trim().split('\n');
    expect(lines.length).toBe(2 * workers * rounds);
    for (let index = 0; index < lines.length; index += 2) {
      const [hold, holder] = lines[index].split(' ');
      const [free, freer] = lines[index + 1].split(' ');
      const context = lines.slice(Math.max(0, index - 2), index + 3).join('\n');
      expect([hold, free, freer], `log lines ${index}-${index + 1}:\n${context}`).toEqual(['HOLD', 'FREE', holder]);
    }

    expect(readdirSync(folder).filter((name) => name.includes('.lock'))).toEqual([]);
    const engine = await Engine.open(ledgerPath);
    try {
      expect(await checkKept(engine, acknowledged)).toEqual([]);
      expect(Number(engine.store.database.value("SELECT COUNT(*) FROM payments WHERE payment_id LIKE 'w%'"))).toBe(workers * rounds * perRound);
    } finally {
      await engine.close();
    }
  }, 60_000);
});
