import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { batchFields, csvLine, resultsHeader, type BatchDelimiter, type BatchField, type BatchMapping } from '../../shared/batch';
import { batchService } from '../core/batch/batch-handlers';
import { BatchFileError } from '../core/batch/csv-source';
import type { Engine } from '../core/engine';
import { LedgerStoppedError } from '../core/ledger-store';
import { describeFailure, exitCodes, LedgerStoppedExit, UsageError, type Command, type CommandContext } from './command';

/** Errors printed by `paydesk batch --json`; `errorTotal` always tells how many there were. */
export const errorsInJson = 100;

const delimiterNames: Record<string, BatchDelimiter> = { ',': ',', comma: ',', ';': ';', semicolon: ';', tab: '\t', '\\t': '\t', '\t': '\t' };

/** Field names the --map option accepts: the contract's names and the default column names. */
const fieldNames: Record<string, BatchField> = {
  ...Object.fromEntries(batchFields.map((field) => [field.toLowerCase(), field])),
  payment_id: 'paymentId', debtor_account: 'debtor', creditor_account: 'creditor', from: 'debtor', to: 'creditor', id: 'paymentId',
};

export const batchCommand: Command = {
  options: {
    db: { type: 'string' }, json: { type: 'boolean' }, delimiter: { type: 'string' }, map: { type: 'string', multiple: true },
    results: { type: 'string' }, resume: { type: 'string' },
  },
  positionals: true,
  async run(context) {
    if (context.values.resume !== undefined) return resumeBatch(context);
    const { engine, values, positionals, out } = context;
    if (positionals.length !== 1) throw new UsageError('batch takes exactly one input file: paydesk batch --db FILE INPUT.csv');
    const inputPath = positionals[0];
    const delimiter = parseDelimiter(values.delimiter);
    const service = batchService(engine);
    let fileId: string;
    try {
      fileId = await service.importFromDisk(inputPath, path.basename(inputPath));
    } catch (error) {
      if (error instanceof BatchFileError) throw new UsageError(error.message);
      throw error;
    }
    const validation = await validateImport(engine, fileId, delimiter, values.map);
    const batchId = validation.value.batch.batchId;
    // Through invoke, so the start is audited under `cli` and a hold names `cli` as the submitter.
    const started = await engine.invoke('batch-start', { batchId });
    if (!started.ok) throw new UsageError(describeFailure(started));
    if (started.value.status === 'awaiting-approval') {
      // Four-eyes holds for the command line too: it never approves what it submitted.
      const sentence = `Batch ${batchId} is above the approval threshold and waits for an approver: approve it on the Pending page; nothing was paid.`;
      if (values.json === true) out(JSON.stringify({ batchId, status: 'awaiting-approval', code: 'PENDING_APPROVAL', message: sentence }));
      else process.stderr.write(`paydesk: ${sentence}\n`);
      return exitCodes.refused;
    }
    // Written as the chunks become durable; should the first chunks have gone by already, finish() writes it from the ledger.
    const results = typeof values.results === 'string' ? service.streamResults(batchId, values.results) : null;
    const summary = await stoppedSummary(service, batchId, results);
    const errors = validation.value.errors.slice(0, errorsInJson).map(({ line, field, code, message }) => ({ line, field, code, message }));
    const report = {
      batchId, rows: summary.rows, valid: summary.valid, invalid: summary.invalid, accepted: summary.accepted, rejected: summary.rejected,
      psr: summary.psr, rowsPerSecond: summary.rowsPerSecond, pltP50Us: summary.pltP50Us, pltP99Us: summary.pltP99Us, errors,
      errorTotal: validation.value.errorTotal,
    };
    if (values.json === true) out(JSON.stringify(report));
    else printText(out, report, summary.skipped);
    return summary.accepted === summary.rows ? exitCodes.ok : exitCodes.refused;
  },
};

/**
 * `--resume BATCH_ID`: a paused or interrupted batch runs on from its last
 * committed chunk to the end, here. On a shared ledger that includes a batch
 * whose desk was killed or closed; one that runs on a live desk is refused.
 */
