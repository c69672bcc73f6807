import type { ReasonCode } from '../../../shared/codes';
import type { Engine } from '../engine';
import { equityPrefix, openingPaymentPrefix } from '../engine';
import type { AccountState } from '../ledger-state';
import { decidePayment } from '../payment-decision';
import type { AccountRecord, LedgerRecord, PaymentRow } from '../records';

/**
 * A day of demo history, written through the ledger's own records so the
 * journal, the balances and the metrics aggregates all see it exactly as they
 * see live traffic. Every payment is decided by the same `decidePayment` the
 * live pipeline uses, against the running balances. What is made up, and
 * said so in each reference: the receive times (spread over the past day,
 * in seq order) and the latencies (drawn from a log-normal curve, since none
 * was measured). Only a ledger without payments takes history, so receive
 * times never go backwards.
 */

export const historyPaymentsMax = 2_000_000;
/** Rows per commit: one journal frame each. */
export const historyChunkRows = 5_000;

export interface HistoryOptions {
  payments: number;
  endMs: number;
  spanMs: number;
  /** Share of payments built to fail (AM04, AC01), from 0 to 1. */
  failingShare: number;
  /** Share of payments that arrive in batches rather than one by one. */
  batchShare: number;
  seed: number;
}

export interface HistoryResult {
  accounts: number;
  payments: number;
  batches: number;
  /** A few accepted payments of the first account, for a sample statement. */
  statementSample: { paymentId: string; reference: string; amountMinor: number; receivedAtMs: number; counterparty: string }[];
  statementAccount: string;
}

export const historyAccounts = [
  { code: 'ACME-OPS', name: 'Acme Operations', currency: 'EUR', openingMinor: 500_000_00 },
  { code: 'ACME-PAYROLL', name: 'Acme Payroll', currency: 'EUR', openingMinor: 250_000_00 },
  { code: 'GLOBEX', name: 'Globex Supplies', currency: 'EUR', openingMinor: 120_000_00 },
  { code: 'INITECH', name: 'Initech Ltd', currency: 'EUR', openingMinor: 80_000_00 },
  { code: 'UMBRELLA-US', name: 'Umbrella Corp US', currency: 'USD', openingMinor: 700_000_00 },
  { code: 'HOOLI-US', name: 'Hooli Inc', currency: 'USD', openingMinor: 150_000_00 },
  { code: 'STARK-US', name: 'Stark Industries', currency: 'USD', openingMinor: 90_000_00 },
] as const;

/** A small seeded generator (mulberry32), so a demo ledger can be made again identically. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Arrival {
  atMs: number;
  batchId: string | null;
  line: number | null;
}

/** Receive times over the span, busier in the middle of the day, with some payments grouped into batches. */
function arrivals(options: HistoryOptions, random: () => number): { list: Arrival[]; batches: number } {
  const startMs = options.endMs - options.spanMs;
  const list: Arrival[] = [];
  const batchRows = Math.round(options.payments * options.batchShare);
  let batches = 0;
  for (let placed = 0; placed < batchRows; batches++) {
    const rows = Math.min(batchRows - placed, 200 + Math.floor(random() * 1_800));
    const batchStartMs = startMs + Math.floor(random() * (options.spanMs - 60_000));
    const rowsPerMs = 0.5 + random() * 2;
    for (let line = 1; line <= rows; line++) {
      list.push({ atMs: batchStartMs + Math.floor(line / rowsPerMs), batchId: `demo-batch-${batches + 1}`, line });
    }
    placed += rows;
  }
  while (list.length < options.payments) {
    const fraction = random();
    // Thin out the night: accept a time with a probability that follows the working day.
    if (random() > 0.25 + 0.75 * Math.sin(Math.PI * fraction) ** 2) continue;
    list.push({ atMs: startMs + Math.floor(fraction * options.spanMs), batchId: null, line: null });
  }
  list.sort((left, right) => left.atMs - right.atMs);
  return { list, batches };
}

/** A latency in microseconds from a log-normal curve: real-time around 1.5 ms, batch rows around 0.2 ms. */
function madeUpLatencyUs(random: () => number, batch: boolean): number {
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const medianUs = batch ? 200 : 1_500;
  return Math.max(1, Math.round(medianUs * Math.exp(0.6 * normal)));
}

