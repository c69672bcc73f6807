import path from 'node:path';
import type { ChannelName, EventName, Events, Handlers, ParsedRequestOf, RequestOf, ResponseOf } from '../../shared/contract';
import { sentenceFor } from '../../shared/codes';
import {
  duplicateWindowMs, type Account, type AccountStatus, type LedgerInfo, type PaymentOutcome, type PaymentRecord, type VerifyReport,
} from '../../shared/domain';
import { formatMinorGrouped, parseAmountInput, parseNonNegativeAmountInput } from '../../shared/money';
import { failure, success, type Result } from '../../shared/result';
import { isDemoLedger } from './demo/demo-ledger';
import { createDispatch, type Dispatch, type StorageState } from './dispatch';
import type { EngineApi, PaymentRequest } from './engine-api';
import { EngineEvents } from './events';
import { LedgerStore, LedgerStoppedError, ReadOnlyLedgerError, type CloseReport, type LedgerStoreOptions } from './ledger-store';
import { LedgerOpenError, restoreAdvice } from './storage/ledger-open-error';
import { displayLocation, isSharedLedgerUrl } from './storage/postgres-log';
import { toAccount, type AccountState } from './ledger-state';
import { balanceLimitRejection, decidePayment } from './payment-decision';
import { accountStatement, defaultPageSize, findPayment, listPayments, seqRangeReceivedBetween } from './queries';
import type { AccountRecord, LedgerRecord, PaymentRow } from './records';
import { verifyLedger } from './verify';
import { createBatchHandlers } from './batch/batch-handlers';
import { createMetricsHandlers } from './metrics/handlers';
import { createReconciliationHandlers } from './reconciliation/reconciliation-handlers';
import { createAccountIdentifierHandlers } from './accounts/account-identifier-handlers';
import { Controls } from './security/controls';
import { sessionsFilePath } from './security/sessions';
import { systemContext } from './security/call-context';
import { verifyAuditChain } from './audit/audit-queries';
import { Backups } from './backup/backups';
import { AutomaticBackups, backupOnClose, createBackupHandlers } from './backup/automatic-backups';
import { describeClockJump, StampClock, systemClock, type Clock, type ClockJump } from './clock';

/** Account codes the engine keeps for itself: the equity side of opening balances. */
export const equityPrefix = 'EQUITY-';
export const openingPaymentPrefix = '#opening:';

export type { PaymentRequest } from './engine-api';

export interface EngineOptions extends LedgerStoreOptions {
  /** Daily backups and one on close (the desktop application and the host; not the command line or tests). */
  automaticBackups?: boolean;
  /** Where payment stamps and "now" come from (electron/core/clock.ts); tests inject one they can move. */
  clock?: Clock;
  /** A shared ledger only: false for a command that runs once (the CLI), which needs no other desk's changes pushed. */
  liveUpdates?: boolean;
}

/**
 * The PayDesk engine: the ledger, the real-time payment pipeline and the
 * queries behind the UI, in plain Node. Every transport reaches it through
 * `dispatch`, which validates the request against the contract first.
 *
 * It is also the composition root of core: `handlers()` wires each feature's
 * handler factory, and the features see the engine only as an `EngineApi`.
 */
export class Engine implements EngineApi {
  readonly events = new EngineEvents();
  readonly dispatch: Dispatch;
  /** Operators, sessions, roles, four-eyes approval (electron/core/security). */
  readonly controls: Controls;
  readonly backups: Backups;
  private automaticBackups: AutomaticBackups | null = null;
  private readonly openedAtMs = Date.now();

  private constructor(readonly store: LedgerStore, readonly clock: Clock = systemClock) {
    store.state.stampClock = new StampClock(clock);
    store.state.stampClock.onJump((jump) => queueMicrotask(() => this.auditClockJump(jump)));
    this.controls = new Controls(store, this.events);
    // The host's signed-in sessions outlive a restart of the host (electron/core/security/sessions.ts),
    // on a shared ledger too (kept on this computer, not in the database).
    this.controls.sessions.persistTo(sessionsFilePath(store.ledgerPath));
    this.backups = new Backups(store);
    this.dispatch = createDispatch(this.handlers(), this.controls.access, storageState(store));
  }

