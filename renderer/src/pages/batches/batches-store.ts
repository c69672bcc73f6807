import { create } from 'zustand';
import type { PayDeskClient } from '../../api/client';
import { batchLimits, csvLine, resultsHeader } from '../../../../shared/batch';
import type {
  BatchDelimiter, BatchMapping, BatchPreset, BatchPreview, BatchProgressEvent, BatchResultRow, BatchSummary, BatchUploadReceipt,
  BatchValidation,
} from '../../../../shared/batch';
import type { Page, PaymentStatus } from '../../../../shared/domain';
import { failure, type Failure, type Result } from '../../../../shared/result';
import { splitForUpload } from './upload-chunks';

/** Result rows shown per page. */
export const resultsPageSize = 50;
/** Rows written by "Export results" from the page; the command line writes any number. */
export const resultsExportRowsMax = 200_000;

export interface DroppedFile {
  name: string;
  size: number;
  text(): Promise<string>;
}

export type ResultsFilter = PaymentStatus | 'all';

export interface BatchesState {
  uploading: { fileName: string; bytesSent: number; bytesTotal: number } | null;
  preview: BatchPreview | null;
  /** The operator saw the same-file warning and chose to go on. */
  duplicateAcknowledged: boolean;
  delimiter: BatchDelimiter | null;
  mapping: BatchMapping;
  presets: BatchPreset[];
  validating: boolean;
  validation: BatchValidation | null;
  /** The batch on screen: its latest summary and progress. */
  batch: BatchSummary | null;
  progress: BatchProgressEvent | null;
  resultsFilter: ResultsFilter;
  results: BatchResultRow[];
  resultsCursor: string | null;
  resultsNextCursor: string | null;
  resultsPrevious: (string | null)[];
  history: BatchSummary[];
  failure: Failure | null;
  chooseFile(file: DroppedFile): Promise<void>;
  acknowledgeDuplicate(): void;
  setDelimiter(delimiter: BatchDelimiter): Promise<void>;
  setMapping(change: BatchMapping): void;
  applyPreset(name: string): void;
  savePreset(name: string): Promise<void>;
  validate(): Promise<void>;
  process(): Promise<void>;
  abandon(reason: string): Promise<void>;
  control(action: 'batch-pause' | 'batch-resume' | 'batch-cancel', batchId?: string): Promise<void>;
  openBatch(batchId: string): Promise<void>;
  /** Reads the open batch again: another desk of a shared ledger may have run, paused or finished it. */
  reloadBatch(): Promise<void>;
  noteProgress(event: BatchProgressEvent): void;
  setResultsFilter(filter: ResultsFilter): Promise<void>;
  loadResults(cursor: string | null, previous: (string | null)[]): Promise<void>;
  loadHistory(): Promise<void>;
  loadPresets(): Promise<void>;
  exportResults(): Promise<string>;
  reset(): void;
}

const freshImport = {
  uploading: null, preview: null, duplicateAcknowledged: false, delimiter: null, mapping: {}, validating: false, validation: null,
  batch: null, progress: null, resultsFilter: 'all' as ResultsFilter, results: [], resultsCursor: null, resultsNextCursor: null,
  resultsPrevious: [], failure: null,
};

type SetState = (change: Partial<BatchesState>) => void;
type GetState = () => BatchesState;

/** Sends a file's text in chunks the host accepts; returns the file id, or the failure that stopped it. */
async function uploadFile(client: PayDeskClient, file: DroppedFile, set: SetState): Promise<string | Failure> {
  const text = await file.text();
  if (text.length === 0) return failure('FF01', `${file.name} is empty: it holds no header and no rows.`);
  let fileId: string | null = null;
  let offset = 0;
  for (const chunk of splitForUpload(text, batchLimits.uploadChunkChars)) {
    const receipt: Result<BatchUploadReceipt> = await client.invoke('batch-upload', { fileId, fileName: file.name, offset, text: chunk });
    if (!receipt.ok) return receipt;
    fileId = receipt.value.fileId;
    offset = receipt.value.bytesReceived;
    set({ uploading: { fileName: file.name, bytesSent: offset, bytesTotal: file.size } });
  }
  return fileId!;
}

