import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseSandbox, minimumElectronMajor, runtimeProblem } from '../../electron/main/startup-checks';

/**
 * The Electron shell's first decisions, tested in Node because the Electron
 * runtime cannot run here: electron/main/index.ts applies exactly these.
 */

const repositoryRoot = path.resolve(__dirname, '../..');
const modern = { electronVersion: '45.5.0', nodeVersion: '22.20.0', zlibHasCrc32: true };

describe('the Electron version check', () => {
  it('accepts the pinned Electron and the oldest one that has an ESM main process and zlib.crc32', () => {
    expect(runtimeProblem(modern)).toBeNull();
    expect(runtimeProblem({ electronVersion: '32.0.0', nodeVersion: '20.16.0', zlibHasCrc32: true })).toBeNull();
    expect(runtimeProblem({ electronVersion: '32.0.0-beta.3', nodeVersion: '20.16.0', zlibHasCrc32: true })).toBeNull();
  });

  it('refuses an older Electron and names both versions', () => {
    const problem = runtimeProblem({ electronVersion: '31.7.7', nodeVersion: '20.14.0', zlibHasCrc32: false });
    expect(problem).toContain(`Electron ${minimumElectronMajor} or later`);
    expect(problem).toContain('this is Electron 31.7.7');
    expect(runtimeProblem({ electronVersion: '25.9.8', nodeVersion: '18.15.0', zlibHasCrc32: false })).toContain('this is Electron 25.9.8');
  });

  it('refuses a new enough Electron whose Node lacks zlib.crc32', () => {
    expect(runtimeProblem({ ...modern, zlibHasCrc32: false })).toMatch(/zlib\.crc32.*Node 22\.20\.0 without it/);
  });

  it('refuses to run outside Electron', () => {
    expect(runtimeProblem({ ...modern, electronVersion: undefined })).toMatch(/not Electron/);
  });

  it('states the same minimum in the launcher that runs before the ESM main process can load', () => {
    const launcher = readFileSync(path.join(repositoryRoot, 'scripts/start.mjs'), 'utf8');
    expect(launcher).toContain(`const minimumElectronMajor = ${minimumElectronMajor};`);
  });
});

describe('the sandbox decision', () => {
  const main = ['/usr/lib/electron', 'out/main/index.js'];

  it('keeps the sandbox on for a normal user', () => {
    expect(chooseSandbox({ uid: 1000, argv: main })).toEqual({ kind: 'sandbox', warning: null });
    expect(chooseSandbox({ uid: undefined, argv: main })).toEqual({ kind: 'sandbox', warning: null });
  });

  it('keeps it on for a normal user who passes --no-sandbox, and says the switch is ignored', () => {
    const choice = chooseSandbox({ uid: 1000, argv: ['/usr/lib/electron', '--no-sandbox', 'out/main/index.js'] });
    expect(choice.kind).toBe('sandbox');
    expect(choice.kind === 'sandbox' ? choice.warning : null).toMatch(/--no-sandbox is ignored/);
  });

  it('honours an explicit --no-sandbox as root, with a warning', () => {
    const choice = chooseSandbox({ uid: 0, argv: ['/usr/lib/electron', '--no-sandbox', 'out/main/index.js'] });
    expect(choice.kind).toBe('no-sandbox-for-root');
  });

  it('refuses to start as root without --no-sandbox, saying what to do', () => {
    const choice = chooseSandbox({ uid: 0, argv: main });
    expect(choice.kind).toBe('refuse');
    expect(choice.kind === 'refuse' ? choice.message : '').toMatch(/refusing to start as root.*pass --no-sandbox explicitly/);
  });

  it('does not take a ledger file named like the switch for the switch', () => {
    expect(chooseSandbox({ uid: 0, argv: [...main, '--ledger=--no-sandbox'] }).kind).toBe('refuse');
  });
});
