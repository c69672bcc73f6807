/**
 * Issue 12, real files: a ledger whose journal a SIGKILL left unretired (two
 * generations, a checkpoint hung mid-way), then one flipped bit at seeded
 * random offsets of the journal, the ledger file and the manifest; deleted
 * journal generations; a 0-byte or missing ledger file; leftover temporary
 * files. Every case is either refused with a message naming the file and the
 * files left byte for byte as they were, or opened with every acknowledged
 * payment exactly once and verify OK. PAYDESK_FAULT_SEED replays a run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { LedgerOpenError } from '../../electron/core/ledger-store';
import { checkKept, copyFolder, journalFiles, lockFiles, newLedger, runFaultWorker, snapshotFolder, type WorkerRun } from '../support/fault-tools';
import { runCli, runMain } from '../support/run-cli';
import { seededRandom } from '../../scripts/generate-batch';
import { useTempFolder } from '../support/temp-folder';

const newFolder = useTempFolder('paydesk-fault-files-');
const ledgerName = 'ledger.paydesk';
const seed = Number(process.env.PAYDESK_FAULT_SEED ?? Date.now() % 1_000_000);
const flipCases = { journal: 60, ledger: 30, manifest: 10 };

/** Built once: a folder whose journal spans two generations, a SIGKILL having hit while the second checkpoint hung. */
let baseFolder = '';
let acknowledged: string[] = [];
/** Every payment and account row of the undamaged ledger: a kept case must read exactly these (ids, codes, amounts, times). */
let controlContent = '';

function contentOf(engine: Engine): string {
  const database = engine.store.database;
  return JSON.stringify([
    database.all(
      'SELECT seq, payment_id, debtor_code, creditor_code, amount_minor, currency, reference, status, code, received_at_ms FROM payments ORDER BY seq',
    ),
    database.all('SELECT * FROM accounts ORDER BY id'),
  ]);
}

async function buildUnretired(folder: string, hangAt: 'create' | 'rename', prefix: string): Promise<WorkerRun> {
  const ledgerPath = path.join(folder, ledgerName);
  await newLedger(ledgerPath);
  let hung = false;
  const run = await runFaultWorker(
    ledgerPath, prefix, ['--checkpoint-bytes', '6000', '--hang-checkpoint', '2', '--hang-at', hangAt, '--max', '160', '--in-flight', '4'],
    (line, current) => {
      if (line === 'HUNG') hung = true;
      // Kill once the checkpoint hangs and payments have gone on into the new generation.
      return line.startsWith('DONE') || (hung && current.acknowledged.length >= 140);
    },
  );
  if (run.failure !== null || run.stopped !== null) throw new Error(`worker failed: ${run.failure ?? run.stopped} ${run.stderr}`);
  expect(run.signal).toBe('SIGKILL');
  expect(hung, 'the second checkpoint hung').toBe(true);
  return run;
}

function flipBit(filePath: string, offset: number, bit: number): void {
  const bytes = readFileSync(filePath);
  bytes[offset] ^= 1 << bit;
  writeFileSync(filePath, bytes);
}

interface CaseOutcome {
  kind: 'kept' | 'refused';
  message: string;
}

/**
 * Opens a damaged copy, then runs `paydesk verify` on it. A refusal must name
 * `namedFile`, verify must print FAILED and exit 1, and the folder must be
 * unchanged by both. An open must hold every acknowledged payment once.
 */
