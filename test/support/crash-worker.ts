/**
 * A child process for the crash test: opens a ledger and submits payments as
 * fast as it can, several in flight, printing `ACK <id>` for each payment the
 * engine acknowledged and `CHECKPOINT` as each checkpoint starts. The parent
 * kills it with SIGKILL at random moments. stdout on a pipe is synchronous on
 * Linux, so a printed acknowledgement is in the pipe before the next step.
 */
import { Engine } from '../../electron/core/engine';

const [ledgerPath, prefix, inFlightText] = process.argv.slice(2);
const inFlight = Number(inFlightText ?? 8);

const engine = await Engine.open(ledgerPath, {
  create: true,
  checkpointJournalBytes: 24 * 1024,
  onCheckpointStart: () => process.stdout.write('CHECKPOINT\n'),
});
if (!engine.store.state.accounts.has('SOURCE')) {
  await engine.invoke('account-create', { code: 'SOURCE', name: 'Source', currency: 'EUR', openingBalance: '100000000.00' });
  await engine.invoke('account-create', { code: 'SINK', name: 'Sink', currency: 'EUR' });
}
process.stdout.write('READY\n');

let next = 0;
async function submitForever(): Promise<void> {
  for (;;) {
    const paymentId = `${prefix}-${next++}`;
    const result = await engine.invoke('payment-submit', { paymentId, debtor: 'SOURCE', creditor: 'SINK', amount: '1.01', currency: 'EUR' });
    if (!result.ok || result.value.status !== 'accepted') {
      process.stdout.write(`FAIL ${paymentId} ${JSON.stringify(result)}\n`);
      process.exit(3);
    }
    process.stdout.write(`ACK ${paymentId}\n`);
  }
}

await Promise.all(Array.from({ length: inFlight }, submitForever));
