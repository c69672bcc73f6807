import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { BatchMapping, BatchStatus } from '../../../shared/batch';
import type { ReasonCode } from '../../../shared/codes';
import type { LedgerStore } from '../ledger-store';
import type { AccountState } from '../ledger-state';
import { decidePayment } from '../payment-decision';
import type { LedgerRecord, PaymentRow } from '../records';
import type { BatchProgressRecord, RefusedRow } from './batch-records';
import { paymentIdsInLedger } from './batch-validation';
import type { CsvDialect } from './csv-source';
import { duplicateRow, RowProblems } from './refused-rows';
import { checkRow, readMappedGroups, type CheckedRow } from './row-check';

/**
 * Processes a batch in chunks. Each chunk's payment rows and the batch's
 * progress are committed as one journal frame, and progress is reported only
 * once that frame is durable; after a crash the batch resumes after the last
 * committed chunk, so no row is applied twice and none is skipped. Between
 * chunks the run yields to the event loop, so a payment from the form is
 * answered while a large batch runs.
 */

/** Data rows consumed per committed chunk. */
export const batchChunkRows = 1_000;

export interface RunCounters {
  rowsDone: number;
  accepted: number;
  rejected: number;
  skipped: number;
  reasons: Partial<Record<ReasonCode, number>>;
  firstSeq: number | null;
  lastSeq: number | null;
  runningMs: number;
}

export interface RunSpec {
  batchId: string;
  filePath: string;
  dialect: CsvDialect;
  mapping: BatchMapping;
  counters: RunCounters;
  /** Rows per chunk; tests pass a small number to get many chunks. */
  chunkRows?: number;
  /** What payments waiting for approval hold of an account's balance: a batch may not spend it. */
  reservedMinor?: (accountCode: string) => number;
  /** Rows after which the failure rate is checked once (see failureRateProblem); tests pass a small number. */
  failureCheckRows?: number;
}

/** The first rows of a batch whose failure rate decides whether it pauses to ask, and the share of them that may fail. */
export const failureCheckRows = 1_000;
export const failureShareMax = 0.2;

/**
 * When the rows done so far first reach `checkRows` and more than
 * failureShareMax of them failed, the sentence the batch pauses with: a file
 * that fails this much is more likely wrong than unlucky, and the operator
 * decides whether the rest goes on. Checked once, so a resumed batch runs on.
 */
export function failureRateProblem(counters: RunCounters, rowsDoneBefore: number, checkRows: number): string | null {
  if (rowsDoneBefore >= checkRows || counters.rowsDone < checkRows) return null;
  const failed = counters.rejected + counters.skipped;
  if (failed <= counters.rowsDone * failureShareMax) return null;
  const percent = ((failed * 100) / counters.rowsDone).toFixed(1);
  const reasons = Object.entries(counters.reasons).sort(([, a], [, b]) => (b ?? 0) - (a ?? 0)).map(([code, count]) => `${code} ${count}`).join(', ');
  return `${failed.toLocaleString('en-US')} of the first ${counters.rowsDone.toLocaleString('en-US')} rows failed (${percent} %: ${reasons}), `
    + `more than ${failureShareMax * 100} %. The batch paused so the file can be checked: resume to process the remaining rows anyway, or cancel.`;
}

export interface RunHooks {
  /** After each durable chunk: its payments (in seq order), the counters, and this run's rows per second. */
  onChunk(rows: readonly PaymentRow[], counters: RunCounters, rowsThisRun: number, elapsedMs: number): void;
}

export type RunEnd = { status: Extract<BatchStatus, 'completed' | 'paused' | 'cancelled'> } | { status: 'closed' };

interface PendingRow extends CheckedRow {
  takenAtMs: number;
}

export class BatchRun {
  private stopRequest: 'paused' | 'cancelled' | null = null;
  /** Why the run pauses by itself (a high failure rate); null when it stops on request. */
  private stopProblem: string | null = null;
  readonly finished: Promise<RunEnd>;
  private readonly counters: RunCounters;
  private readonly startedAtMs = performance.now();
  private readonly runningMsBefore: number;
  private rowsThisRun = 0;

  constructor(
    private readonly store: LedgerStore,
    private readonly spec: RunSpec,
    private readonly hooks: RunHooks,
  ) {
    this.counters = { ...spec.counters, reasons: { ...spec.counters.reasons } };
    this.runningMsBefore = spec.counters.runningMs;
    const releaseCheckpoints = store.holdCheckpoints();
    // The run takes a turn per chunk (LedgerStore.turn), not the one of the request that started it.
    this.finished = store.outsideTurn(() => this.process()).finally(releaseCheckpoints);
  }

  /** Asks the run to stop after the chunk in flight is durable. */
  requestStop(status: 'paused' | 'cancelled'): void {
    this.stopRequest ??= status;
  }

