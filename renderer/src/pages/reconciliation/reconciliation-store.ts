import { create } from 'zustand';
import type { Account } from '../../../../shared/domain';
import {
  reconciliationLimits, type DateOrder, type ReconciliationReport, type ReportExport, type RunSummary, type StatementUploadReceipt,
} from '../../../../shared/reconciliation';
import { failure, type Failure, type Result } from '../../../../shared/result';
import type { PayDeskClient } from '../../api/client';
import { splitForUpload } from '../batches/upload-chunks';

/**
 * The Reconciliation page's store: the statement the operator dropped, the
 * account and period, the open run's report, the past runs and the selection
 * for matching by hand. Actions call the API client, then `set`. Like the
 * Batches and Dashboard pages, the page keeps its own store beside it.
 */

export interface DroppedStatement {
  name: string;
  size: number;
  text(): Promise<string>;
}

export interface ReconciliationState {
  accounts: Account[];
  account: string;
  fromDate: string;
  toDate: string;
  dateOrder: DateOrder;
  statement: { name: string; text: string } | null;
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
  run(): Promise<void>;
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
  accounts: [], account: '', fromDate: '', toDate: '', dateOrder: 'auto' as DateOrder, statement: null, uploadedChars: null, busy: false,
  report: null, runs: [], selectedLine: null, selectedPayments: [], failure: null,
};

type SetState = (change: Partial<ReconciliationState>) => void;

/** Sends the statement in chunks the host accepts; returns the upload id, or the failure that stopped it. */
async function uploadStatement(client: PayDeskClient, statement: { name: string; text: string }, set: SetState): Promise<Result<string>> {
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
      const text = await file.text();
      if (text.trim() === '') return set({ failure: failure('FF01', `${file.name} is empty.`), statement: null });
      set({ statement: { name: file.name, text }, uploadedChars: null, failure: null });
    },
    setPeriod: (change: Partial<Pick<ReconciliationState, 'account' | 'fromDate' | 'toDate' | 'dateOrder'>>) => {
      set(change);
    },
    run: async () => {
      const { statement, account, fromDate, toDate, dateOrder } = get();
      if (statement === null) return set({ failure: failure('FF01', 'Drop a statement file first.') });
      if (account === '') return set({ failure: failure('FF01', 'Choose the account to reconcile.') });
      await withReport(async () => {
        const uploaded = await uploadStatement(client, statement, set);
        if (!uploaded.ok) return uploaded;
        return client.invoke('reconciliation-run', {
          uploadId: uploaded.value, account, dateOrder, fromDate: fromDate === '' ? undefined : fromDate, toDate: toDate === '' ? undefined : toDate,
        });
      });
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