async function openOrRefuse(folder: string, namedFile: string | RegExp, label: string): Promise<CaseOutcome> {
  const ledgerPath = path.join(folder, ledgerName);
  const before = snapshotFolder(folder);
  let engine: Engine;
  try {
    engine = await Engine.open(ledgerPath);
  } catch (error) {
    expect(error, `${label}: ${String(error)}`).toBeInstanceOf(LedgerOpenError);
    const message = (error as Error).message;
    expect(message, label).toMatch(namedFile);
    expect(snapshotFolder(folder), `${label}: open changed the files`).toEqual(before);
    const verify = await runMain(['verify', '--db', ledgerPath]);
    expect(verify.code, `${label}: verify exit code; ${verify.stdout} ${verify.stderr}`).toBe(1);
    expect(verify.stdout, label).toMatch(/^FAILED: /);
    expect(verify.stdout, label).toMatch(namedFile);
    expect(snapshotFolder(folder), `${label}: verify changed the files`).toEqual(before);
    expect(lockFiles(folder), `${label}: a refusal leaves no lock`).toEqual([]);
    return { kind: 'refused', message };
  }
  try {
    expect(await checkKept(engine, acknowledged), `${label}: opened`).toEqual([]);
    expect(contentOf(engine) === controlContent, `${label}: opened, but payments or accounts differ from the undamaged ledger`).toBe(true);
  } finally {
    await engine.close();
  }
  const verify = await runMain(['verify', '--db', ledgerPath]);
  expect(verify.code, `${label}: verify after open; ${verify.stdout}`).toBe(0);
  return { kind: 'kept', message: '' };
}