async function resumeBatch({ engine, values, positionals, out }: CommandContext): Promise<number> {
  if (positionals.length !== 0) throw new UsageError('batch --resume takes no input file: paydesk batch --db FILE --resume BATCH_ID');
  const batchId = String(values.resume);
  const resumed = await engine.invoke('batch-resume', { batchId });
  if (!resumed.ok) {
    process.stderr.write(`paydesk: ${describeFailure(resumed)}\n`);
    return exitCodes.refused;
  }
  const service = batchService(engine);
  const results = typeof values.results === 'string' ? service.streamResults(batchId, values.results) : null;
  const summary = await stoppedSummary(service, batchId, results);
  const report = {
    batchId, status: summary.status, rows: summary.rows, valid: summary.valid, invalid: summary.invalid, accepted: summary.accepted,
    rejected: summary.rejected, skipped: summary.skipped, psr: summary.psr, rowsPerSecond: summary.rowsPerSecond, pltP50Us: summary.pltP50Us,
    pltP99Us: summary.pltP99Us,
  };
  if (values.json === true) out(JSON.stringify(report));
  else printText(out, { ...report, errors: [], errorTotal: 0 }, summary.skipped);
  if (summary.status !== 'completed') process.stderr.write(`paydesk: batch ${batchId} is ${summary.status}, not completed.\n`);
  return summary.status === 'completed' && summary.accepted === summary.rows ? exitCodes.ok : exitCodes.refused;
}

/** The batch's summary once it stops; a ledger stopped by a failed write ends the command with exit 3 and the reason. */
async function stoppedSummary(service: ReturnType<typeof batchService>, batchId: string, results: { finish(): Promise<void> } | null) {
  try {
    const summary = await service.whenStopped(batchId);
    await results?.finish();
    return summary;
  } catch (error) {
    if (!(error instanceof LedgerStoppedError)) throw error;
    await results?.finish();
    const listed = results === null ? '' : ' The results file lists exactly the rows that reached the disk.';
    throw new LedgerStoppedExit(`LEDGER_STOPPED: ${error.sentence} Batch ${batchId} stopped part-way.${listed} Resume it once the ledger is reopened.`);
  }
}

/**
 * Inspects and validates the imported copy. A refused import (an unreadable
 * file, a bad mapping, no rows) removes its copy from the batch folder: only
 * a batch keeps its file there.
 */
async function validateImport(engine: Engine, fileId: string, delimiter: BatchDelimiter | undefined, map: unknown) {
  const service = batchService(engine);
  try {
    const preview = await service.inspect({ fileId, delimiter });
    if (!preview.ok) throw new UsageError(describeFailure(preview));
    for (const earlier of preview.value.sameFileBatches) {
      const what = `batch ${earlier.batchId} (${earlier.status})`;
      process.stderr.write(`paydesk: warning: the same file was imported before as ${what}; ids already paid are not paid again.\n`);
    }
    const mapping: BatchMapping = { ...preview.value.suggestedMapping, ...parseMapping(map) };
    // Not in a turn: validate takes the ledger's turn itself, only for the batch record, so other desks need not wait for the file.
    const validation = await service.validate({ fileId, delimiter, mapping });
    if (!validation.ok) throw new UsageError(describeFailure(validation));
    return validation;
  } catch (error) {
    await service.discardImport(fileId);
    throw error;
  }
}

function parseDelimiter(value: unknown): BatchDelimiter | undefined {
  if (value === undefined) return undefined;
  const delimiter = delimiterNames[String(value).toLowerCase()];
  if (delimiter === undefined) throw new UsageError(`--delimiter must be one of , ; tab (got "${String(value)}")`);
  return delimiter;
}

function parseMapping(values: unknown): BatchMapping {
  const mapping: BatchMapping = {};
  for (const entry of Array.isArray(values) ? (values as string[]) : []) {
    const equals = entry.indexOf('=');
    const field = fieldNames[entry.slice(0, Math.max(equals, 0)).trim().toLowerCase()];
    if (equals <= 0 || field === undefined) {
      throw new UsageError(`--map takes field=Header with field one of ${batchFields.join(', ')} (got "${entry}")`);
    }
    mapping[field] = entry.slice(equals + 1).trim();
  }
  return mapping;
}

interface BatchReport {
  batchId: string;
  rows: number;
  valid: number;
  invalid: number;
  accepted: number;
  rejected: number;
  psr: number | null;
  rowsPerSecond: number | null;
  pltP50Us: number | null;
  pltP99Us: number | null;
  errors: { line: number; field: string; code: string; message: string }[];
  errorTotal: number;
}

function printText(out: (text: string) => void, report: BatchReport, skipped: number) {
  out(`Batch ${report.batchId}: ${report.rows} rows, ${report.valid} valid, ${report.invalid} invalid.`);
  out(`Accepted ${report.accepted}, rejected ${report.rejected}, not paid ${skipped}; PSR ${report.psr === null ? '-' : `${(report.psr * 100).toFixed(2)}%`}.`);
  out(`PT ${report.rowsPerSecond ?? '-'} rows/s; PLT p50 ${report.pltP50Us ?? '-'} us, p99 ${report.pltP99Us ?? '-'} us.`);
  for (const error of report.errors) out(`line ${error.line} ${error.field}: ${error.code} ${error.message}`);
  if (report.errorTotal > report.errors.length) out(`… and ${report.errorTotal - report.errors.length} more errors.`);
}
