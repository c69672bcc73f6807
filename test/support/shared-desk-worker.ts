/**
 * One desk on a shared ledger, as a real process, for the concurrency and kill
 * tests: opens the PostgreSQL ledger at the URL and pays `count` payments of
 * the seed's choosing between the overlapping accounts, `inFlight` at a time.
 * It prints `ACK <json>` for each outcome the engine acknowledged (stdout on a
 * pipe is synchronous on Linux: printed means in the pipe) and `DONE` at the end.
 */
import { Engine } from '../../electron/core/engine';

const [url, desk, countText, inFlightText, seedText] = process.argv.slice(2);
const count = Number(countText);
const inFlight = Number(inFlightText ?? 4);
let seed = Number(seedText ?? 1);

const deskAccounts = ['A', 'B', 'C', 'D'];

/** mulberry32: every bit of it is random (the low bits of a power-of-two LCG repeat every few calls, which gave each desk one debtor). */
function random(below: number): number {
  seed = (seed + 0x6d_2b_79_f5) | 0;
  let mixed = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed);
  return ((mixed ^ (mixed >>> 14)) >>> 0) % below;
}

const engine = await Engine.open(url);
process.stdout.write('READY\n');
let next = 0;

async function payUntilDone(): Promise<void> {
  while (next < count) {
    const index = next++;
    const debtor = deskAccounts[random(4)];
    const creditor = deskAccounts[(deskAccounts.indexOf(debtor) + 1 + random(3)) % 4];
    // Every third id is shared by all desks: whichever desk is first pays it, the others get DUPL or the same outcome.
    const paymentId = index % 3 === 0 ? `S-${index}` : `${desk}-${index}`;
    const amount = `${1 + random(40)}.${String(random(100)).padStart(2, '0')}`;
    const request = { paymentId, debtor, creditor, amount, currency: 'EUR' };
    const result = await engine.invoke('payment-submit', request);
    if (result.ok) process.stdout.write(`ACK ${JSON.stringify({ ...request, status: result.value.status, code: result.value.code })}\n`);
    else process.stdout.write(`REFUSED ${JSON.stringify({ ...request, code: result.code })}\n`);
  }
}

await Promise.all(Array.from({ length: inFlight }, () => payUntilDone()));
await engine.close();
process.stdout.write('DONE\n');
