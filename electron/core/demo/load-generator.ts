import { formatMinor } from '../../../shared/money';
import type { LoadGeneratorStatus } from '../../../shared/metrics';
import { success, type Result } from '../../../shared/result';
import type { EngineApi } from '../engine-api';
import type { AccountState } from '../ledger-state';

/**
 * The demo load generator: real payments through `engine.submitPayment` at a
 * steady rate, a share of them built to fail (AM04 insufficient funds, AC01
 * unknown creditor), so the dashboard has something to show. Bounded by the
 * request schema (rate, duration) and by `loadOutstandingMax` in flight.
 */

export const loadTickMs = 100;
export const loadStatusIntervalMs = 500;
/** Payments submitted but not yet answered; past this the generator waits (the disk is the limit). */
export const loadOutstandingMax = 1_000;
/** The creditor failing payments name half the time: no ledger holds it, so they get AC01. */
export const unknownCreditorCode = 'NO-SUCH-ACCOUNT';

const fundedAccounts = [
  { code: 'LOAD-A', name: 'Load generator A', currency: 'EUR', openingBalance: '1000000.00' },
  { code: 'LOAD-B', name: 'Load generator B', currency: 'EUR', openingBalance: '1000000.00' },
];

export interface LoadSettings {
  ratePerSecond: number;
  durationSeconds: number;
  failingShare: number;
}

function idleStatus(): LoadGeneratorStatus {
  return {
    running: false, ratePerSecond: 0, durationSeconds: 0, failingShare: 0, startedAtMs: null, endsAtMs: null,
    submitted: 0, accepted: 0, rejected: 0, stoppedBecause: null,
  };
}

export class LoadGenerator {
  private status = idleStatus();
  private timer: ReturnType<typeof setInterval> | null = null;
  private outstanding = 0;
  private lastStatusEventMs = 0;
  private readonly runId = { value: '' };

  constructor(private readonly engine: EngineApi) {}

  current(): LoadGeneratorStatus {
    return { ...this.status };
  }

  async start(settings: LoadSettings): Promise<Result<LoadGeneratorStatus>> {
    this.stop(null);
    const pair = await this.accountPair();
    if (!pair.ok) return pair;
    const startedAtMs = Date.now();
    this.runId.value = `load-${startedAtMs.toString(36)}`;
    this.status = {
      ...idleStatus(), ...settings, running: true, startedAtMs, endsAtMs: startedAtMs + settings.durationSeconds * 1000,
    };
    const [first, second] = pair.value;
    this.timer = setInterval(() => this.tick(first, second), loadTickMs);
    this.timer.unref?.();
    this.emitStatus(true);
    return success(this.current());
  }

  stop(reason: string | null): LoadGeneratorStatus {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.status.running) {
      this.status = { ...this.status, running: false, stoppedBecause: reason };
      this.emitStatus(true);
    }
    return this.current();
  }

  private tick(first: AccountState, second: AccountState): void {
    const nowMs = Date.now();
    const status = this.status;
    if (status.endsAtMs === null || status.startedAtMs === null) return;
    if (nowMs >= status.endsAtMs) {
      this.stop(null);
      return;
    }
    const due = Math.floor(((nowMs - status.startedAtMs) / 1000) * status.ratePerSecond) - status.submitted;
    for (let index = 0; index < due && this.outstanding < loadOutstandingMax; index++) this.submitOne(first, second);
    this.emitStatus(false);
  }

  private submitOne(first: AccountState, second: AccountState): void {
    const number = ++this.status.submitted;
    const paymentId = `${this.runId.value}-${number}`;
    // Money goes from the richer account to the poorer, so neither runs dry.
    const [debtor, creditor] = first.balanceMinor >= second.balanceMinor ? [first, second] : [second, first];
    const failing = Math.random() < this.status.failingShare;
    const amountMinor = failing && number % 2 === 0
      ? debtor.balanceMinor + debtor.overdraftLimitMinor + 100_000
      : 100 + Math.floor(Math.random() * 4_900);
    const creditorCode = failing && number % 2 === 1 ? unknownCreditorCode : creditor.code;
    this.outstanding += 1;
    this.engine
      .submitPayment({
        paymentId, debtor: debtor.code, creditor: creditorCode, amount: formatMinor(amountMinor, debtor.currency),
        currency: debtor.currency, reference: 'Load generator',
      })
      .then((result) => {
        if (!result.ok) this.status.rejected += 1;
        else if (result.value.status === 'accepted') this.status.accepted += 1;
        else this.status.rejected += 1;
      })
      .catch((error: unknown) => this.stop(`The engine refused a payment: ${(error as Error).message}`))
      .finally(() => {
        this.outstanding -= 1;
      });
  }

  private emitStatus(force: boolean): void {
    const nowMs = Date.now();
    if (!force && nowMs - this.lastStatusEventMs < loadStatusIntervalMs) return;
    this.lastStatusEventMs = nowMs;
    this.engine.events.emit('demo-load-changed', this.current());
  }

  /** Two open customer accounts in one currency with money to move, created if the ledger has none. */
  private async accountPair(): Promise<Result<[AccountState, AccountState]>> {
    const found = findPair([...this.engine.store.state.accounts.values()]);
    if (found !== null) return success(found);
    for (const account of fundedAccounts) {
      if (this.engine.store.state.accounts.has(account.code)) continue;
      const created = await this.engine.invoke('account-create', account);
      if (!created.ok) return created;
    }
    const state = this.engine.store.state;
    return success([state.requireAccount(fundedAccounts[0].code), state.requireAccount(fundedAccounts[1].code)]);
  }
}

function findPair(accounts: AccountState[]): [AccountState, AccountState] | null {
  const usable = accounts
    .filter((account) => account.kind !== 'equity' && account.status === 'open')
    .sort((left, right) => right.balanceMinor - left.balanceMinor);
  for (const richest of usable) {
    if (richest.balanceMinor < 1_000_000) return null;
    const partner = usable.find((other) => other !== richest && other.currency === richest.currency);
    if (partner !== undefined) return [richest, partner];
  }
  return null;
}
