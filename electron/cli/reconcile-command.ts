import { promises as fs } from 'node:fs';
import path from 'node:path';
import { formatMinor, parseNonNegativeAmount } from '../../shared/money';
import {
  dateOrders, reconciliationLimits, statementFields, statementFormatLabels, statementFormats, type DateOrder, type ReconciliationReport,
  type StatementField, type StatementFileView, type StatementFormat, type StatementMapping, type StatementView,
} from '../../shared/reconciliation';
import { decodeStatementBytes } from '../../shared/statement-encoding';
import type { Engine } from '../core/engine';
import { reconciliationService } from '../core/reconciliation/reconciliation-handlers';
import { describeFailure, exitCodes, optionalString, requireString, UsageError, type Command } from './command';

/**
 * paydesk reconcile: a statement file against the ledger. Each statement in
 * the file is reconciled against the account it names (IBAN or other id), or
 * against --account when given (then a file with several needs --statement).
 * Exit 0 when everything matched and the balances agree, 1 when the runs were
 * kept but differences remain, 2 for a bad file or bad arguments (nothing kept).
 */
export const reconcileCommand: Command = {
  options: {
    db: { type: 'string' }, json: { type: 'boolean' }, account: { type: 'string' }, statement: { type: 'string' }, from: { type: 'string' },
    to: { type: 'string' }, format: { type: 'string' }, 'date-order': { type: 'string' }, tolerance: { type: 'string' }, window: { type: 'string' },
    map: { type: 'string', multiple: true }, report: { type: 'string' }, time: { type: 'boolean' },
  },
  positionals: true,
  async run({ engine, values, positionals, out }) {
    if (positionals.length !== 1) throw new UsageError('reconcile takes exactly one statement file: paydesk reconcile --db FILE [--account CODE] STATEMENT');
    const accountCode = optionalString(values, 'account');
    if (accountCode !== undefined && !engine.store.state.accounts.has(accountCode)) {
      throw new UsageError(`AC01: The account ${accountCode} does not exist in this ledger.`);
    }
    const service = reconciliationService(engine);
    const startedNs = process.hrtime.bigint();
    const upload = service.addStatementText(positionals[0], await readStatement(positionals[0]));
    const parsing = {
      format: choice(values.format, statementFormats, 'format') as StatementFormat | undefined,
      dateOrder: choice(values['date-order'], dateOrders, 'date-order') as DateOrder | undefined, mapping: parseMapping(values.map),
    };
    const inspected = service.inspect({ uploadId: upload.uploadId, account: accountCode, ...parsing });
    if (!inspected.ok) throw new UsageError(describeFailure(inspected));
    const targets = chooseTargets(engine, inspected.value, accountCode, values.statement);
    const reports: ReconciliationReport[] = [];
    for (const target of targets) {
      // In a turn, as a request from the page would be: a run is recorded, and on a shared ledger changes are made only there.
      const result = await engine.store.turn(() => service.run({
        uploadId: upload.uploadId, account: target.account, statement: target.index, fromDate: optionalString(values, 'from'),
        toDate: optionalString(values, 'to'), ...parsing, toleranceMinor: tolerance(values.tolerance, target.currency),
        dateWindowDays: windowDays(values.window),
      }));
      if (!result.ok) throw new UsageError(describeFailure(result));
      const full = service.report(result.value.summary.runId, Number.MAX_SAFE_INTEGER);
      if (!full.ok) throw new UsageError(describeFailure(full));
      reports.push(full.value);
    }
    const elapsedMs = Number(process.hrtime.bigint() - startedNs) / 1e6;
    if (typeof values.report === 'string') await writeReports(service, reports, values.report);
    if (values.json === true) {
      const file = inspected.value;
      out(JSON.stringify(reports.length === 1 ? jsonReport(reports[0]) : { format: file.format, formatVersion: file.version, runs: reports.map(jsonReport) }));
    } else {
      const file = inspected.value;
      out(`${positionals[0]}: ${statementFormatLabels[file.format]} (${file.version}), ${file.statements.length} statement(s)`);
      for (const report of reports) printText(out, report);
    }
    if (values.time === true) process.stderr.write(`paydesk: reconciled in ${Math.round(elapsedMs)} ms\n`);
    return reports.every(isClean) ? exitCodes.ok : exitCodes.refused;
  },
};

interface Target {
  index: number;
  account: string;
  currency: string;
}

/**
 * Which statements to run and against which account, decided before any run
 * is kept: a statement whose account no ledger account carries stops the
 * whole command, so a file is reconciled whole or not at all.
 */