  /**
   * Opens a ledger file (creating it only with `create`), proves its files,
   * recovers its journal and checks every invariant. A ledger that fails is
   * refused with LedgerOpenError and nothing on disk is changed.
   */
  static async open(ledgerPath: string, options: EngineOptions = {}): Promise<Engine> {
    const store = await LedgerStore.open(isSharedLedgerUrl(ledgerPath) ? ledgerPath : path.resolve(ledgerPath), options);
    const report = verifyLedger(store.database);
    if (!report.ok) {
      await store.discard();
      throw new LedgerOpenError(`${displayLocation(ledgerPath)} fails verification: ${report.problems.join(' ')} ${restoreAdvice}`);
    }
    const engine = new Engine(store, options.clock);
    // A shared ledger is backed up on request only: every desk making its own daily and closing copies would be noise.
    if (options.automaticBackups === true && !store.isShared) engine.automaticBackups = AutomaticBackups.start(engine.backups);
    if (store.isShared && options.liveUpdates !== false) {
      // Other desks' commits reach this process's screens between its own turns (LISTEN/NOTIFY).
      store.onRemoteChange(() => engine.events.emit('ledger-changed', { reason: 'remote' }));
    }
    return engine;
  }

  /**
   * The typed face of `dispatch`, for in-process callers that hold the ledger file (the CLI, tests):
   * still validated, acting with full rights as the `cli` operator, and audited under that name.
   */
  invoke<Name extends ChannelName>(name: Name, request: RequestOf<Name>): Promise<Result<ResponseOf<Name>>> {
    return this.dispatch(name, request, systemContext) as Promise<Result<ResponseOf<Name>>>;
  }

  get ledgerPath(): string {
    return this.store.ledgerPath;
  }

  onAny(listener: (name: EventName, payload: unknown) => void): () => void {
    return this.events.onAny(listener);
  }

  on<Name extends EventName>(name: Name, listener: (payload: Events[Name]) => void): () => void {
    return this.events.on(name, listener);
  }

  /**
   * Closes the ledger. A final checkpoint that fails is not an error: the
   * journal keeps everything and the report carries the warning. The backup
   * on close is taken only from a file that holds everything.
   */
  async close(): Promise<CloseReport> {
    const backupFolder = (await this.automaticBackups?.stop()) ?? null;
    this.automaticBackups = null;
    const report = await this.store.close();
    await this.controls.sessions.flush();
    if (backupFolder !== null && report.checkpointed) await backupOnClose(this.ledgerPath, backupFolder);
    return report;
  }

  /**
   * A clock jump goes into the audit trail in a commit of its own, after the
   * commit that stamped the payment which revealed it (a microtask later, so
   * never inside a batch chunk's decision). It changes no stamp.
   */
  private auditClockJump(jump: ClockJump): void {
    const direction = jump.jumpMs > 0 ? 'forward' : 'back';
    const note = { actor: 'system', action: 'clock-jump', target: direction, outcome: 'noted', detail: describeClockJump(jump) };
    this.store.turn(async () => void this.store.commit([], note)).catch((error: unknown) => {
      console.error('paydesk: noting a clock jump in the audit trail failed', error);
    });
  }

  /** The six steps: receive (T1), validate, check balance, execute, record, answer once durable (T2). */
  submitPayment(request: PaymentRequest): Promise<Result<PaymentOutcome>> {
    const receivedAtNs = process.hrtime.bigint();
    return this.store.turn(() => this.submitPaymentInTurn(request, receivedAtNs));
  }

