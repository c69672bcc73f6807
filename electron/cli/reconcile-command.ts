import { promises as fs } from 'node:fs';
import path from 'node:path';
import { formatMinor, parseNonNegativeAmount } from '../../shared/money';
import {
  dateOrders, reconciliationLimits, statementFields, statementFormats, type DateOrder, type ReconciliationReport, type StatementField,
  type StatementFormat, type StatementMapping,
} from '../../shared/reconciliation';
import { reconciliationService } from '../core/reconciliation/reconciliation-handlers';
import { describeFailure, exitCodes, optionalString, requireString, UsageError, type Command } from './command';

/**
 * paydesk reconcile: one statement against one account and period. Exit 0
 * when everything matched and the closing balances agree, 1 when the run was
 * kept but differences remain, 2 for a bad file or bad arguments (nothing kept).
 */
export const reconcileCommand: Command = {
  options: {
    db: { type: 'string' }, json: { type: 'boolean' }, account: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
    format: { type: 'string' }, 'date-order': { type: 'string' }, tolerance: { type: 'string' }, window: { type: 'string' },
    map: { type: 'string', multiple: true }, report: { type: 'string' }, time: { type: 'boolean' },
  },
  positionals: true,
  async run({ engine, values, positionals, out }) {
    if (positionals.length !== 1) throw new UsageError('reconcile takes exactly one statement file: paydesk reconcile --db FILE --account CODE STATEMENT');
    const accountCode = requireString(values, 'account');
    const account = engine.store.state.accounts.get(accountCode);
    if (account === undefined) throw new UsageError(`AC01: The account ${accountCode} does not exist in this ledger.`);
    const service = reconciliationService(engine);
    const startedNs = process.hrtime.bigint();
    const upload = service.addStatementText(positionals[0], await readStatement(positionals[0]));
    const result = await service.run({
      uploadId: upload.uploadId, account: accountCode, fromDate: optionalString(values, 'from'), toDate: optionalString(values, 'to'),
      format: choice(values.format, statementFormats, 'format') as StatementFormat | undefined,
      dateOrder: choice(values['date-order'], dateOrders, 'date-order') as DateOrder | undefined,
      mapping: parseMapping(values.map), toleranceMinor: tolerance(values.tolerance, account.currency), dateWindowDays: windowDays(values.window),
    });
    if (!result.ok) throw new UsageError(describeFailure(result));
    const elapsedMs = Number(process.hrtime.bigint() - startedNs) / 1e6;
    const runId = result.value.summary.runId;
    const full = service.report(runId, Number.MAX_SAFE_INTEGER);
    if (!full.ok) throw new UsageError(describeFailure(full));
    if (typeof values.report === 'string') await writeReport(service.exportReport(runId), values.report);
    if (values.json === true) out(JSON.stringify(jsonReport(full.value)));
    else printText(out, full.value);
    if (values.time === true) process.stderr.write(`paydesk: reconciled in ${Math.round(elapsedMs)} ms\n`);
    const summary = full.value.summary;
    const clean = summary.unmatchedStatement === 0 && summary.unmatchedLedger === 0 && summary.closingDifferenceMinor === 0 && summary.amountMismatches === 0;
    return clean ? exitCodes.ok : exitCodes.refused;
  },
};

async function readStatement(filePath: string): Promise<string> {
  try {
    const stat = await fs.stat(filePath);
    if (!stat.isFile()) throw new UsageError(`${filePath} is not a file`);
    if (stat.size > reconciliationLimits.statementChars * 4) throw new UsageError(`${filePath} is larger than a statement may be`);
    return await fs.readFile(filePath, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${filePath} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function choice(value: unknown, allowed: readonly string[], option: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value)) throw new UsageError(`--${option} is one of ${allowed.join(', ')}`);
  return value;
}

function tolerance(value: unknown, currency: string): number | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = parseNonNegativeAmount(value, currency);
  if (!parsed.ok) throw new UsageError(`--tolerance: ${parsed.message}`);
  return parsed.value;
}

function windowDays(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const days = Number(value);
  if (!Number.isInteger(days) || days < 0 || days > reconciliationLimits.dateWindowDaysMax) {
    throw new UsageError(`--window is a number of days from 0 to ${reconciliationLimits.dateWindowDaysMax}`);
  }
  return days;
}

function parseMapping(values: unknown): StatementMapping | undefined {
  if (!Array.isArray(values) || values.length === 0) return undefined;
  const mapping: StatementMapping = {};
  for (const item of values as string[]) {
    const [field, ...header] = item.split('=');
    const known = statementFields.find((candidate) => candidate.toLowerCase() === field.trim().toLowerCase());
    if (known === undefined || header.length === 0) throw new UsageError(`--map takes field=Header with a field among ${statementFields.join(', ')}`);
    mapping[known as StatementField] = header.join('=');
  }
  return mapping;
}

async function writeReport(exported: ReturnType<ReturnType<typeof reconciliationService>['exportReport']>, target: string): Promise<void> {
  if (!exported.ok) throw new UsageError(describeFailure(exported));
  await fs.mkdir(path.dirname(path.resolve(target)), { recursive: true });
  await fs.writeFile(target, exported.value.csv, 'utf8');
}

export function jsonReport(report: ReconciliationReport) {
  const summary = report.summary;
  return {
    runId: summary.runId, statementLines: summary.statementLines, ledgerEntries: summary.ledgerEntries, matched: summary.matched,
    unmatchedStatement: summary.unmatchedStatement, unmatchedLedger: summary.unmatchedLedger, amountMismatches: summary.amountMismatches,
    closingDifferenceMinor: summary.closingDifferenceMinor,
    matches: report.matches.map((match) => ({
      statementLine: match.statementLine.line, paymentIds: match.payments.map((payment) => payment.paymentId), rule: match.rule,
    })),
  };
}

function printText(out: (text: string) => void, report: ReconciliationReport): void {
  const summary = report.summary;
  const money = (amountMinor: number) => `${formatMinor(amountMinor, summary.currency)} ${summary.currency}`;
  out(`Run ${summary.runId}: ${summary.account} from ${summary.fromDate} to ${summary.toDate} (${summary.fileName}, ${summary.format})`);
  out(`  statement lines ${summary.statementLines}, ledger entries ${summary.ledgerEntries}`);
  out(`  matched ${summary.matched}, unmatched statement ${summary.unmatchedStatement}, unmatched ledger ${summary.unmatchedLedger}, ` +
    `amount mismatches ${summary.amountMismatches}`);
  out(`  closing balance: statement ${money(summary.statementClosingMinor)} (${summary.closingBalanceSource}), ledger ${money(summary.ledgerClosingMinor)}, ` +
    `difference ${money(summary.closingDifferenceMinor)}`);
  for (const line of report.unmatchedStatement.slice(0, 20)) {
    out(`  unmatched line ${line.line}: ${line.bookingDate} ${money(line.amountMinor)} ${line.reference}${line.note === null ? '' : ` (${line.note})`}`);
  }
}
