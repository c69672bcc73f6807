import { create } from 'zustand';
import type { Account } from '../../../../shared/domain';
import {
  reconciliationLimits, type DateOrder, type ReconciliationReport, type ReportExport, type RunSummary, type StatementFileView,
  type StatementUploadReceipt,
} from '../../../../shared/reconciliation';
import { failure, type Failure, type Result } from '../../../../shared/result';
import { decodeStatementBytes } from '../../../../shared/statement-encoding';
import type { PayDeskClient } from '../../api/client';
import { splitForUpload } from '../batches/upload-chunks';

/**
 * The Reconciliation page's store: the statement the operator dropped (its
 * bytes decoded by their declared encoding, uploaded at once and inspected:
 * format, version and each statement with the ledger account it names), the
 * account and period, the open run's report, the past runs and the selection
 * for matching by hand. Actions call the API client, then `set`. Like the
 * Batches and Dashboard pages, the page keeps its own store beside it.
 */

export interface DroppedStatement {
  name: string;
  size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface ChosenStatement {
  name: string;
  text: string;
  encoding: string;
}

export interface ReconciliationState {
  accounts: Account[];
  account: string;
  fromDate: string;
  toDate: string;
  dateOrder: DateOrder;
  statement: ChosenStatement | null;
  /** The engine's copy of the statement, once uploaded; null until then or after the engine let it go. */
  uploadId: string | null;
  /** What the file holds, as the engine read it. */
  statementFile: StatementFileView | null;
  uploadedChars: number | null;
  busy: boolean;
  report: ReconciliationReport | null;
  runs: RunSummary[];
  selectedLine: number | null;
  selectedPayments: string[];
  failure: Failure | null;
  loadAccounts(): Promise<void>;
  loadRuns(): Promise<void>;
  chooseStatement(file: DroppedStatement): Promise<void>;
  setPeriod(change: Partial<Pick<ReconciliationState, 'account' | 'fromDate' | 'toDate' | 'dateOrder'>>): void;
  /** Runs the statement at `index` of the file (the only one when left out) against its named account, else the chosen one. */
  run(index?: number): Promise<void>;
  /** Runs every statement of the file, each against the ledger account it names. */
  runAll(): Promise<void>;
  openRun(runId: string): Promise<void>;
  selectLine(line: number | null): void;
  togglePayment(paymentId: string): void;
  matchSelected(): Promise<void>;
  unmatch(line: number): Promise<void>;
  setFinished(finished: boolean): Promise<void>;
  exportReport(): Promise<ReportExport | null>;
  reset(): void;
}

const initial = {
  accounts: [], account: '', fromDate: '', toDate: '', dateOrder: 'auto' as DateOrder, statement: null, uploadId: null, statementFile: null,
  uploadedChars: null, busy: false,
  report: null, runs: [], selectedLine: null, selectedPayments: [], failure: null,
};

type SetState = (change: Partial<ReconciliationState>) => void;

/** Sends the statement in chunks the host accepts; returns the upload id, or the failure that stopped it. */
async function uploadStatement(client: PayDeskClient, statement: ChosenStatement, set: SetState): Promise<Result<string>> {
  let uploadId: string | null = null;
  let offset = 0;
  for (const text of splitForUpload(statement.text, reconciliationLimits.uploadChunkChars)) {
    const receipt: Result<StatementUploadReceipt> = await client.invoke('reconciliation-upload', { uploadId, fileName: statement.name, offset, text });
    if (!receipt.ok) return receipt;
    uploadId = receipt.value.uploadId;
    offset = receipt.value.charsReceived;
    set({ uploadedChars: offset });
  }
  return { ok: true, value: uploadId! };
}

type GetState = () => ReconciliationState;

/** Uploads the chosen statement if the engine holds no copy of it, and returns the upload id. */
async function ensureUploaded(client: PayDeskClient, set: SetState, get: GetState): Promise<Result<string>> {
  const { statement, uploadId } = get();
  if (statement === null) return failure('FF01', 'Drop a statement file first.');
  if (uploadId !== null) return { ok: true, value: uploadId };
  const uploaded = await uploadStatement(client, statement, set);
  if (uploaded.ok) set({ uploadId: uploaded.value });
  return uploaded;
}

/** Asks the engine what the file holds; one statement naming a ledger account chooses that account. */
async function inspect(client: PayDeskClient, set: SetState, get: GetState): Promise<void> {
  set({ busy: true });
  const uploaded = await ensureUploaded(client, set, get);
  if (!uploaded.ok) return set({ failure: uploaded, busy: false });
  const { account, dateOrder } = get();
  const result = await client.invoke('reconciliation-inspect', { uploadId: uploaded.value, account: account === '' ? undefined : account, dateOrder });
  if (!result.ok) return set({ failure: result, busy: false });
  const only = result.value.statements.length === 1 ? result.value.statements[0] : undefined;
  set({ statementFile: result.value, busy: false, account: only?.ledgerAccount ?? get().account });
}

/** One run; an upload the engine has let go (a single-statement file is dropped after its run) is sent again. */
async function runOne(client: PayDeskClient, set: SetState, get: GetState, account: string, index: number | undefined): Promise<Result<ReconciliationReport>> {
  const { fromDate, toDate, dateOrder } = get();
  const request = (uploadId: string) => client.invoke('reconciliation-run', {
    uploadId, account, statement: index, dateOrder, fromDate: fromDate === '' ? undefined : fromDate, toDate: toDate === '' ? undefined : toDate,
  });
  let uploaded = await ensureUploaded(client, set, get);
  if (!uploaded.ok) return uploaded;
  let result = await request(uploaded.value);
  if (!result.ok && result.code === 'NOT_FOUND' && result.field === 'uploadId') {
    set({ uploadId: null });
    uploaded = await ensureUploaded(client, set, get);
    if (!uploaded.ok) return uploaded;
    result = await request(uploaded.value);
  }
  if (result.ok && (get().statementFile?.statements.length ?? 1) === 1) set({ uploadId: null });
  return result;
}
type WithReport = (request: () => Promise<Result<ReconciliationReport>>) => Promise<void>;

/** Runs a request that answers with the report, showing it (and refreshing the list of runs) or the failure. */
function reportRunner(set: SetState, get: GetState): WithReport {
  return async (request) => {
    set({ busy: true, failure: null });
    const result = await request();
    if (result.ok) set({ report: result.value, busy: false, selectedLine: null, selectedPayments: [] });
    else set({ failure: result, busy: false });
    if (result.ok) await get().loadRuns();
  };
}

function setupActions(client: PayDeskClient, set: SetState, get: GetState, withReport: WithReport) {
  return {
    loadAccounts: async () => {
      const result = await client.invoke('account-list', {});
      if (!result.ok) return set({ failure: result });
      const accounts = result.value.filter((account) => account.kind !== 'equity');
      set({ accounts, account: get().account || (accounts[0]?.code ?? '') });
    },
    loadRuns: async () => {
      const result = await client.invoke('reconciliation-list', {});
      if (result.ok) set({ runs: result.value });
    },
    chooseStatement: async (file: DroppedStatement) => {
      if (file.size > reconciliationLimits.statementChars) {
        return set({ failure: failure('FF01', `${file.name} is larger than a statement may be.`) });
      }
      const decoded = decodeStatementBytes(new Uint8Array(await file.arrayBuffer()));
      if (!decoded.ok) return set({ failure: decoded, statement: null, statementFile: null, uploadId: null });
      if (decoded.value.text.trim() === '') return set({ failure: failure('FF01', `${file.name} is empty.`), statement: null, statementFile: null });
      set({ statement: { name: file.name, ...decoded.value }, uploadId: null, statementFile: null, uploadedChars: null, failure: null });
      await inspect(client, set, get);
    },
    setPeriod: (change: Partial<Pick<ReconciliationState, 'account' | 'fromDate' | 'toDate' | 'dateOrder'>>) => {
      set(change);
    },
    run: async (index?: number) => {
      const { statement, statementFile } = get();
      if (statement === null) return set({ failure: failure('FF01', 'Drop a statement file first.') });
      const named = index === undefined ? null : (statementFile?.statements[index]?.ledgerAccount ?? null);
      const account = named ?? get().account;
      if (account === '') return set({ failure: failure('FF01', 'Choose the account to reconcile.') });
      await withReport(() => runOne(client, set, get, account, index));
    },
    runAll: async () => {
      const statements = get().statementFile?.statements ?? [];
      const unnamed = statements.find((statement) => statement.ledgerAccount === null);
      if (unnamed !== undefined) {
        const message = `Statement ${unnamed.index + 1} names an account no ledger account carries; reconcile it on its own with a chosen account.`;
        return set({ failure: failure('AC01', message) });
      }
      for (const statement of statements) {
        await withReport(() => runOne(client, set, get, statement.ledgerAccount!, statement.index));
        if (get().failure !== null) return;
      }
    },
    openRun: (runId: string) => withReport(() => client.invoke('reconciliation-get', { runId })),
  };
}

function decisionActions(client: PayDeskClient, set: SetState, get: GetState, withReport: WithReport) {
  const runId = () => get().report?.summary.runId;
  return {
    selectLine: (line: number | null) => {
      set({ selectedLine: get().selectedLine === line ? null : line });
    },
    togglePayment: (paymentId: string) => {
      const selected = get().selectedPayments;
      set({ selectedPayments: selected.includes(paymentId) ? selected.filter((id) => id !== paymentId) : [...selected, paymentId] });
    },
    matchSelected: async () => {
      const { selectedLine, selectedPayments } = get();
      const id = runId();
      if (id === undefined || selectedLine === null || selectedPayments.length === 0) return;
      await withReport(() => client.invoke('reconciliation-match', { runId: id, statementLine: selectedLine, paymentIds: selectedPayments }));
    },
    unmatch: async (line: number) => {
      const id = runId();
      if (id !== undefined) await withReport(() => client.invoke('reconciliation-unmatch', { runId: id, statementLine: line }));
    },
    setFinished: async (finished: boolean) => {
      const id = runId();
      if (id !== undefined) await withReport(() => client.invoke(finished ? 'reconciliation-finish' : 'reconciliation-reopen', { runId: id }));
    },
    exportReport: async (): Promise<ReportExport | null> => {
      const id = runId();
      if (id === undefined) return null;
      const result = await client.invoke('reconciliation-export', { runId: id });
      if (result.ok) return result.value;
      set({ failure: result });
      return null;
    },
  };
}

export function createReconciliationStore(client: PayDeskClient) {
  return create<ReconciliationState>()((set, get) => {
    const withReport = reportRunner(set, get);
    return {
      ...initial,
      ...setupActions(client, set, get, withReport),
      ...decisionActions(client, set, get, withReport),
      reset: () => {
        set(initial);
      },
    };
  });
}

export type ReconciliationStore = ReturnType<typeof createReconciliationStore>;
