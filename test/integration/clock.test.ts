import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { clockJumpThresholdMs, type Clock } from '../../electron/core/clock';
import { useTempFolder } from '../support/temp-folder';

const newFolder = useTempFolder();
const tenYearsMs = 10 * 365 * 24 * 60 * 60_000;

/** The real clock, plus an offset the test moves: the monotonic clock runs on untouched, as a real one would. */
class MovableClock implements Clock {
  offsetMs = 0;
  nowMs(): number {
    return Date.now() + this.offsetMs;
  }
  monotonicNs(): bigint {
    return process.hrtime.bigint();
  }
}

async function openLedger(ledgerPath: string, clock: Clock): Promise<Engine> {
  const engine = await Engine.open(ledgerPath, { create: true, clock });
  return engine;
}

async function setUp(engine: Engine): Promise<void> {
  for (const [code, opening] of [['ALICE', '1000.00'], ['BOB', '0']]) {
    const created = await engine.invoke('account-create', { code, name: `Account ${code}`, currency: 'EUR', openingBalance: opening });
    if (!created.ok) throw new Error(created.message);
  }
}

async function pay(engine: Engine, paymentId: string): Promise<number> {
  const result = await engine.invoke('payment-submit', { paymentId, debtor: 'ALICE', creditor: 'BOB', amount: '1.00', currency: 'EUR' });
  if (!result.ok || result.value.status !== 'accepted') throw new Error(`payment ${paymentId} was not accepted`);
  const stored = await engine.invoke('payment-get', { paymentId });
  if (!stored.ok) throw new Error(stored.message);
  return stored.value.receivedAtMs;
}

function clockJumps(engine: Engine): { target: string; detail: string }[] {
  return engine.store.database.all<{ target: string; detail: string }>("SELECT target, detail FROM audit WHERE action = 'clock-jump' ORDER BY seq");
}

async function paymentIds(engine: Engine, fromMs: number, toMs: number): Promise<string[]> {
  const page = await engine.invoke('payment-list', { fromMs, toMs, limit: 100 });
  if (!page.ok) throw new Error(page.message);
  return page.value.items.map((item) => item.paymentId).sort();
}

async function paymentsToday(engine: Engine): Promise<number | null> {
  const dashboard = await engine.invoke('metrics-dashboard', { range: '24h', traffic: 'realtime' });
  if (!dashboard.ok) throw new Error(dashboard.message);
  return dashboard.value.headline.paymentsToday.value;
}

describe('payment stamps follow the clock as read', () => {
  it('a clock moved ten years ahead and back leaves no floor: later payments carry the real time, count today, and the jumps are audited', async () => {
    const ledgerPath = path.join(newFolder(), 'ledger.paydesk');
    const clock = new MovableClock();
    const engine = await openLedger(ledgerPath, clock);
    await setUp(engine);
    await pay(engine, 'before');
    clock.offsetMs = tenYearsMs;
    const futureStampMs = await pay(engine, 'during');
    expect(futureStampMs).toBeGreaterThan(Date.now() + tenYearsMs - 60_000);
    clock.offsetMs = 0;
    const afterStampMs = await pay(engine, 'after');
    expect(Math.abs(afterStampMs - Date.now())).toBeLessThan(clockJumpThresholdMs);
    // "before" and "after" count today; "during" is ten years away, on its own day.
    expect(await paymentsToday(engine)).toBe(2);
    const jumps = clockJumps(engine);
    expect(jumps.map((jump) => jump.target)).toEqual(['forward', 'back']);
    expect(jumps[0].detail).toMatch(/^The system clock moved forward by [\d,]+ s/);
    // Time filters find each payment by its own stamp, on both sides of the jump.
    const dayMs = 24 * 60 * 60_000;
    expect(await paymentIds(engine, Date.now() - dayMs, Date.now() + dayMs)).toEqual(['#opening:ALICE', 'after', 'before']);
    expect(await paymentIds(engine, futureStampMs - dayMs, futureStampMs + dayMs)).toEqual(['during']);
    expect(engine.verify().ok).toBe(true);
    await engine.close();

    // After a reopen (the journal replayed or the checkpoint read), the same answers.
    const reopened = await openLedger(ledgerPath, new MovableClock());
    expect(await paymentIds(reopened, Date.now() - dayMs, Date.now() + dayMs)).toEqual(['#opening:ALICE', 'after', 'before']);
    expect(await paymentIds(reopened, futureStampMs - dayMs, futureStampMs + dayMs)).toEqual(['during']);
    expect(await paymentsToday(reopened)).toBe(2);
    await reopened.close();
  });

  it('a run with the clock ten years ahead does not push the next run\'s stamps into the future', async () => {
    const ledgerPath = path.join(newFolder(), 'ledger.paydesk');
    const ahead = new MovableClock();
    ahead.offsetMs = tenYearsMs;
    const first = await openLedger(ledgerPath, ahead);
    await setUp(first);
    await pay(first, 'ahead');
    expect(clockJumps(first)).toEqual([]);
    await first.close();

    const second = await openLedger(ledgerPath, new MovableClock());
    const stampMs = await pay(second, 'back-to-normal');
    expect(Math.abs(stampMs - Date.now())).toBeLessThan(clockJumpThresholdMs);
    expect(await paymentsToday(second)).toBe(1);
    const jumps = clockJumps(second);
    expect(jumps.map((jump) => jump.target)).toEqual(['back']);
    expect(jumps[0].detail).toContain('earlier than the ledger\'s last payment');
    await second.close();
  });

  it('ordinary time passing between payments is no jump', async () => {
    const ledgerPath = path.join(newFolder(), 'ledger.paydesk');
    const engine = await openLedger(ledgerPath, new MovableClock());
    await setUp(engine);
    for (let index = 0; index < 5; index++) await pay(engine, `p-${index}`);
    expect(clockJumps(engine)).toEqual([]);
    await engine.close();
  });
});
