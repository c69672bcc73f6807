/**
 * A child process for the lock race test: `rounds` times, opens the ledger
 * (retrying while another process holds it), and while holding it: creates a
 * shared sentinel file with O_EXCL (failing means a second holder: printed as
 * OVERLAP), logs HOLD/FREE with times to a shared log, pays `perRound`
 * distinct ids, removes the sentinel, then closes. Prints `ACK <id>` for each
 * acknowledged payment, `REFUSED <message>` for each refused open.
 */
import { appendFileSync, openSync, closeSync, rmSync } from 'node:fs';
import { Engine } from '../../electron/core/engine';
import { LedgerOpenError } from '../../electron/core/ledger-store';

const [ledgerPath, worker, roundsText, perRoundText, logPath, sentinelPath] = process.argv.slice(2);
const rounds = Number(roundsText);
const perRound = Number(perRoundText);
const now = () => (performance.timeOrigin + performance.now()).toFixed(3);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

process.stdout.write('READY\n');
for (let round = 0; round < rounds; round++) {
  let engine: Engine | null = null;
  const startedAt = Date.now();
  while (engine === null) {
    try {
      engine = await Engine.open(ledgerPath);
    } catch (error) {
      if (!(error instanceof LedgerOpenError) || Date.now() - startedAt > 45_000) throw error;
      process.stdout.write(`REFUSED ${error.message.replace(/\n/g, ' ')}\n`);
      await sleep(5 + Math.random() * 40);
    }
  }
  try {
    closeSync(openSync(sentinelPath, 'wx'));
  } catch (error) {
    process.stdout.write(`OVERLAP ${worker} ${(error as Error).message}\n`);
  }
  appendFileSync(logPath, `HOLD ${worker} ${process.pid} ${now()}\n`);
  for (let index = 0; index < perRound; index++) {
    const paymentId = `w${worker}-r${round}-${index}`;
    const result = await engine.invoke('payment-submit', { paymentId, debtor: 'SOURCE', creditor: 'SINK', amount: '1.01', currency: 'EUR' });
    if (!result.ok || result.value.status !== 'accepted') {
      process.stdout.write(`FAIL ${paymentId} ${JSON.stringify(result)}\n`);
      process.exit(4);
    }
    process.stdout.write(`ACK ${paymentId}\n`);
  }
  appendFileSync(logPath, `FREE ${worker} ${process.pid} ${now()}\n`);
  rmSync(sentinelPath);
  const closed = await engine.close();
  if (closed.warning !== null) process.stdout.write(`WARNING ${closed.warning}\n`);
  // A short pause, so the others get their turn.
  await sleep(Math.random() * 20);
}
process.stdout.write('DONE\n');