async function inspectFile(client: PayDeskClient, fileId: string, delimiter: BatchDelimiter | undefined, set: SetState) {
  const preview = await client.invoke('batch-inspect', { fileId, delimiter });
  if (!preview.ok) return set({ failure: preview, uploading: null });
  const { value } = preview;
  set({ preview: value, delimiter: value.delimiter, mapping: value.suggestedMapping, uploading: null, validation: null });
}

type ImportActions = 'chooseFile' | 'acknowledgeDuplicate' | 'setDelimiter' | 'setMapping' | 'applyPreset' | 'savePreset' | 'validate' | 'abandon' | 'reset';

function importActions(client: PayDeskClient, set: SetState, get: GetState): Pick<BatchesState, ImportActions> {
  return {
    async chooseFile(file) {
      set({ ...freshImport, uploading: { fileName: file.name, bytesSent: 0, bytesTotal: file.size } });
      const uploaded = await uploadFile(client, file, set);
      if (typeof uploaded !== 'string') return set({ failure: uploaded, uploading: null });
      await inspectFile(client, uploaded, undefined, set);
    },
    acknowledgeDuplicate: () => set({ duplicateAcknowledged: true }),
    async setDelimiter(delimiter) {
      const preview = get().preview;
      if (preview !== null) await inspectFile(client, preview.fileId, delimiter, set);
    },
    setMapping: (change) => set({ mapping: { ...get().mapping, ...change }, validation: null }),
    applyPreset(name) {
      const preset = get().presets.find((candidate) => candidate.name === name);
      if (preset !== undefined) set({ mapping: { ...preset.mapping }, validation: null });
    },
    async savePreset(name) {
      const saved = await client.invoke('batch-preset-save', { name, mapping: get().mapping, delimiter: get().delimiter });
      if (!saved.ok) return set({ failure: saved });
      await get().loadPresets();
    },
    async validate() {
      const { preview, delimiter, mapping } = get();
      if (preview === null || get().validating) return;
      set({ validating: true, failure: null });
      const validation = await client.invoke('batch-validate', { fileId: preview.fileId, delimiter: delimiter ?? undefined, mapping });
      if (!validation.ok) return set({ validating: false, failure: validation });
      set({ validating: false, validation: validation.value, batch: validation.value.batch });
      void get().loadHistory();
    },
    async abandon(reason) {
      const batch = get().batch;
      if (batch === null || batch.status !== 'validated') return;
      const abandoned = await client.invoke('batch-abandon', { batchId: batch.batchId, reason });
      if (!abandoned.ok) return set({ failure: abandoned });
      set({ ...freshImport, batch: abandoned.value });
      void get().loadHistory();
    },
    reset: () => set({ ...freshImport }),
  };
}

type RunActions = 'process' | 'control' | 'openBatch' | 'reloadBatch' | 'noteProgress' | 'loadHistory' | 'loadPresets';

/** How often, at most, the Past batches list is read again while a batch runs. */
const historyRefreshMs = 1000;

/** Runs the latest request at most once per interval: the first at once, later ones at the end of the interval. */
function throttle(intervalMs: number) {
  let lastAtMs = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    request(work: () => void) {
      if (timer !== null) return;
      const waitMs = Math.max(0, lastAtMs + intervalMs - Date.now());
      timer = setTimeout(() => {
        timer = null;
        lastAtMs = Date.now();
        work();
      }, waitMs);
    },
  };
}

const historyThrottle = throttle(historyRefreshMs);

