import { useEffect, useState } from 'react';
import { parseNonNegativeAmountInput } from '../../../../shared/money';
import { Field } from '../../components/Field';
import { dateOrders, statementFormatLabels, type DateOrder } from '../../../../shared/reconciliation';
import { FailureMessage } from '../../components/FailureMessage';
import { FileDropZone } from '../../components/FileDropZone';
import { formatSignedMinor, formatTimestamp } from '../../lib/format';
import { downloadText } from '../batches/upload-chunks';
import { LedgerPane, MatchedPane, StatementPane } from './ReconciliationPanes';
import { useReconciliationStore } from './use-reconciliation-store';
import './reconciliation.css';
import { formatCount } from '../../../../shared/metrics-format';

const dateOrderLabels: Record<DateOrder, string> = { auto: 'From the file', 'day-first': 'Day first (31/12)', 'month-first': 'Month first (12/31)' };

/** Reconciliation: drop a statement, pick account and period, run, review three panes, match by hand, finish, export. */
export function ReconciliationPage() {
  const failure = useReconciliationStore((state) => state.failure);
  const report = useReconciliationStore((state) => state.report);
  useEffect(() => {
    const state = useReconciliationStore.getState();
    void state.loadAccounts();
    void state.loadRuns();
  }, []);
  return (
    <>
      <div className="page-heading">
        <h1 id="page-title">Reconciliation</h1>
      </div>
      {failure === null ? null : <FailureMessage failure={failure} />}
      <RunSetup />
      {report === null ? null : (
        <>
          <DifferenceBar />
          <div className="reconciliation-panes">
            <MatchedPane />
            <StatementPane />
            <LedgerPane />
          </div>
        </>
      )}
      <PastRuns />
    </>
  );
}

function StatementDropZone() {
  const chooseStatement = useReconciliationStore((state) => state.chooseStatement);
  const statement = useReconciliationStore((state) => state.statement);
  return (
    <FileDropZone
      prompt={statement === null ? 'Drop a bank statement here (CSV, camt.052/053/054 XML or MT940), or' : `Statement: ${statement.name}`}
      buttonText={statement === null ? 'Choose a file…' : 'Choose another file…'}
      accept=".csv,.txt,.xml,.sta,.mt940,.940,text/csv,application/xml,text/xml"
      inputLabel="Statement file"
      testId="statement-drop-zone"
      className="statement-drop"
      overClassName="statement-drop-over"
      buttonClassName="statement-file-button"
      onFile={(file) => void chooseStatement(file)}
    />
  );
}