  private async process(): Promise<RunEnd> {
    const chunkRows = this.spec.chunkRows ?? batchChunkRows;
    let toSkip = this.spec.counters.rowsDone;
    let pending: PendingRow[] = [];
    let seenInChunk = new Set<string>();
    let rowsInChunk = 0;
    const problems = new RowProblems();
    for await (const { columns, records } of readMappedGroups(this.spec.filePath, this.spec.dialect, this.spec.mapping)) {
      // A ledger closed under the run (the window closed, the ledger swapped) ends it: the rest of the file is not read.
      if (this.store.isClosed) return { status: 'closed' };
      for (const record of records) {
        if (toSkip > 0) {
          toSkip--;
          continue;
        }
        const takenAtMs = performance.now();
        rowsInChunk++;
        problems.startRow();
        const row = checkRow(record, columns, this.store.state.accounts, problems.report);
        if (row === null) this.refuse(problems.refusedRow(record, columns));
        else if (seenInChunk.has(row.paymentId)) this.refuse(duplicateRow(row, 'file'));
        else {
          seenInChunk.add(row.paymentId);
          // checkRow's own object, not a copy: the run does this for every row.
          const candidate = row as PendingRow;
          candidate.takenAtMs = takenAtMs;
          pending.push(candidate);
        }
        if (rowsInChunk >= chunkRows) {
          const end = await this.commitChunk(pending, rowsInChunk, false);
          if (end !== null) return end;
          pending = [];
          seenInChunk = new Set();
          rowsInChunk = 0;
        }
      }
    }
    const end = await this.commitChunk(pending, rowsInChunk, true);
    return end ?? { status: 'completed' };
  }

  /** A row that failed a check: counted as skipped, and kept (with the chunk) so the results list it. */
  private refuse(row: RefusedRow): void {
    this.counters.skipped++;
    this.counters.reasons[row.code] = (this.counters.reasons[row.code] ?? 0) + 1;
    this.refusedInChunk.push(row);
  }

  private refusedInChunk: RefusedRow[] = [];

  /**
   * Decides and commits one chunk, and returns how the run ended when it ends
   * here. The wait for the chunk's flush is chained rather than awaited, so the
   * next chunk is read and decided while this one reaches the disk; its
   * progress and latencies are still reported only once it is durable, and a
   * stop waits for every chunk before it.
   */
  private commitChunk(pending: PendingRow[], rowsInChunk: number, last: boolean): Promise<RunEnd | null> {
    return this.store.turn(() => this.commitChunkInTurn(pending, rowsInChunk, last));
  }

  private async commitChunkInTurn(pending: PendingRow[], rowsInChunk: number, last: boolean): Promise<RunEnd | null> {
    // Checked right before the chunk touches the database: from here to the commit nothing else runs.
    if (this.store.isClosed) return { status: 'closed' };
    this.takeStopRequest();
    const rows = this.decide(pending);
    const rowsDoneBefore = this.counters.rowsDone;
    this.counters.rowsDone += rowsInChunk;
    this.checkFailureRate(rowsDoneBefore);
    this.rowsThisRun += rowsInChunk;
    this.counters.runningMs = this.runningMsBefore + Math.round(performance.now() - this.startedAtMs);
    if (rows.length > 0) {
      this.counters.firstSeq ??= rows[0].seq;
      this.counters.lastSeq = rows[rows.length - 1].seq;
    }
    const stop = last ? 'completed' : this.stopRequest;
    const records: LedgerRecord[] = rows.length > 0 ? [{ t: 'payments', rows }] : [];
    if (this.refusedInChunk.length > 0) {
      records.push({ t: 'batch-refused', id: this.spec.batchId, at: Date.now(), rows: this.refusedInChunk });
      this.refusedInChunk = [];
    }
    records.push(this.progressRecord());
    try {
      this.chainDurability(this.store.commit(records), rows, pending);
      if (stop === null) {
        await yieldToEventLoop();
        return null;
      }
      await this.chunksDurable;
      // The status change is its own commit, after the latencies: they ride along with it and the summary sees them.
      const problem = stop === 'paused' ? this.stopProblem : null;
      await this.commitDurably([{ t: 'batch-status', id: this.spec.batchId, status: stop, at: Date.now(), problem }]);
    } catch (error) {
      if ((error as Error).message === 'the ledger is closed') return { status: 'closed' };
      throw error;
    }
    return { status: stop };
  }

  /** A pause or cancel asked from another desk of a shared ledger (BatchStopRequestRecord), read in this chunk's turn. */
  private takeStopRequest(): void {
    const requested = this.store.database.value('SELECT status FROM batch_stop_requests WHERE batch_id = ?', [this.spec.batchId]);
    if (requested === 'paused' || requested === 'cancelled') this.stopRequest ??= requested;
  }

  private checkFailureRate(rowsDoneBefore: number): void {
    if (this.stopRequest !== null) return;
    const problem = failureRateProblem(this.counters, rowsDoneBefore, this.spec.failureCheckRows ?? failureCheckRows);
    if (problem === null) return;
    this.stopRequest = 'paused';
    this.stopProblem = problem;
  }

  private chunksDurable: Promise<void> = Promise.resolve();