  private async submitPaymentInTurn(request: PaymentRequest, receivedAtNs: bigint): Promise<Result<PaymentOutcome>> {
    const reference = request.reference ?? '';
    const existing = findPayment(this.store.database, request.paymentId, this.store.state.pendingLatencyUs);
    if (existing !== undefined) return this.repeatOutcome(existing, request, reference);
    const held = this.controls.approvals.repeat(request, reference);
    if (held !== null) return held;
    const amount = parseAmountInput(request.amount, request.currency);
    if (!amount.ok) return amount;
    const state = this.store.state;
    // Amounts reserved by payments waiting for approval are not available to spend.
    const debtor = this.controls.approvals.available(state.accounts.get(request.debtor));
    const creditor = state.accounts.get(request.creditor);
    const rejection = decidePayment(request.debtor, request.creditor, debtor, creditor, amount.value, request.currency);
    if (rejection === null && this.controls.approvals.needsApproval(amount.value, request.currency)) {
      return this.controls.approvals.hold(request, amount.value, reference);
    }
    const row: PaymentRow = {
      seq: state.lastPaymentSeq + 1,
      id: request.paymentId,
      d: request.debtor,
      c: request.creditor,
      a: amount.value,
      cur: request.currency,
      ref: reference,
      s: rejection === null ? 1 : 0,
      code: rejection?.code ?? 'ACSC',
      msg: rejection?.message ?? null,
      ch: 'realtime',
      b: null,
      l: null,
      at: state.nextReceivedAtMs(),
    };
    const lsn = this.store.commit([{ t: 'payments', rows: [row] }]);
    await this.store.whenDurable(lsn);
    const pltUs = Number((process.hrtime.bigint() - receivedAtNs) / 1000n);
    this.store.recordLatency(row.seq, pltUs);
    const outcome: PaymentOutcome = {
      paymentId: row.id,
      status: row.s === 1 ? 'accepted' : 'rejected',
      code: row.code,
      message: row.msg ?? sentenceFor(row.code),
      pltUs,
      replayed: false,
    };
    this.events.emit('payment-recorded', {
      paymentId: row.id, status: row.s === 1 ? 'accepted' : 'rejected', code: row.code, channel: 'realtime', pltUs, amountMinor: row.a, currency: row.cur,
    });
    return success(outcome);
  }

  /**
   * A new payment id with the same debtor, creditor, amount, currency and reference as a real-time payment
   * accepted, or waiting for approval, within duplicateWindowMs: refused with POSSIBLE_DUPLICATE until the
   * operator confirms. Nothing is recorded; the same payment id stays free for the confirmed submission.
   */
  private possibleDuplicate(request: PaymentRequest): Result<PaymentOutcome> | null {
    // The same payment id again is a retry, answered by the idempotency rules, never a duplicate.
    if (findPayment(this.store.database, request.paymentId, this.store.state.pendingLatencyUs) !== undefined) return null;
    if (this.controls.approvals.find(request.paymentId) !== undefined) return null;
    const amount = parseAmountInput(request.amount, request.currency);
    const debtor = this.store.state.accounts.get(request.debtor);
    if (!amount.ok || debtor === undefined) return null;
    const sinceMs = this.clock.nowMs() - duplicateWindowMs;
    const reference = request.reference ?? '';
    const fields = [request.creditor, amount.value, request.currency, reference];
    const posted = this.store.database.get<{ id: string; at: number }>(
      `SELECT payment_id AS id, received_at_ms AS at FROM payments WHERE debtor_id = ? AND seq >= ? AND status = 1 AND channel = 'realtime'
       AND creditor_code = ? AND amount_minor = ? AND currency = ? AND reference = ? ORDER BY seq DESC LIMIT 1`,
      [debtor.id, seqRangeReceivedBetween(this.store.database, sinceMs, Number.MAX_SAFE_INTEGER).firstSeq, ...fields],
    );
    const held = posted ?? this.store.database.get<{ id: string; at: number }>(
      `SELECT payment_id AS id, submitted_at_ms AS at FROM approvals WHERE debtor_code = ? AND status = 'pending' AND submitted_at_ms >= ?
       AND creditor_code = ? AND amount_minor = ? AND currency = ? AND reference = ? ORDER BY submitted_at_ms DESC LIMIT 1`,
      [request.debtor, sinceMs, ...fields],
    );
    if (held === undefined) return null;
    const minutes = Math.max(1, Math.round((Date.now() - held.at) / 60_000));
    const when = minutes === 1 ? 'under a minute ago' : `${minutes} minutes ago`;
    const what = `${formatMinorGrouped(amount.value, request.currency)} ${request.currency} from ${request.debtor} to ${request.creditor}`;
    const state = posted === undefined ? 'is waiting for approval' : 'was paid';
    const withReference = reference === '' ? '' : ` with reference "${reference}"`;
    return failure('POSSIBLE_DUPLICATE', `Possible duplicate: ${what}${withReference} ${state} ${when} as ${held.id}.`);
  }

