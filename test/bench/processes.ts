import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Running whole processes for the side-by-side cases: wall time from spawn to exit, and peak RSS. */

export const repositoryRoot = path.join(import.meta.dirname, '../..');
export const paydeskBin = path.join(repositoryRoot, 'bin/paydesk.mjs');
/** GNU time reports a child's peak RSS (%M, in KB) and CPU time (%U, %S); without it those figures are NaN. */
const gnuTime = '/usr/bin/time';

export interface ProcessRun {
  wallMs: number;
  /** Peak resident set size in MB; NaN where /usr/bin/time is missing. */
  peakRssMb: number;
  /** User plus system CPU time in seconds (less sensitive than wall time to other work on the machine); NaN without /usr/bin/time. */
  cpuS: number;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  measureRss?: boolean;
  /** Exit codes besides 0 that mean the command did its work (`paydesk batch` exits 1 when some rows were refused). */
  allowedExitCodes?: number[];
}

/** Runs a command to its end; any other exit is an error that carries the command's stderr. */
export function runProcess(command: string, args: string[], options: RunOptions = {}): Promise<ProcessRun> {
  const measureRss = options.measureRss === true && existsSync(gnuTime);
  const folder = measureRss ? mkdtempSync(path.join(os.tmpdir(), 'paydesk-time-')) : '';
  const rssFile = path.join(folder, 'rss');
  const [file, argv] = measureRss ? [gnuTime, ['-f', '%M %U %S', '-o', rssFile, command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const startNs = process.hrtime.bigint();
    const child = spawn(file, argv, { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - startNs) / 1e6;
      const [rssKb, userS, systemS] = measureRss ? readFileSync(rssFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number) : [NaN, NaN, NaN];
      const peakRssMb = rssKb / 1024;
      const cpuS = userS + systemS;
      if (measureRss) rmSync(folder, { recursive: true, force: true });
      const succeeded = code === 0 || (options.allowedExitCodes ?? []).includes(code ?? -1);
      if (!succeeded) reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim()}`));
      else resolve({ wallMs, peakRssMb, cpuS, stdout, stderr });
    });
  });
}

export function paydesk(args: string[], options: RunOptions = {}): Promise<ProcessRun> {
  return runProcess(process.execPath, [paydeskBin, ...args], options);
}

/** Balances in minor units by account code, as `paydesk balances --json` prints them. */
export async function paydeskBalances(ledgerPath: string): Promise<Record<string, number>> {
  const { stdout } = await paydesk(['balances', '--db', ledgerPath, '--json']);
  const lines = JSON.parse(stdout) as { code: string; balanceMinor: number }[];
  return Object.fromEntries(lines.map((line) => [line.code, line.balanceMinor]));
}

/** Accounts among `codes` whose balances differ between two tools (0 when they agree). */
export function balancesDiffering(codes: string[], left: Record<string, number>, right: Record<string, number>): number {
  return codes.filter((code) => left[code] !== right[code]).length;
}

/** A process's peak RSS in MB from /proc (Linux), read while it still runs; NaN elsewhere. */
export function peakRssOfRunningMb(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? Number.NaN : Number(match[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** True when `python3` runs here; the native baseline needs it. */
export async function python3Available(): Promise<boolean> {
  try {
    await runProcess('python3', ['-c', 'import sqlite3']);
    return true;
  } catch {
    return false;
  }
}