function runActions(client: PayDeskClient, set: SetState, get: GetState): Pick<BatchesState, RunActions> {
  return {
    async process() {
      const batch = get().batch;
      if (batch === null) return;
      const started = await client.invoke('batch-start', { batchId: batch.batchId });
      if (!started.ok) return set({ failure: started });
      set({ batch: started.value, preview: null, validation: null });
    },
    async control(action, batchId) {
      const id = batchId ?? get().batch?.batchId;
      if (id === undefined) return;
      const result = await client.invoke(action, { batchId: id });
      if (!result.ok) return set({ failure: result });
      set({ batch: result.value, failure: null, preview: null, validation: null });
      void get().loadHistory();
    },
    async openBatch(batchId) {
      const result = await client.invoke('batch-get', { batchId });
      if (!result.ok) return set({ failure: result });
      set({ ...freshImport, batch: result.value });
      await get().loadResults(null, []);
    },
    async reloadBatch() {
      const open = get().batch;
      // This desk's own run reports itself through progress events.
      if (open === null || get().progress !== null) return;
      const result = await client.invoke('batch-get', { batchId: open.batchId });
      if (!result.ok || get().batch?.batchId !== open.batchId) return;
      // The note a pause sent to another desk answered stays until the status it asked for arrives.
      const keepNote = result.value.status === open.status && result.value.problem === null ? open.problem : result.value.problem;
      set({ batch: { ...result.value, problem: keepNote } });
    },
    noteProgress(event) {
      // The list follows every batch: at once on a status change, at most once a second while rows move.
      if (event.status !== 'running') void get().loadHistory();
      else historyThrottle.request(() => void get().loadHistory());
      const batch = get().batch;
      if (batch === null || batch.batchId !== event.batchId) return;
      const { status, rowsDone, accepted, rejected, skipped } = event;
      set({ progress: event, batch: { ...batch, status, rowsDone, accepted, rejected, skipped } });
      if (status !== 'running') void get().openBatch(event.batchId).then(() => set({ progress: event }));
    },
    async loadHistory() {
      const list = await client.invoke('batch-list', {});
      if (list.ok) set({ history: list.value });
    },
    async loadPresets() {
      const list = await client.invoke('batch-preset-list', {});
      if (list.ok) set({ presets: list.value });
    },
  };
}

function resultLine(item: BatchResultRow): string {
  const { line, paymentId, debtor, creditor, amountMinor, currency, reference, status, code, message } = item;
  return csvLine([line, paymentId, debtor, creditor, amountMinor, currency, reference, item.refused ? 'refused' : status, code, message]);
}

type ResultsActions = 'setResultsFilter' | 'loadResults' | 'exportResults';

function resultsActions(client: PayDeskClient, set: SetState, get: GetState): Pick<BatchesState, ResultsActions> {
  const fetchPage = (batchId: string, limit: number, cursor: string | null) => {
    const filter = get().resultsFilter;
    return client.invoke('batch-results', { batchId, limit, cursor, ...(filter === 'all' ? {} : { status: filter }) });
  };
  return {
    async setResultsFilter(filter) {
      set({ resultsFilter: filter });
      await get().loadResults(null, []);
    },
    async loadResults(cursor, previous) {
      const batch = get().batch;
      if (batch === null) return;
      const page = await fetchPage(batch.batchId, resultsPageSize, cursor);
      if (!page.ok) return set({ failure: page });
      set({ results: page.value.items, resultsCursor: cursor, resultsNextCursor: page.value.nextCursor, resultsPrevious: previous });
    },
    async exportResults() {
      const batch = get().batch;
      let text = csvLine(resultsHeader);
      let cursor: string | null = null;
      let written = 0;
      while (batch !== null && written < resultsExportRowsMax) {
        const page: Result<Page<BatchResultRow>> = await fetchPage(batch.batchId, 500, cursor);
        if (!page.ok) break;
        for (const item of page.value.items) text += resultLine(item);
        written += page.value.items.length;
        cursor = page.value.nextCursor;
        if (cursor === null) break;
      }
      return text;
    },
  };
}

export function createBatchesStore(client: PayDeskClient) {
  return create<BatchesState>()((set, get) => ({
    ...freshImport,
    presets: [],
    history: [],
    ...importActions(client, set, get),
    ...runActions(client, set, get),
    ...resultsActions(client, set, get),
  }));
}

export type BatchesStore = ReturnType<typeof createBatchesStore>;

/** Follows batch progress events while the page is open; returns the way to stop. */
export function connectBatches(store: BatchesStore, client: PayDeskClient): () => void {
  void store.getState().loadHistory();
  void store.getState().loadPresets();
  const stopProgress = client.on('batch-progress', (event) => store.getState().noteProgress(event));
  // A batch validated in another window, or run by another desk of a shared ledger, sends no progress here:
  // the list and the open batch follow the ledger's changes too.
  const followLedger = () => {
    void store.getState().loadHistory();
    void store.getState().reloadBatch();
  };
  const stopChanges = client.on('ledger-changed', (event) => {
    if (event.reason === 'batch' || event.reason === 'remote') historyThrottle.request(followLedger);
  });
  return () => {
    stopProgress();
    stopChanges();
  };
}