describe('real-file faults (issue 12)', () => {
  beforeAll(async () => {
    // Its own folder: useTempFolder's are removed after each test, this one is shared by all of them.
    baseFolder = mkdtempSync(path.join(os.tmpdir(), 'paydesk-fault-base-'));
    const run = await buildUnretired(baseFolder, 'create', 'f');
    acknowledged = run.acknowledged;
    const journals = journalFiles(baseFolder, ledgerName);
    expect(journals.length, `journal files: ${journals.join(', ')}`).toBeGreaterThanOrEqual(2);
    expect(readdirSync(baseFolder).filter((name) => name.includes('.tmp-'))).toEqual([]);
    const control = mkdtempSync(path.join(os.tmpdir(), 'paydesk-fault-control-'));
    copyFolder(baseFolder, control);
    const engine = await Engine.open(path.join(control, ledgerName));
    controlContent = contentOf(engine);
    await engine.store.discard();
    rmSync(control, { recursive: true, force: true });
    console.log(`fault-files: seed ${seed} (PAYDESK_FAULT_SEED replays); ${acknowledged.length} acknowledged; journal ${journals.join(', ')}`);
  }, 60_000);

  afterAll(() => rmSync(baseFolder, { recursive: true, force: true }));

  it('the unretired ledger itself opens whole (the control case)', async () => {
    const folder = newFolder();
    copyFolder(baseFolder, folder);
    const engine = await Engine.open(path.join(folder, ledgerName));
    try {
      expect(engine.store.openReport.replayedRecords).toBeGreaterThan(0);
      expect(await checkKept(engine, acknowledged)).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('one flipped bit anywhere in the journal, the ledger file or the manifest: refused untouched, or kept whole', async () => {
    const random = seededRandom(seed);
    const counts: Record<string, { kept: number; refused: number }> = {};
    const work = newFolder();
    let caseNumber = 0;
    for (const [kind, total] of Object.entries(flipCases)) {
      counts[kind] = { kept: 0, refused: 0 };
      for (let index = 0; index < total; index++) {
        const folder = path.join(work, `case-${caseNumber++}`);
        copyFolder(baseFolder, folder);
        let name: string;
        if (kind === 'ledger') name = ledgerName;
        else if (kind === 'manifest') name = `${ledgerName}.manifest`;
        else {
          // A journal file chosen by size, so every byte of the journal is as likely.
          const names = journalFiles(folder, ledgerName);
          const sizes = names.map((candidate) => readFileSync(path.join(folder, candidate)).length);
          let pick = Math.floor(random() * sizes.reduce((sum, size) => sum + size, 0));
          let chosen = 0;
          while (pick >= sizes[chosen]) pick -= sizes[chosen++];
          name = names[chosen];
        }
        const filePath = path.join(folder, name);
        const content = readFileSync(filePath);
        // Most of a ledger file is free pages of zeros: flips aim at bytes that hold something, as bit rot that matters does.
        let offset = Math.floor(random() * content.length);
        for (let retry = 0; kind === 'ledger' && content[offset] === 0 && retry < 100; retry++) offset = Math.floor(random() * content.length);
        const bit = Math.floor(random() * 8);
        flipBit(filePath, offset, bit);
        const outcome = await openOrRefuse(folder, name, `seed ${seed}, ${name} offset ${offset} bit ${bit}`);
        counts[kind][outcome.kind]++;
        rmSync(folder, { recursive: true, force: true });
      }
    }
    console.log(`fault-files: byte flips (seed ${seed}): ${JSON.stringify(counts)}`);
    for (const [kind, total] of Object.entries(flipCases)) expect(counts[kind].kept + counts[kind].refused).toBe(total);
  }, 60_000);

  it('a missing journal generation is refused, the files untouched: the one the checkpoint names, and a later one', async () => {
    const journals = journalFiles(baseFolder, ledgerName);
    const manifest = JSON.parse(readFileSync(path.join(baseFolder, `${ledgerName}.manifest`), 'utf8')) as { checkpoints: { generation: number }[] };
    // The ledger file matches the older entry (the newer checkpoint never renamed its file into place).
    const named = `${ledgerName}-journal-${String(manifest.checkpoints[1].generation).padStart(9, '0')}`;
    expect(journals[0]).toBe(named);
    const later = journals[journals.length - 1];
    const laterGeneration = Number(later.slice(later.lastIndexOf('-') + 1));
    // The later one may be named by its generation, from the end of the file that says the journal continues there.
    const cases: [string, RegExp][] = [[named, new RegExp(named)], [later, new RegExp(`${later}|generation ${laterGeneration}\\b`)]];
    for (const [missing, named] of cases) {
      const folder = newFolder();
      copyFolder(baseFolder, folder);
      rmSync(path.join(folder, missing));
      const outcome = await openOrRefuse(folder, named, `deleted ${missing}`);
      expect(outcome.kind).toBe('refused');
      expect(outcome.message).toMatch(/missing/);
      // The desktop's first start (create: true) must not take a missing journal for a new ledger either.
      await expect(Engine.open(path.join(folder, ledgerName), { create: true })).rejects.toThrow(LedgerOpenError);
    }
  });

  it('a 0-byte ledger file is refused by open and by `paydesk verify`, and nothing is created', async () => {
    const folder = newFolder();
    copyFolder(baseFolder, folder);
    const ledgerPath = path.join(folder, ledgerName);
    truncateSync(ledgerPath, 0);
    const outcome = await openOrRefuse(folder, ledgerName, '0-byte ledger');
    expect(outcome.kind).toBe('refused');
    expect(outcome.message).toMatch(/empty|0 bytes/);
    const before = snapshotFolder(folder);
    await expect(Engine.open(ledgerPath, { create: true })).rejects.toThrow(LedgerOpenError);
    // A real process, as a script would run it.
    const verify = await runCli(['verify', '--db', ledgerPath]);
    expect(verify.code, verify.stdout + verify.stderr).not.toBe(0);
    expect(verify.stdout + verify.stderr).toContain(ledgerPath);
    expect(verify.stdout).not.toMatch(/^OK/m);
    const balances = await runCli(['balances', '--db', ledgerPath]);
    expect(balances.code).not.toBe(0);
    expect(snapshotFolder(folder)).toEqual(before);

    // A lone 0-byte file, no journal, no manifest: still not a new ledger.
    const lone = newFolder();
    writeFileSync(path.join(lone, ledgerName), '');
    await expect(Engine.open(path.join(lone, ledgerName), { create: true })).rejects.toThrow(/empty|0 bytes/);
    expect(readdirSync(lone)).toEqual([ledgerName]);
  }, 60_000);

  it('a ledger file deleted while its journal remains is refused (open, create and the CLI), nothing created', async () => {
    const folder = newFolder();
    copyFolder(baseFolder, folder);
    const ledgerPath = path.join(folder, ledgerName);
    rmSync(ledgerPath);
    const before = snapshotFolder(folder);
    await expect(Engine.open(ledgerPath)).rejects.toThrow(/journal .*still here|moved or deleted/);
    await expect(Engine.open(ledgerPath, { create: true })).rejects.toThrow(LedgerOpenError);
    expect(snapshotFolder(folder)).toEqual(before);
    const verify = await runMain(['verify', '--db', ledgerPath]);
    expect(verify.code).not.toBe(0);
    const pay = await runMain(['pay', '--db', ledgerPath, '--id', 'x-1', '--from', 'SOURCE', '--to', 'SINK', '--amount', '1.00', '--currency', 'EUR']);
    expect(pay.code).not.toBe(0);
    expect(pay.stdout).not.toMatch(/accepted/);
    expect(snapshotFolder(folder)).toEqual(before);
  });

  it('leftover temporary files (a checkpoint killed before its rename, and a cut-short manifest one) are removed at the next open', async () => {
    const folder = newFolder();
    const run = await buildUnretired(folder, 'rename', 't');
    const ledgerPath = path.join(folder, ledgerName);
    const leftovers = readdirSync(folder).filter((name) => name.startsWith(`${ledgerName}.tmp-`));
    expect(leftovers.length, readdirSync(folder).join(', ')).toBe(1);
    writeFileSync(path.join(folder, `${ledgerName}.manifest.tmp-999999-0badf00d`), '{"format": 2, "checkp');
    const engine = await Engine.open(ledgerPath);
    try {
      expect([...engine.store.openReport.removedTemporaryFiles].sort()).toEqual([...leftovers, `${ledgerName}.manifest.tmp-999999-0badf00d`].sort());
      expect(readdirSync(folder).filter((name) => name.includes('.tmp-'))).toEqual([]);
      expect(await checkKept(engine, run.acknowledged)).toEqual([]);
    } finally {
      await engine.close();
    }
    expect(readdirSync(folder).filter((name) => name.includes('.tmp-') || name.includes('.lock'))).toEqual([]);
    expect(existsSync(ledgerPath)).toBe(true);
  }, 60_000);
});

describe('an immutable ledger file at close (issue 12)', () => {
  it('`paydesk pay` keeps its success: outcome, a warning, exit 0, no temporary files, no lock; the payments are there after chattr -i', async (context) => {
    // chattr needs a file system with attributes (ext4, xfs, btrfs; not tmpfs): a folder on the real disk.
    const folder = mkdtempSync(path.join(existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'paydesk-immutable-'));
    const ledgerPath = path.join(folder, ledgerName);
    let immutable = false;
    try {
      await newLedger(ledgerPath);
      const attempt = spawnSync('chattr', ['+i', ledgerPath], { encoding: 'utf8' });
      if (attempt.error !== undefined || attempt.status !== 0) {
        console.log(`immutable: skipped: chattr +i is not available here (${attempt.error?.message ?? attempt.stderr.trim()})`);
        return context.skip();
      }
      immutable = true;
      for (const id of ['imm-1', 'imm-2']) {
        const pay = await runCli(['pay', '--db', ledgerPath, '--id', id, '--from', 'SOURCE', '--to', 'SINK', '--amount', '3.00', '--currency', 'EUR']);
        expect(pay.code, pay.stdout + pay.stderr).toBe(0);
        expect(pay.stdout).toMatch(new RegExp(`^${id}: accepted`));
        expect(pay.stderr).toMatch(/warning: .*final checkpoint/);
        expect(pay.stderr).not.toMatch(/unexpected error|\n\s+at /);
        expect(readdirSync(folder).filter((name) => name.includes('.tmp-')), `after ${id}`).toEqual([]);
        expect(lockFiles(folder), `after ${id}`).toEqual([]);
      }
      // Reading still works while the file stays immutable: the journal holds both payments.
      const balances = await runCli(['balances', '--db', ledgerPath, '--json']);
      expect(balances.code, balances.stderr).toBe(0);
      expect((JSON.parse(balances.stdout) as { code: string; balanceMinor: number }[]).find((line) => line.code === 'SINK')?.balanceMinor).toBe(600);
      const verify = await runCli(['verify', '--db', ledgerPath]);
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);

      spawnSync('chattr', ['-i', ledgerPath]);
      immutable = false;
      const engine = await Engine.open(ledgerPath);
      try {
        expect(await checkKept(engine, ['imm-1', 'imm-2'])).toEqual([]);
        expect(engine.store.state.accounts.get('SINK')?.balanceMinor).toBe(600);
      } finally {
        await engine.close();
      }
      expect(readdirSync(folder).filter((name) => name.includes('.tmp-') || name.includes('.lock'))).toEqual([]);
    } finally {
      if (immutable) spawnSync('chattr', ['-i', ledgerPath]);
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