  /** The same id again: the first outcome if the content matches, DUPL if it does not. Never a second payment. */
  private async repeatOutcome(existing: PaymentRecord, request: PaymentRequest, reference: string): Promise<Result<PaymentOutcome>> {
    const amount = parseAmountInput(request.amount, request.currency);
    const same =
      amount.ok &&
      amount.value === existing.amountMinor &&
      existing.debtor === request.debtor &&
      existing.creditor === request.creditor &&
      existing.currency === request.currency &&
      existing.reference === reference;
    if (!same) {
      return failure('DUPL', `Payment id ${request.paymentId} was already used for a different payment; choose a new id.`, 'paymentId');
    }
    // The first submission may still be waiting for its flush: answer only once it is durable.
    await this.store.whenAllDurable();
    return success({
      paymentId: existing.paymentId,
      status: existing.status,
      code: existing.code,
      message: existing.message,
      pltUs: existing.pltUs,
      replayed: true,
    });
  }

  async createAccount(request: ParsedRequestOf<'account-create'>): Promise<Result<Account>> {
    const state = this.store.state;
    if (request.code.toUpperCase().startsWith(equityPrefix)) {
      return failure('FF01', `Account codes starting with ${equityPrefix} are kept for the ledger's equity accounts.`, 'code');
    }
    if (state.accounts.has(request.code)) return failure('ACCOUNT_EXISTS', `An account with code ${request.code} already exists.`, 'code');
    const opening = parseNonNegativeAmountInput(request.openingBalance ?? '0', request.currency);
    if (!opening.ok) return { ...opening, field: 'openingBalance' };
    const overdraft = parseNonNegativeAmountInput(request.overdraftLimit ?? '0', request.currency);
    if (!overdraft.ok) return { ...overdraft, field: 'overdraftLimit' };
    const equity = state.accounts.get(`${equityPrefix}${request.currency}`);
    const beyondLimit = equity === undefined ? null : balanceLimitRejection(equity, -opening.value);
    if (beyondLimit !== null) return failure(beyondLimit.code, `The opening balance cannot be booked: ${beyondLimit.message}`, 'openingBalance');
    const records: LedgerRecord[] = [];
    const account = this.accountRecord(request.code, request.name, request.currency, request.kind ?? 'customer', overdraft.value, 0);
    records.push(account);
    if (opening.value > 0) records.push(...this.openingBalanceRecords(account, opening.value));
    const lsn = this.store.commit(records);
    await this.store.whenDurable(lsn);
    this.events.emit('ledger-changed', { reason: 'account' });
    return success(this.toAccount(state.requireAccount(request.code)));
  }

  private accountRecord(code: string, name: string, currency: string, kind: AccountRecord['kind'], overdraftLimitMinor: number, offset: number): AccountRecord {
    const id = this.store.state.lastAccountId + 1 + offset;
    return { t: 'account', id, code, name, currency, kind, overdraftLimitMinor, createdAtMs: this.clock.nowMs() };
  }