  private chainDurability(lsn: number, rows: PaymentRow[], pending: PendingRow[]): void {
    const counters = { ...this.counters, reasons: { ...this.counters.reasons } };
    const rowsThisRun = this.rowsThisRun;
    const before = this.chunksDurable;
    this.chunksDurable = (async () => {
      await before;
      await this.store.whenDurable(lsn);
      // Durable, but the ledger closed meanwhile: nobody is left to report to, and its database is gone.
      if (this.store.isClosed) return;
      this.recordLatencies(rows, pending);
      this.hooks.onChunk(rows, counters, rowsThisRun, performance.now() - this.startedAtMs);
    })();
    // A failure surfaces at the next wait (the stop, or the chunk after); this only keeps it from counting as unhandled meanwhile.
    this.chunksDurable.catch(() => undefined);
  }

  private async commitDurably(records: LedgerRecord[]): Promise<void> {
    const lsn = this.store.commit(records);
    await this.store.whenDurable(lsn);
  }

  /**
   * Decides every pending row against the live account cache, synchronously,
   * right before the commit: nothing can interleave, so seqs stay dense and a
   * payment id that reached the ledger meanwhile is skipped, never paid twice.
   * Balances move provisionally so later rows of the chunk see earlier ones,
   * and are put back before the commit applies them for real.
   */
  private decide(pending: PendingRow[]): PaymentRow[] {
    const withheld = this.withholdReservations(pending);
    try {
      return this.decideAvailable(pending);
    } finally {
      for (const [account, reservedMinor] of withheld) account.balanceMinor += reservedMinor;
    }
  }

  /** Takes what pending approvals reserve out of the cached balances while the chunk is decided; `decide` puts it back. */
  private withholdReservations(pending: PendingRow[]): Map<AccountState, number> {
    const withheld = new Map<AccountState, number>();
    if (this.spec.reservedMinor === undefined) return withheld;
    for (const code of new Set(pending.map((candidate) => candidate.debtor))) {
      const account = this.store.state.accounts.get(code);
      const reservedMinor = account === undefined ? 0 : this.spec.reservedMinor(code);
      if (account === undefined || reservedMinor === 0) continue;
      account.balanceMinor -= reservedMinor;
      withheld.set(account, reservedMinor);
    }
    return withheld;
  }

  private decideAvailable(pending: PendingRow[]): PaymentRow[] {
    const state = this.store.state;
    const rows: PaymentRow[] = [];
    let seq = state.lastPaymentSeq;
    const inLedger = paymentIdsInLedger(this.store.database, pending.map((candidate) => candidate.paymentId));
    for (const candidate of pending) {
      if (inLedger.has(candidate.paymentId)) {
        this.refuse(duplicateRow(candidate, 'ledger'));
        continue;
      }
      const debtor = state.accounts.get(candidate.debtor);
      const creditor = state.accounts.get(candidate.creditor);
      const rejection = decidePayment(candidate.debtor, candidate.creditor, debtor, creditor, candidate.amountMinor, candidate.currency);
      seq++;
      rows.push({
        seq, id: candidate.paymentId, d: candidate.debtor, c: candidate.creditor, a: candidate.amountMinor, cur: candidate.currency,
        ref: candidate.reference, s: rejection === null ? 1 : 0, code: rejection?.code ?? 'ACSC', msg: rejection?.message ?? null,
        ch: 'batch', b: this.spec.batchId, l: candidate.line, at: state.nextReceivedAtMs(),
      });
      if (rejection === null) {
        debtor!.balanceMinor -= candidate.amountMinor;
        creditor!.balanceMinor += candidate.amountMinor;
        this.counters.accepted++;
      } else {
        this.counters.rejected++;
        this.counters.reasons[rejection.code] = (this.counters.reasons[rejection.code] ?? 0) + 1;
      }
    }
    for (const row of rows) {
      if (row.s !== 1) continue;
      state.accounts.get(row.d)!.balanceMinor += row.a;
      state.accounts.get(row.c)!.balanceMinor -= row.a;
    }
    return rows;
  }

  private progressRecord(): BatchProgressRecord {
    const { rowsDone, accepted, rejected, skipped, reasons, firstSeq, lastSeq, runningMs } = this.counters;
    return { t: 'batch-progress', id: this.spec.batchId, rowsDone, accepted, rejected, skipped, reasons: { ...reasons }, firstSeq, lastSeq, runningMs };
  }

  /** PLT per row: from when the row was taken (T1) to when its chunk was durable (T2). */
  private recordLatencies(rows: PaymentRow[], pending: PendingRow[]): void {
    if (rows.length === 0) return;
    const durableAtMs = performance.now();
    const takenAtById = new Map<string, number>();
    if (rows.length !== pending.length) for (const candidate of pending) takenAtById.set(candidate.paymentId, candidate.takenAtMs);
    const pairs: number[] = new Array(rows.length * 2);
    for (let index = 0; index < rows.length; index++) {
      const takenAtMs = rows.length === pending.length ? pending[index].takenAtMs : takenAtById.get(rows[index].id)!;
      pairs[index * 2] = rows[index].seq;
      pairs[index * 2 + 1] = Math.max(1, Math.round((durableAtMs - takenAtMs) * 1000));
    }
    this.store.recordLatencies(pairs);
  }
}
