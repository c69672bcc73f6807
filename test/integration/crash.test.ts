import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { useTempFolder } from '../support/temp-folder';

const newFolder = useTempFolder('paydesk-crash-');
const workerPath = path.join(import.meta.dirname, '../support/crash-worker.ts');

/** Kills in total, and how many of them wait for a checkpoint to start first. */
const killCount = 24;
const checkpointKillEvery = 3;

interface Run {
  acknowledged: string[];
  sawCheckpoint: boolean;
}

/** Starts a worker, lets it pay for a random while (or until a checkpoint starts), then SIGKILLs it. */
function runAndKill(ledgerPath: string, prefix: string, killAtCheckpoint: boolean, random: () => number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', workerPath, ledgerPath, prefix, '8'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const run: Run = { acknowledged: [], sawCheckpoint: false };
    let failure: string | null = null;
    const kill = () => child.kill('SIGKILL');
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'READY' && !killAtCheckpoint) setTimeout(kill, 20 + Math.floor(random() * 250));
      else if (line === 'READY') setTimeout(kill, 3_000);
      else if (line === 'CHECKPOINT') {
        run.sawCheckpoint = true;
        if (killAtCheckpoint) kill();
      } else if (line.startsWith('ACK ')) run.acknowledged.push(line.slice(4));
      else if (line.startsWith('FAIL ')) failure = line;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (failure !== null) reject(new Error(`worker failed: ${failure}`));
      else if (signal !== 'SIGKILL') reject(new Error(`worker ended by itself (code ${code}) instead of being killed`));
      else resolve(run);
    });
  });
}

/** A small seeded generator, so a failing run can be repeated. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
}

describe('crash safety', () => {
  it('keeps every acknowledged payment exactly once across repeated SIGKILLs, some during a checkpoint', async () => {
    const ledgerPath = path.join(newFolder(), 'ledger.paydesk');
    const seed = Number(process.env.PAYDESK_CRASH_SEED ?? Date.now() % 100_000);
    const random = seededRandom(seed);
    const acknowledged = new Set<string>();
    let checkpointKills = 0;
    for (let round = 0; round < killCount; round++) {
      const atCheckpoint = round % checkpointKillEvery === checkpointKillEvery - 1;
      const run = await runAndKill(ledgerPath, `r${round}`, atCheckpoint, random);
      if (atCheckpoint && run.sawCheckpoint) checkpointKills++;
      for (const paymentId of run.acknowledged) acknowledged.add(paymentId);

      const engine = await Engine.open(ledgerPath, { create: true });
      try {
        const report = engine.verify();
        expect(report.problems, `seed ${seed}, round ${round}`).toEqual([]);
        for (const paymentId of run.acknowledged) {
          const stored = await engine.invoke('payment-get', { paymentId });
          expect(stored.ok, `acknowledged ${paymentId} lost (seed ${seed}, round ${round})`).toBe(true);
        }
        const sink = engine.listAccounts('SINK')[0];
        // The opening balance is not counted as a payment.
        const posted = engine.info().payments;
        expect(sink.balanceMinor).toBe(posted * 101);
        expect(posted).toBeGreaterThanOrEqual(acknowledged.size);
      } finally {
        await engine.close();
      }
    }
    expect(acknowledged.size).toBeGreaterThan(killCount);
    expect(checkpointKills).toBeGreaterThanOrEqual(Math.floor(killCount / checkpointKillEvery) - 1);
  }, 240_000);
});
