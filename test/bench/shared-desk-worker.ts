/**
 * One desk of the shared-ledger throughput case, as a process of its own:
 * `node --import tsx test/bench/shared-desk-worker.ts URL DESK COUNT IN_FLIGHT`.
 * It opens the shared ledger, prints READY, waits for a line on stdin (so all
 * desks start together), pays COUNT payments of 1.00 from PAYER to PAYEE with
 * IN_FLIGHT at a time, and prints one JSON line: payments accepted and any
 * other outcome.
 */
import { once } from 'node:events';
import { Engine } from '../../electron/core/engine';

const [url, desk, countText, inFlightText] = process.argv.slice(2);
const count = Number(countText);
const inFlight = Number(inFlightText);

const engine = await Engine.open(url, { liveUpdates: false });
process.stdout.write('READY\n');
await once(process.stdin, 'data');
let next = 0;
let accepted = 0;
const failures: string[] = [];

async function payUntilDone(): Promise<void> {
  while (next < count) {
    const paymentId = `${desk}-${next++}`;
    const result = await engine.invoke('payment-submit', {
      paymentId, debtor: 'PAYER', creditor: 'PAYEE', amount: '1.00', currency: 'EUR', reference: `Invoice ${paymentId}`,
    });
    if (result.ok && result.value.status === 'accepted') accepted++;
    else failures.push(result.ok ? result.value.code : result.code);
  }
}

await Promise.all(Array.from({ length: inFlight }, () => payUntilDone()));
await engine.close();
process.stdout.write(`${JSON.stringify({ accepted, failures: failures.slice(0, 5), failureTotal: failures.length })}\n`);
process.stdin.destroy();
