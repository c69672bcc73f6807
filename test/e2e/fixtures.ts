import { test as base } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Each test gets its own loopback host, started exactly as an operator starts
 * it (node bin/host.mjs), on a free port with a fresh ledger in a temp folder.
 * `hostUrl` carries the access token in its hash.
 */

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const hostStartTimeoutMs = 30_000;

export interface HostFixture {
  hostUrl: string;
  ledgerPath: string;
}

export const test = base.extend<HostFixture>({
  ledgerPath: async ({}, use) => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'paydesk-e2e-'));
    await use(path.join(folder, 'ledger.paydesk'));
    await rm(folder, { recursive: true, force: true });
  },
  hostUrl: async ({ ledgerPath }, use) => {
    const host = spawn(process.execPath, ['bin/host.mjs', '--db', ledgerPath, '--port', '0'], {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await use(await waitForUrl(host));
    } finally {
      await stop(host);
    }
  },
});

export { expect } from '@playwright/test';

function waitForUrl(host: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the host did not start in time:\n${output}`)), hostStartTimeoutMs);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /PayDesk is running: (http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    host.stdout!.on('data', read);
    host.stderr!.on('data', read);
    host.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the host exited with ${code} before it started:\n${output}`));
    });
  });
}

/** SIGTERM lets the host close the ledger and flush its journal. */
function stop(host: ChildProcess): Promise<void> {
  if (host.exitCode !== null || host.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killTimer = setTimeout(() => host.kill('SIGKILL'), 10_000);
    host.once('exit', () => {
      clearTimeout(killTimer);
      resolve();
    });
    host.kill('SIGTERM');
  });
}
