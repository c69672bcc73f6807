import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine';

/**
 * bin/host.mjs as an operator runs it: it prints the address with its token,
 * and on SIGINT or SIGTERM closes the ledger so what it acknowledged is on disk.
 */

const repositoryRoot = path.resolve(__dirname, '../..');
let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'paydesk-host-process-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

function startHostProcess(ledgerPath: string): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, ['bin/host.mjs', '--db', ledgerPath, '--port', '0'], { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /PayDesk is running: (http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{32})\n/.exec(output);
      if (match) resolve(match[1]);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`host exited with ${code}: ${output}`)));
  });
  return { child, url };
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('host process', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`closes the ledger on ${signal} and keeps every acknowledged change`, async () => {
      const ledgerPath = path.join(folder, 'ledger.paydesk');
      const { child, url } = startHostProcess(ledgerPath);
      const address = new URL(await url);
      const token = address.hash.slice('#token='.length);
      const setup = await fetch(`${address.origin}/api/session-setup`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: JSON.stringify({ username: 'admin', displayName: 'Admin', password: 'correct horse battery' }),
      });
      const { value: signedIn } = (await setup.json()) as { value: { sessionId: string } };
      const response = await fetch(`${address.origin}/api/account-create`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'X-PayDesk-Session': signedIn.sessionId },
        body: JSON.stringify({ code: 'ALICE', name: 'Alice', currency: 'EUR', openingBalance: '100.00' }),
      });
      expect(await response.json()).toMatchObject({ ok: true });
      const exited = exitOf(child);
      child.kill(signal);
      expect(await exited).toBe(0);
      const engine = await Engine.open(ledgerPath, { create: true });
      try {
        const accounts = await engine.invoke('account-list', {});
        expect(accounts).toMatchObject({ ok: true, value: expect.arrayContaining([expect.objectContaining({ code: 'ALICE', balanceMinor: 10_000 })]) });
      } finally {
        await engine.close();
      }
    });
  }

  it('refuses a bad --port with a usage message and exit code 2', async () => {
    const child = spawn(process.execPath, ['bin/host.mjs', '--port', 'many'], { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let errorOutput = '';
    child.stderr!.on('data', (chunk: Buffer) => (errorOutput += chunk.toString()));
    expect(await exitOf(child)).toBe(2);
    expect(errorOutput).toContain('--port must be a whole number');
  });
});
