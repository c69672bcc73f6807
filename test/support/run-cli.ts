import { spawn } from 'node:child_process';
import path from 'node:path';
import { main } from '../../electron/cli/main';

/** The two ways tests run `paydesk`: as a real process, and as `main()` in this process with its output captured. */

const repoRoot = path.join(import.meta.dirname, '../..');
export const paydeskBin = path.join(repoRoot, 'bin/paydesk.mjs');

export interface CliRun {
  /** The exit code; null when the process was killed (it ran past `timeoutMs`). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `paydesk ...` as a real process. */
export function runCli(args: string[], timeoutMs = 30_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [paydeskBin, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The CLI's `main()` in this process, with what it writes to stdout and stderr captured. */
export async function runMain(args: string[]): Promise<CliRun & { code: number }> {
  const originalOut = process.stdout.write.bind(process.stdout);
  const originalErr = process.stderr.write.bind(process.stderr);
  let stdout = '';
  let stderr = '';
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = originalOut;
    process.stderr.write = originalErr;
  }
}