/** What the dropped file holds: format and version, and each statement with the ledger account it names and a button to run it. */
function StatementFileSummary() {
  const file = useReconciliationStore((state) => state.statementFile);
  const encoding = useReconciliationStore((state) => state.statement?.encoding ?? '');
  const busy = useReconciliationStore((state) => state.busy);
  const run = useReconciliationStore((state) => state.run);
  const runAll = useReconciliationStore((state) => state.runAll);
  if (file === null) return null;
  const several = file.statements.length > 1;
  return (
    <div className="statement-file" aria-label="Statements in the file" role="region">
      <p data-testid="statement-format">
        {statementFormatLabels[file.format]} ({file.version}), read as {encoding}: {file.statements.length} statement{several ? 's' : ''}
      </p>
      {file.format === 'csv' ? null : (
        <div className="table-frame">
          <table className="data-table" aria-label="Statements">
            <thead>
              <tr>
                <th>#</th><th>Statement</th><th>Bank account</th><th>Ledger account</th><th>Period</th><th className="numeric">Lines</th>
                {several ? <th /> : null}
              </tr>
            </thead>
            <tbody>
              {file.statements.map((statement) => (
                <tr key={statement.index} data-testid={`statement-${statement.index + 1}`}>
                  <td>{statement.index + 1}</td>
                  <td>{statement.statementId ?? ''}</td>
                  <td className="mono">{statement.account === null ? '' : `${statement.account.kind === 'iban' ? 'IBAN ' : ''}${statement.account.value}`}</td>
                  <td>
                    {statement.ledgerAccount ?? <span className="difference-nonzero">none carries it: choose below, or add it on the Accounts page</span>}
                  </td>
                  <td className="nowrap">{statement.fromDate} to {statement.toDate}</td>
                  <td className="numeric">{statement.lines}</td>
                  {several ? (
                    <td className="actions">
                      <button type="button" disabled={busy} onClick={() => void run(statement.index)} aria-label={`Reconcile statement ${statement.index + 1}`}>
                        Reconcile
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {several ? (
        <button type="button" className="primary" disabled={busy} onClick={() => void runAll()}>
          Reconcile all {file.statements.length} statements
        </button>
      ) : null}
    </div>
  );
}

function RunSetup() {
  const accounts = useReconciliationStore((state) => state.accounts);
  const account = useReconciliationStore((state) => state.account);
  const fromDate = useReconciliationStore((state) => state.fromDate);
  const toDate = useReconciliationStore((state) => state.toDate);
  const dateOrder = useReconciliationStore((state) => state.dateOrder);
  const busy = useReconciliationStore((state) => state.busy);
  const setPeriod = useReconciliationStore((state) => state.setPeriod);
  const run = useReconciliationStore((state) => state.run);
  return (
    <section className="panel" aria-labelledby="reconciliation-setup-title">
      <h2 id="reconciliation-setup-title">New run</h2>
      <StatementDropZone />
      <StatementFileSummary />
      <form
        className="reconciliation-setup"
        aria-label="Reconciliation run"
        onSubmit={(event) => {
          event.preventDefault();
          void run();
        }}
      >
        <label className="field" htmlFor="reconciliation-account">
          Account
          <select id="reconciliation-account" value={account} onChange={(event) => setPeriod({ account: event.target.value })}>
            {accounts.map((candidate) => (
              <option key={candidate.code} value={candidate.code}>
                {candidate.code} ({candidate.currency})
              </option>
            ))}
          </select>
        </label>
        <label className="field" htmlFor="reconciliation-from">
          From
          <input id="reconciliation-from" type="date" value={fromDate} onChange={(event) => setPeriod({ fromDate: event.target.value })} />
        </label>
        <label className="field" htmlFor="reconciliation-to">
          To
          <input id="reconciliation-to" type="date" value={toDate} onChange={(event) => setPeriod({ toDate: event.target.value })} />
        </label>
        <label className="field" htmlFor="reconciliation-date-order">
          Date order
          <select id="reconciliation-date-order" value={dateOrder} onChange={(event) => setPeriod({ dateOrder: event.target.value as DateOrder })}>
            {dateOrders.map((order) => (
              <option key={order} value={order}>
                {dateOrderLabels[order]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Reconciling…' : 'Run reconciliation'}
        </button>
      </form>
      <p className="muted">Leave the dates empty to take the statement's own first and last booking days.</p>
    </section>
  );
}

function DifferenceBar() {
  const summary = useReconciliationStore((state) => state.report!.summary);
  const truncated = useReconciliationStore((state) => state.report!.truncated);
  const busy = useReconciliationStore((state) => state.busy);
  const setFinished = useReconciliationStore((state) => state.setFinished);
  const exportReport = useReconciliationStore((state) => state.exportReport);
  const money = (amountMinor: number) => `${formatSignedMinor(amountMinor, summary.currency)} ${summary.currency}`;
  const finished = summary.status === 'finished';
  return (
    <section className="panel difference-bar" aria-label="Run summary">
      <div className="difference-figures">
        <span>
          <strong>{summary.account}</strong> {summary.fromDate} to {summary.toDate} · {summary.fileName}
          {summary.statementId === null ? '' : ` · statement ${summary.statementId}`}
          {summary.statementAccount === null ? '' : ` · ${summary.statementAccount}`} · {summary.formatVersion ?? summary.format} ·{' '}
          <span className={`badge ${finished ? 'badge-finished' : 'badge-open'}`} data-testid="run-status">{finished ? 'Finished' : 'Open'}</span>
        </span>
        {summary.statementOpeningMinor === null || summary.openingDifferenceMinor === null ? (
          <span>Statement states no opening balance; ledger opening {money(summary.ledgerOpeningMinor)}</span>
        ) : (
          <span className={summary.openingDifferenceMinor === 0 ? undefined : 'difference-nonzero'}>
            Opening: statement {money(summary.statementOpeningMinor)}, ledger {money(summary.ledgerOpeningMinor)}, difference{' '}
            <span data-testid="opening-difference">{money(summary.openingDifferenceMinor)}</span>
          </span>
        )}
        {summary.closingBalanceSource === 'statement' ? (
          <>
            <span>Statement closing {money(summary.statementClosingMinor)}</span>
            <span>Ledger closing {money(summary.ledgerClosingMinor)}</span>
            <span className={summary.closingDifferenceMinor === 0 ? 'success' : 'difference-nonzero'}>
              Difference <span data-testid="closing-difference">{money(summary.closingDifferenceMinor)}</span>
            </span>
          </>
        ) : (
          <span>Ledger closing {money(summary.ledgerClosingMinor)}</span>
        )}
        <span data-testid="run-counts">
          {formatCount(summary.matched)} matched · {formatCount(summary.unmatchedStatement)} unmatched statement ·{' '}
          {formatCount(summary.unmatchedLedger)} unmatched ledger · {formatCount(summary.amountMismatches)}{' '}
          {summary.amountMismatches === 1 ? 'amount mismatch' : 'amount mismatches'}
        </span>
      </div>
      <div className="button-row">
        <button type="button" disabled={busy} onClick={() => void setFinished(!finished)}>
          {finished ? 'Reopen run' : 'Mark finished'}
        </button>
        <button
          type="button"
          onClick={async () => {
            const exported = await exportReport();
            if (exported !== null) downloadText(exported.fileName, exported.csv);
          }}
        >
          Export CSV
        </button>
      </div>
      {truncated ? <p className="muted">Long panes show their first items only; the export holds every line.</p> : null}
      {summary.closingBalanceSource === 'derived' ? <EnteredBalances key={summary.runId} /> : null}
    </section>
  );
}

/**
 * A statement without balances (many CSV exports): no difference is shown
 * until the operator types the balances printed on the bank's statement. The
 * closing one gives the difference against the ledger; with the opening one
 * too, the statement's own lines are checked to add up.
 */
function EnteredBalances() {
  const report = useReconciliationStore((state) => state.report!);
  const { summary } = report;
  const [opening, setOpening] = useState('');
  const [closing, setClosing] = useState('');
  const openingMinor = parseSignedAmount(opening, summary.currency);
  const closingMinor = parseSignedAmount(closing, summary.currency);
  const money = (amountMinor: number) => `${formatSignedMinor(amountMinor, summary.currency)} ${summary.currency}`;
  const linesMinor = [...report.matches.map((match) => match.statementLine), ...report.unmatchedStatement]
    .reduce((sum, line) => sum + line.amountMinor, 0);
  const linesGap = typeof openingMinor === 'number' && typeof closingMinor === 'number' && !report.truncated
    ? closingMinor - openingMinor - linesMinor : null;
  return (
    <div className="entered-balances" role="group" aria-label="Statement balances">
      <p className="notice" data-testid="no-closing-balance">
        No closing balance in the statement: type the balances printed on the bank statement to see the difference.
      </p>
      <Field label="Statement opening balance" error={typeof openingMinor === 'string' ? openingMinor : undefined}>
        {(control) => (
          <input {...control} inputMode="decimal" placeholder="e.g. 1,250.00" value={opening} onChange={(event) => setOpening(event.target.value)} />
        )}
      </Field>
      <Field label="Statement closing balance" error={typeof closingMinor === 'string' ? closingMinor : undefined}>
        {(control) => <input {...control} inputMode="decimal" placeholder="e.g. -80.50" value={closing} onChange={(event) => setClosing(event.target.value)} />}
      </Field>
      {typeof closingMinor === 'number' ? (
        <span className={closingMinor === summary.ledgerClosingMinor ? 'success' : 'difference-nonzero'}>
          Difference <span data-testid="entered-difference">{money(closingMinor - summary.ledgerClosingMinor)}</span>
        </span>
      ) : null}
      {linesGap === null ? null : (
        <span data-testid="statement-lines-check" className={linesGap === 0 ? 'success' : 'difference-nonzero'}>
          {linesGap === 0 ? "The statement's lines add up from opening to closing."
            : `The statement's lines do not add up: ${money(linesGap)} is missing between opening and closing.`}
        </span>
      )}
    </div>
  );
}

/** A balance as typed: may be negative, grouping accepted; '' is nothing yet, a string is the error sentence. */
function parseSignedAmount(text: string, currency: string): number | string | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const negative = trimmed.startsWith('-');
  const parsed = parseNonNegativeAmountInput(negative || trimmed.startsWith('+') ? trimmed.slice(1) : trimmed, currency);
  if (!parsed.ok) return parsed.message;
  return negative ? -parsed.value : parsed.value;
}

function PastRuns() {
  const runs = useReconciliationStore((state) => state.runs);
  const openRun = useReconciliationStore((state) => state.openRun);
  const current = useReconciliationStore((state) => state.report?.summary.runId);
  return (
    <section className="panel" aria-labelledby="past-runs-title">
      <h2 id="past-runs-title">Past runs</h2>
      {runs.length === 0 ? (
        <p className="empty">No reconciliation has been run on this ledger yet.</p>
      ) : (
        <div className="table-frame">
          <table className="data-table past-runs" aria-labelledby="past-runs-title">
            <thead>
              <tr>
                <th>Run</th><th>Account</th><th>Period</th><th>Statement</th><th>Status</th><th className="numeric">Matched</th>
                <th className="numeric">Unmatched</th><th className="numeric">Difference</th><th>Created</th><th />
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr key={run.runId} className={run.runId === current ? 'selected' : undefined}>
                  <td className="mono run-id">{run.runId}</td>
                  <td>{run.account}</td>
                  <td>{run.fromDate} to {run.toDate}</td>
                  <td className="statement-name">{run.fileName}{run.statementId === null ? '' : ` (${run.statementId})`}</td>
                  <td>{run.status === 'finished' ? 'Finished' : 'Open'}</td>
                  <td className="numeric">{formatCount(run.matched)}</td>
                  <td className="numeric">{formatCount(run.unmatchedStatement + run.unmatchedLedger)}</td>
                  <td className="numeric">{formatSignedMinor(run.closingDifferenceMinor, run.currency)}</td>
                  <td className="nowrap">{formatTimestamp(run.createdAtMs)}</td>
                  <td className="actions">
                    <button type="button" onClick={() => void openRun(run.runId)} aria-label={`Open run ${run.runId}`}>Open</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