export async function seedDemoHistory(engine: Engine, options: HistoryOptions): Promise<HistoryResult> {
  const state = engine.store.state;
  if (state.lastPaymentSeq !== 0) throw new Error('demo history goes only into a ledger without payments');
  if (options.payments > historyPaymentsMax) throw new Error(`demo history is at most ${historyPaymentsMax} payments`);
  const random = seededRandom(options.seed);
  const startMs = options.endMs - options.spanMs;
  const accounts = await createHistoryAccounts(engine, startMs);
  const { list, batches } = arrivals(options, random);
  const simulated = accounts.map((account) => ({ ...account }));
  const sample: HistoryResult['statementSample'] = [];
  let seq = state.lastPaymentSeq;
  for (let offset = 0; offset < list.length; offset += historyChunkRows) {
    const rows: PaymentRow[] = [];
    const pairs: number[] = [];
    for (const arrival of list.slice(offset, offset + historyChunkRows)) {
      const row = historyPayment(++seq, arrival, simulated, options.failingShare, random);
      rows.push(row);
      pairs.push(row.seq, madeUpLatencyUs(random, row.ch === 'batch'));
      if (row.s === 1 && sample.length < 40 && (row.d === accounts[0].code || row.c === accounts[0].code)) {
        sample.push({
          paymentId: row.id, reference: row.ref, amountMinor: row.c === accounts[0].code ? row.a : -row.a, receivedAtMs: row.at,
          counterparty: row.c === accounts[0].code ? row.d : row.c,
        });
      }
    }
    const lsn = engine.store.commit([{ t: 'payments', rows }, { t: 'latency', pairs }]);
    await engine.store.whenDurable(lsn);
  }
  return { accounts: accounts.length, payments: list.length, batches, statementSample: sample, statementAccount: accounts[0].code };
}

/** The demo accounts and their opening balances, dated at the start of the history. */
async function createHistoryAccounts(engine: Engine, startMs: number): Promise<AccountState[]> {
  const state = engine.store.state;
  const records: LedgerRecord[] = [];
  let id = state.lastAccountId;
  const add = (code: string, name: string, currency: string, kind: AccountRecord['kind']) => {
    if (state.accounts.has(code)) throw new Error(`the ledger already has an account ${code}`);
    records.push({ t: 'account', id: ++id, code, name, currency, kind, overdraftLimitMinor: 0, createdAtMs: startMs });
  };
  for (const currency of new Set(historyAccounts.map((account) => account.currency))) {
    if (!state.accounts.has(`${equityPrefix}${currency}`)) add(`${equityPrefix}${currency}`, `Equity ${currency}`, currency, 'equity');
  }
  for (const account of historyAccounts) add(account.code, account.name, account.currency, 'customer');
  let seq = state.lastPaymentSeq;
  const openings: PaymentRow[] = historyAccounts.map((account) => ({
    seq: ++seq, id: `${openingPaymentPrefix}${account.code}`, d: `${equityPrefix}${account.currency}`, c: account.code,
    a: account.openingMinor, cur: account.currency, ref: 'Opening balance', s: 1, code: 'ACSC', msg: null, ch: 'opening',
    b: null, l: null, at: startMs,
  }));
  records.push({ t: 'payments', rows: openings });
  await engine.store.whenDurable(engine.store.commit(records));
  return historyAccounts.map((account) => state.requireAccount(account.code));
}

/**
 * One payment between two accounts of the same currency, decided against the
 * running balances. `accounts` are copies that simulate the balances, since
 * the real ones follow only when the chunk commits.
 */
function historyPayment(seq: number, arrival: Arrival, accounts: AccountState[], failingShare: number, random: () => number): PaymentRow {
  const debtor = accounts[Math.floor(random() * accounts.length)];
  const peers = accounts.filter((account) => account.currency === debtor.currency && account.code !== debtor.code);
  const failing = random() < failingShare;
  const unknownCreditor = failing && random() < 0.4;
  const creditor = unknownCreditor ? undefined : peers[Math.floor(random() * peers.length)];
  const creditorCode = creditor?.code ?? 'UNKNOWN-ACCOUNT';
  const amountMinor = failing && !unknownCreditor ? debtor.balanceMinor + 1 + Math.floor(random() * 100_000) : 100 + Math.floor(random() * 250_000);
  const rejection = decidePayment(debtor.code, creditorCode, debtor, creditor, amountMinor, debtor.currency);
  if (rejection === null && creditor !== undefined) {
    debtor.balanceMinor -= amountMinor;
    creditor.balanceMinor += amountMinor;
  }
  const code: ReasonCode = rejection?.code ?? 'ACSC';
  return {
    seq, id: `hist-${seq}`, d: debtor.code, c: creditorCode, a: amountMinor, cur: debtor.currency,
    ref: `Demo history ${arrival.batchId === null ? 'payment' : 'batch row'} INV-${seq}`, s: rejection === null ? 1 : 0,
    code, msg: rejection?.message ?? null, ch: arrival.batchId === null ? 'realtime' : 'batch', b: arrival.batchId, l: arrival.line,
    at: arrival.atMs,
  };
}
