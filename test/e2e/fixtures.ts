import { test as base } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Each test gets its own loopback host, started exactly as an operator starts
 * it (node bin/host.mjs), on a free port with a fresh ledger in a temp folder.
 * `hostUrl` carries the access token in its hash and, unless a test asks for
 * `signedIn: false`, a session of the first administrator (created through the
 * setup channel, as the first-run form does): every test starts signed in.
 */

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const hostStartTimeoutMs = 30_000;

export interface HostFixture {
  hostUrl: string;
  ledgerPath: string;
  /** False for tests of the first-run and sign-in screens: no operator exists and the page starts signed out. */
  signedIn: boolean;
}

export const administrator = { username: 'admin', displayName: 'Ada Admin', password: 'correct horse battery' } as const;

export const test = base.extend<HostFixture>({
  signedIn: [true, { option: true }],
  ledgerPath: async ({}, use) => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'paydesk-e2e-'));
    await use(path.join(folder, 'ledger.paydesk'));
    await rm(folder, { recursive: true, force: true });
  },
  hostUrl: async ({ ledgerPath, signedIn }, use) => {
    const host = spawnHost(ledgerPath);
    try {
      const url = await waitForUrl(host);
      await use(signedIn ? `${url}&session=${await setUpAdministrator(url)}` : url);
    } finally {
      await stop(host);
    }
  },
});

export { expect } from '@playwright/test';

/** Starts `node bin/host.mjs` on a ledger; tests that restart the host call it themselves (with waitForUrl and stop). */
export function spawnHost(ledgerPath: string, port = 0): ChildProcess {
  return spawn(process.execPath, ['bin/host.mjs', '--db', ledgerPath, '--port', String(port)], { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A port free right now, for a test that restarts a host on the same address (the browser keeps a tab's storage per origin). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function waitForUrl(host: ChildProcess): Promise<string> {
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

/** Creates the first administrator on the fresh ledger and returns the session id it signed in with. */
export async function setUpAdministrator(hostUrl: string): Promise<string> {
  const url = new URL(hostUrl);
  const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
  const response = await fetch(`${url.origin}/api/session-setup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(administrator),
  });
  const result = (await response.json()) as { ok: boolean; value?: { sessionId: string }; message?: string };
  if (!result.ok || result.value === undefined) throw new Error(`setting up the administrator failed: ${result.message}`);
  return result.value.sessionId;
}

/** SIGTERM lets the host close the ledger and flush its journal. */
export function stop(host: ChildProcess): Promise<void> {
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