function chooseTargets(engine: Engine, file: StatementFileView, accountCode: string | undefined, statementOption: unknown): Target[] {
  const count = file.statements.length;
  let chosen = file.statements;
  if (statementOption !== undefined) {
    const index = Number(statementOption);
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new UsageError(`--statement is a number from 0 to ${count - 1}: the file holds ${count}`);
    }
    chosen = [file.statements[index]];
  } else if (accountCode !== undefined && count > 1) {
    throw new UsageError(`the file holds ${count} statements (${file.statements.map(describeView).join('; ')}); choose one with --statement N, ` +
      'or leave out --account to reconcile each against the account it names');
  }
  return chosen.map((statement) => {
    const code = accountCode ?? statement.ledgerAccount;
    if (code === null) {
      throw new UsageError(`AC01: statement ${describeView(statement)} names ${statement.account === null ? 'no account' : statement.account.value}, ` +
        'which no ledger account carries; pass --account CODE, or give the account that identifier with paydesk account identify');
    }
    const account = engine.store.state.accounts.get(code)!;
    return { index: statement.index, account: code, currency: account.currency };
  });
}

function describeView(statement: StatementView): string {
  const account = statement.account === null ? 'no account' : statement.account.value;
  return `${statement.index}: ${statement.statementId ?? 'statement'}, ${account}, ${statement.fromDate} to ${statement.toDate}`;
}

function isClean(report: ReconciliationReport): boolean {
  const summary = report.summary;
  return summary.unmatchedStatement === 0 && summary.unmatchedLedger === 0 && summary.closingDifferenceMinor === 0 && summary.amountMismatches === 0 &&
    (summary.openingDifferenceMinor ?? 0) === 0;
}

async function readStatement(filePath: string): Promise<string> {
  let bytes: Buffer;
  try {
    const stat = await fs.stat(filePath);
    if (!stat.isFile()) throw new UsageError(`${filePath} is not a file`);
    if (stat.size > reconciliationLimits.statementChars * 4) throw new UsageError(`${filePath} is larger than a statement may be`);
    bytes = await fs.readFile(filePath);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${filePath} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const decoded = decodeStatementBytes(bytes);
  if (!decoded.ok) throw new UsageError(`${filePath}: ${describeFailure(decoded)}`);
  return decoded.value.text;
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

/** One report file per run: the name given for one statement, NAME-1.csv, NAME-2.csv ... for several. */
async function writeReports(service: ReturnType<typeof reconciliationService>, reports: ReconciliationReport[], target: string): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(target)), { recursive: true });
  for (const [index, report] of reports.entries()) {
    const exported = service.exportReport(report.summary.runId);
    if (!exported.ok) throw new UsageError(describeFailure(exported));
    const file = reports.length === 1 ? target : target.replace(/(\.csv)?$/i, `-${index + 1}$1`);
    await fs.writeFile(file, exported.value.csv, 'utf8');
  }
}

export function jsonReport(report: ReconciliationReport) {
  const summary = report.summary;
  return {
    runId: summary.runId, account: summary.account, statementId: summary.statementId, statementAccount: summary.statementAccount,
    format: summary.format, formatVersion: summary.formatVersion, statementLines: summary.statementLines, ledgerEntries: summary.ledgerEntries,
    matched: summary.matched,
    unmatchedStatement: summary.unmatchedStatement, unmatchedLedger: summary.unmatchedLedger, amountMismatches: summary.amountMismatches,
    openingDifferenceMinor: summary.openingDifferenceMinor, closingDifferenceMinor: summary.closingDifferenceMinor,
    matches: report.matches.map((match) => ({
      statementLine: match.statementLine.line, paymentIds: match.payments.map((payment) => payment.paymentId), rule: match.rule,
    })),
  };
}

function printText(out: (text: string) => void, report: ReconciliationReport): void {
  const summary = report.summary;
  const money = (amountMinor: number) => `${formatMinor(amountMinor, summary.currency)} ${summary.currency}`;
  const of = summary.statementAccount === null ? '' : ` of ${summary.statementAccount}`;
  const named = summary.statementId === null ? '' : `, statement ${summary.statementId}${of}`;
  const period = `from ${summary.fromDate} to ${summary.toDate}`;
  out(`Run ${summary.runId}: ${summary.account} ${period} (${summary.fileName}, ${summary.formatVersion ?? summary.format}${named})`);
  out(`  statement lines ${summary.statementLines}, ledger entries ${summary.ledgerEntries}`);
  out(`  matched ${summary.matched}, unmatched statement ${summary.unmatchedStatement}, unmatched ledger ${summary.unmatchedLedger}, ` +
    `amount mismatches ${summary.amountMismatches}`);
  if (summary.statementOpeningMinor !== null && summary.openingDifferenceMinor !== null) {
    out(`  opening balance: statement ${money(summary.statementOpeningMinor)}, ledger ${money(summary.ledgerOpeningMinor)}, ` +
      `difference ${money(summary.openingDifferenceMinor)}`);
  }
  out(`  closing balance: statement ${money(summary.statementClosingMinor)} (${summary.closingBalanceSource}), ledger ${money(summary.ledgerClosingMinor)}, ` +
    `difference ${money(summary.closingDifferenceMinor)}`);
  for (const line of report.unmatchedStatement.slice(0, 20)) {
    out(`  unmatched line ${line.line}: ${line.bookingDate} ${money(line.amountMinor)} ${line.reference}${line.note === null ? '' : ` (${line.note})`}`);
  }
}