  /** An opening balance is a transfer from the currency's equity account, so the books always balance. */
  private openingBalanceRecords(account: AccountRecord, amountMinor: number): LedgerRecord[] {
    const state = this.store.state;
    const equityCode = `${equityPrefix}${account.currency}`;
    const records: LedgerRecord[] = [];
    if (!state.accounts.has(equityCode)) {
      records.push(this.accountRecord(equityCode, `Equity ${account.currency}`, account.currency, 'equity', 0, 1));
    }
    const row: PaymentRow = {
      seq: state.lastPaymentSeq + 1, id: `${openingPaymentPrefix}${account.code}`, d: equityCode, c: account.code, a: amountMinor,
      cur: account.currency, ref: 'Opening balance', s: 1, code: 'ACSC', msg: null, ch: 'opening', b: null, l: null,
      at: state.nextReceivedAtMs(),
    };
    records.push({ t: 'payments', rows: [row] });
    return records;
  }

  async setAccountStatus(request: ParsedRequestOf<'account-set-status'>): Promise<Result<Account>> {
    const account = this.store.state.accounts.get(request.code);
    if (account === undefined) return failure('AC01', `The account ${request.code} does not exist in this ledger.`, 'code');
    const refusal = statusChangeRefusal(account, request.status);
    if (refusal !== null) return refusal;
    if (account.status !== request.status) {
      const lsn = this.store.commit([{ t: 'status', code: account.code, status: request.status }]);
      await this.store.whenDurable(lsn);
      this.events.emit('ledger-changed', { reason: 'account' });
    }
    return success(this.toAccount(account));
  }

  listAccounts(search: string | undefined): Account[] {
    const needle = (search ?? '').trim().toLowerCase();
    const accounts = [...this.store.state.accounts.values()]
      .filter((account) => needle === '' || account.code.toLowerCase().includes(needle) || account.name.toLowerCase().includes(needle))
      .sort((left, right) => left.code.localeCompare(right.code));
    const reserved = this.controls.approvals.reservedByAccount();
    return accounts.map((account) => toAccount(account, reserved.get(account.code) ?? 0));
  }

  private toAccount(account: AccountState): Account {
    return toAccount(account, this.controls.approvals.reservedMinor(account.code));
  }

  info(): LedgerInfo {
    const state = this.store.state;
    return {
      path: displayLocation(this.ledgerPath),
      fileName: this.store.isShared ? displayLocation(this.ledgerPath) : path.basename(this.ledgerPath),
      accounts: state.accounts.size,
      // Opening balances are transfers from equity, not payments to an operator: the count matches the dashboard's.
      payments: state.lastPaymentSeq - this.openingPaymentCount(),
      currencies: [...new Set([...state.accounts.values()].map((account) => account.currency))].sort(),
      openedAtMs: this.openedAtMs,
      demo: isDemoLedger(this.store.database),
    };
  }

  /** Opening-balance transfers, found by their id prefix through the payment id index. */
  private openingPaymentCount(): number {
    const upperBound = openingPaymentPrefix.slice(0, -1) + String.fromCharCode(openingPaymentPrefix.charCodeAt(openingPaymentPrefix.length - 1) + 1);
    return Number(this.store.database.value('SELECT COUNT(*) FROM payments WHERE payment_id >= ? AND payment_id < ?', [openingPaymentPrefix, upperBound]));
  }

  /** The ledger's invariants, and the audit trail's hash chain (its first broken entry named). */
  verify(): VerifyReport {
    const report = verifyLedger(this.store.database);
    const audit = verifyAuditChain(this.store.database);
    return { ...report, ok: report.ok && audit.problems.length === 0, problems: [...report.problems, ...audit.problems] };
  }

  /** The newest audit entry's hash: two copies of a ledger with the same head hold the same chain. */
  auditHead(): string | null {
    return (this.store.database.value('SELECT hash FROM audit ORDER BY seq DESC LIMIT 1') as string | undefined) ?? null;
  }

