import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useTempFolder } from '../support/temp-folder';

/**
 * `paydesk` runs the esbuild bundles in out/cli (scripts/build-cli.mjs), not the
 * TypeScript sources: that is what makes it start at once. NODE_DEBUG=esm,module
 * makes Node name every module it loads and every package it looks for, so the
 * tests can see which files ran.
 */
const run = promisify(execFile);
const repositoryRoot = path.join(import.meta.dirname, '../..');
const cliPath = path.join(repositoryRoot, 'bin/paydesk.mjs');
const inputsManifest = path.join(repositoryRoot, 'out/cli/inputs.json');
const newFolder = useTempFolder('paydesk-cli-bundle-');

async function paydeskTraced(args: string[], environment: Record<string, string> = {}) {
  const { stdout, stderr } = await run(process.execPath, [cliPath, ...args], { env: { ...process.env, NODE_DEBUG: 'esm,module', ...environment } });
  const loaded = [...stderr.matchAll(/Storing (file:\/\/\S+)/g)].map((match) => path.relative(repositoryRoot, new URL(match[1]).pathname));
  const sqlJsRequiredFrom = /looking for "sql\.js" in \["([^"]+)"/.exec(stderr)?.[1] ?? null;
  return { stdout, loaded, sqlJsRequiredFrom };
}

describe('the command line as shipped', () => {
  it('prints help from the bundle without loading the engine, the TypeScript sources or sql.js', async () => {
    const { stdout, loaded, sqlJsRequiredFrom } = await paydeskTraced(['--help']);
    expect(stdout).toMatch(/^usage: paydesk <command>/);
    expect(loaded).toContain('out/cli/main.mjs');
    expect(loaded.filter((file) => file.endsWith('.ts') || file.includes('tsx'))).toEqual([]);
    expect(sqlJsRequiredFrom).toBeNull();
  });

  it('creates a ledger and prints its balances from the bundle, with sql.js and its wasm found from there', async () => {
    const db = path.join(newFolder(), 'books.paydesk');
    await run(process.execPath, [cliPath, 'init', '--db', db, '--demo']);
    const { stdout, loaded, sqlJsRequiredFrom } = await paydeskTraced(['balances', '--db', db, '--json']);
    const lines = JSON.parse(stdout) as { code: string; balanceMinor: number }[];
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.reduce((sum, line) => sum + line.balanceMinor, 0)).toBe(0);
    expect(loaded.filter((file) => file.endsWith('.ts'))).toEqual([]);
    expect(sqlJsRequiredFrom).toBe(path.join(repositoryRoot, 'out/cli/node_modules'));
    // The engine's bundle was compiled with (or has written) its V8 code cache for this build.
    const { buildId } = JSON.parse(readFileSync(inputsManifest, 'utf8')) as { buildId: string };
    expect(existsSync(path.join(repositoryRoot, `out/cli/run-command-${buildId}-baseline.cache`))).toBe(true);
  });

  it('finishes quietly when its reader stops early (paydesk balances | head), rather than crashing on EPIPE', async () => {
    const db = path.join(newFolder(), 'books.paydesk');
    await run(process.execPath, [cliPath, 'init', '--db', db, '--demo']);
    const child = spawn(process.execPath, [cliPath, 'balances', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader is gone before the first line is written.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('runs a batch from the bundle, whose engine loads modules on demand', async () => {
    const folder = newFolder();
    const db = path.join(folder, 'books.paydesk');
    const input = path.join(folder, 'batch.csv');
    writeFileSync(input, 'payment_id,debtor_account,creditor_account,amount,currency\nB-1,ACME-OPS,GLOBEX,10.00,EUR\nB-2,GLOBEX,INITECH,2.50,EUR\n');
    await run(process.execPath, [cliPath, 'init', '--db', db, '--demo']);
    const { stdout, loaded } = await paydeskTraced(['batch', '--db', db, input, '--json']);
    expect(JSON.parse(stdout)).toMatchObject({ rows: 2, accepted: 2, rejected: 0 });
    expect(loaded.filter((file) => file.endsWith('.ts'))).toEqual([]);
  });

  it('rebuilds the bundle when a source it was built from is newer', async () => {
    const source = path.join(repositoryRoot, 'electron/cli/main.ts');
    const touchedAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 1000);
    utimesSync(source, touchedAt, touchedAt);
    const { stdout, loaded } = await paydeskTraced(['--help']);
    expect(stdout).toMatch(/^usage: paydesk/);
    expect(loaded).toContain('scripts/build-cli.mjs');
    const manifest = JSON.parse(readFileSync(inputsManifest, 'utf8')) as { inputs: Record<string, { mtimeMs: number }> };
    expect(manifest.inputs['electron/cli/main.ts'].mtimeMs).toBe(statSync(source).mtimeMs);
    // Fresh again: the next start goes straight to the bundle.
    expect((await paydeskTraced(['--help'])).loaded).not.toContain('scripts/build-cli.mjs');
  });

  it('runs the TypeScript sources through tsx with PAYDESK_FROM_SOURCE=1', async () => {
    const { stdout, loaded } = await paydeskTraced(['--help'], { PAYDESK_FROM_SOURCE: '1' });
    expect(stdout).toMatch(/^usage: paydesk/);
    expect(loaded).toContain('electron/cli/main.ts');
    expect(loaded).not.toContain('out/cli/main.mjs');
  });
});
