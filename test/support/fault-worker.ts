/**
 * A child process for the real-file fault tests (test/integration/fault-files,
 * disk-full): opens an existing ledger and pays SOURCE -> SINK, several in
 * flight, printing `ACK <id>` for each payment the engine acknowledged,
 * `STOPPED <code> <message>` when the engine reports LEDGER_STOPPED (then it
 * closes and exits 3), and `DONE` once `max` payments are acknowledged (then it
 * waits to be killed). stdout on a pipe is synchronous on Linux, so a printed
 * acknowledgement is in the pipe before the next step.
 *
 * Options (argv after ledger and prefix):
 *   --in-flight N          payments in flight (default 4)
 *   --max N                stop submitting after N acknowledgements (default: no limit)
 *   --checkpoint-bytes N   checkpoint once the live journal passes N bytes
 *   --hang-checkpoint K    the K-th checkpoint never finishes: 'create' hangs before the ledger's
 *   --hang-at create|rename  temporary file is created, 'rename' after it is written, before the rename
 * A hung checkpoint leaves the journal unretired (two generations) when the parent kills the process.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../../electron/core/engine';
import { nodeFileSystem, type StorageFileSystem } from '../../electron/core/storage/file-system';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'in-flight': { type: 'string' }, max: { type: 'string' }, 'checkpoint-bytes': { type: 'string' },
    'hang-checkpoint': { type: 'string' }, 'hang-at': { type: 'string' },
  },
});
const [ledgerPath, prefix] = positionals;
const inFlight = Number(values['in-flight'] ?? 4);
const max = values.max === undefined ? Infinity : Number(values.max);
const hangCheckpoint = values['hang-checkpoint'] === undefined ? 0 : Number(values['hang-checkpoint']);
const hangAt = values['hang-at'] ?? 'create';
const ledgerTemporaryPrefix = `${path.basename(ledgerPath)}.tmp-`;

let ledgerWrites = 0;
const never = <T>() => new Promise<T>(() => undefined);
const files: StorageFileSystem = {
  ...nodeFileSystem,
  createExclusive(filePath) {
    if (path.basename(filePath).startsWith(ledgerTemporaryPrefix)) {
      ledgerWrites++;
      if (ledgerWrites === hangCheckpoint && hangAt === 'create') {
        process.stdout.write('HUNG\n');
        return never();
      }
    }
    return nodeFileSystem.createExclusive(filePath);
  },
  rename(fromPath, toPath) {
    if (path.resolve(toPath) === path.resolve(ledgerPath) && ledgerWrites === hangCheckpoint && hangAt === 'rename') {
      process.stdout.write('HUNG\n');
      return never();
    }
    return nodeFileSystem.rename(fromPath, toPath);
  },
};

const engine = await Engine.open(ledgerPath, {
  files,
  checkpointJournalBytes: values['checkpoint-bytes'] === undefined ? undefined : Number(values['checkpoint-bytes']),
});
process.stdout.write('READY\n');

let next = 0;
let acknowledged = 0;
let closing: Promise<unknown> | null = null;
async function submit(): Promise<void> {
  while (next < max) {
    const paymentId = `${prefix}-${next++}`;
    const result = await engine.invoke('payment-submit', { paymentId, debtor: 'SOURCE', creditor: 'SINK', amount: '1.01', currency: 'EUR' });
    if (!result.ok && result.code === 'LEDGER_STOPPED') {
      process.stdout.write(`STOPPED ${paymentId} ${result.code} ${result.message.replace(/\n/g, ' ')}\n`);
      // One close for all the payments in flight: a second close() returns before the first has released the lock.
      closing ??= engine.close();
      await closing;
      process.exit(3);
    }
    if (!result.ok || result.value.status !== 'accepted') {
      process.stdout.write(`FAIL ${paymentId} ${JSON.stringify(result)}\n`);
      process.exit(4);
    }
    process.stdout.write(`ACK ${paymentId}\n`);
    acknowledged++;
  }
}

await Promise.all(Array.from({ length: inFlight }, submit));
process.stdout.write(`DONE ${acknowledged}\n`);
// Wait to be killed: the journal stays unretired.
setInterval(() => undefined, 1_000);