  /** `verify`, plus the proof that the ledger file on disk still matches the checksum its checkpoint recorded. */
  async verifyWithFiles(): Promise<VerifyReport> {
    const report = this.verify();
    const fileProblems = await this.store.checkFiles();
    return { ...report, ok: report.ok && fileProblems.length === 0, problems: [...fileProblems, ...report.problems] };
  }

  /**
   * Every channel's handler. Each feature area contributes its own map
   * (ledger and payments here; batches, metrics and reconciliation in their
   * folders), and the Handlers type makes a missing channel a type error.
   */
  private handlers(): Handlers {
    return {
      ...this.ledgerHandlers(),
      ...createMetricsHandlers(this),
      ...createBatchHandlers(this),
      ...createReconciliationHandlers(this),
      ...createAccountIdentifierHandlers(this),
      ...this.controls.handlers(),
      ...createBackupHandlers(this.backups),
    };
  }

  private ledgerHandlers() {
    const database = this.store.database;
    return {
      'ledger-info': async () => success(this.info()),
      'ledger-verify': async () => success(await this.verifyWithFiles()),
      'account-list': async (request) => success(this.listAccounts(request.search)),
      'account-create': (request) => this.createAccount(request),
      'account-set-status': (request) => this.setAccountStatus(request),
      'account-statement': async (request) => {
        const account = this.store.state.accounts.get(request.code);
        if (account === undefined) return failure('AC01', `The account ${request.code} does not exist in this ledger.`, 'code');
        const page = accountStatement(database, account, request.limit ?? defaultPageSize, request.cursor);
        return success({ ...page, account: this.toAccount(account) });
      },
      'payment-submit': async (request, caller) => {
        // Operators at a screen are warned of a possible duplicate; the command line and the demo generator pay as told.
        const duplicate = caller.transport === 'system' || request.confirmDuplicate === true ? null : this.possibleDuplicate(request);
        return duplicate ?? this.submitPayment(request);
      },
      'payment-get': async (request) => {
        const payment = findPayment(database, request.paymentId, this.store.state.pendingLatencyUs);
        if (payment === undefined) return failure('NOT_FOUND', `No payment with id ${request.paymentId} is in this ledger.`, 'paymentId');
        const { seq: _seq, ...record } = payment;
        return success(record);
      },
      'payment-list': async (request) => {
        if (request.status === 'pending') return success(this.controls.approvals.pendingAsPayments(request));
        const accountId = request.account === undefined ? undefined : (this.store.state.accounts.get(request.account)?.id ?? null);
        return success(listPayments(database, { ...request, status: request.status, accountId }, this.store.state.pendingLatencyUs));
      },
    } satisfies Partial<Handlers>;
  }
}

/** How dispatch answers while the store is stopped or read-only, and for the errors those states throw. */
function storageState(store: LedgerStore): StorageState {
  return {
    stopped: () => store.stopped?.sentence ?? null,
    turn: (handler) => store.turn(handler),
    describe(error) {
      if (error instanceof ReadOnlyLedgerError) return failure('READ_ONLY', `${error.message} Open it from writable storage to make changes.`);
      if (error instanceof LedgerStoppedError || store.stopped !== null) {
        const sentence = store.stopped?.sentence ?? (error as LedgerStoppedError).sentence;
        return failure('LEDGER_STOPPED', `${sentence} Whether this request was recorded is not known: after reopening, ` +
          `look it up, or submit a payment again with the same id (it never pays twice).`);
      }
      return null;
    },
  };
}

function statusChangeRefusal(account: AccountState, status: AccountStatus) {
  if (account.kind === 'equity') return failure('ACCOUNT_STATE', `The equity account ${account.code} cannot be blocked or closed.`, 'code');
  if (account.status === 'closed' && status !== 'closed') {
    return failure('ACCOUNT_STATE', `The account ${account.code} is closed; a closed account cannot be reopened.`, 'status');
  }
  if (status === 'closed' && account.balanceMinor !== 0) {
    return failure('ACCOUNT_NOT_EMPTY', `The account ${account.code} still holds a balance; move it out before closing.`, 'status');
  }
  return null;
}
