import { matchRuleLabels } from '../../../../shared/reconciliation';
import { formatSignedMinor } from '../../lib/format';
import { confidenceText, describeMatch } from './match-description';
import { useReconciliationStore } from './use-reconciliation-store';
import { formatCount } from '../../../../shared/metrics-format';

/**
 * The three panes of a run: what matched (with the rule and its confidence),
 * statement lines with no ledger entry, and ledger entries with no statement
 * line. Choosing one statement line and one or more ledger entries offers a
 * match by hand; the sum and the difference show before it is made.
 */

function useMoney() {
  const currency = useReconciliationStore((state) => state.report!.summary.currency);
  return (amountMinor: number) => formatSignedMinor(amountMinor, currency);
}

export function MatchedPane() {
  const matches = useReconciliationStore((state) => state.report!.matches);
  const finished = useReconciliationStore((state) => state.report!.summary.status === 'finished');
  const unmatch = useReconciliationStore((state) => state.unmatch);
  const busy = useReconciliationStore((state) => state.busy);
  const money = useMoney();
  const currency = useReconciliationStore((state) => state.report!.summary.currency);
  return (
    <section className="panel pane pane-matched" aria-labelledby="matched-title">
      <h2 id="matched-title">Matched ({formatCount(matches.length)})</h2>
      <div className="table-frame">
        <table className="data-table" aria-labelledby="matched-title" data-testid="matched-pane">
          <thead>
            <tr>
              <th>Line</th><th>Date</th><th>Reference</th><th className="numeric">Amount</th><th>Ledger payments</th><th>Why they match</th>
              <th className="numeric">Difference</th><th />
            </tr>
          </thead>
          <tbody>
            {matches.map((match) => (
              <tr key={match.statementLine.line} data-testid={`matched-line-${match.statementLine.line}`}>
                <td>{match.statementLine.line}</td>
                <td className="nowrap">{match.statementLine.bookingDate}</td>
                <td>{match.statementLine.reference}</td>
                <td className="numeric">{money(match.statementLine.amountMinor)}</td>
                <td className="mono">{match.payments.map((payment) => payment.paymentId).join(', ')}</td>
                <td title={matchRuleLabels[match.rule]}>
                  {describeMatch(match, currency)}
                  {confidenceText(match) === null ? null : <span className="muted"> ({confidenceText(match)})</span>}
                </td>
                <td className={`numeric${match.amountDifferenceMinor === 0 ? '' : ' difference-nonzero'}`}>
                  {match.amountDifferenceMinor === 0 ? '' : money(match.amountDifferenceMinor)}
                </td>
                <td className="actions">
                  <button type="button" disabled={finished || busy} onClick={() => void unmatch(match.statementLine.line)}
                    aria-label={`Unmatch line ${match.statementLine.line}`}>
                    Unmatch
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function StatementPane() {
  const lines = useReconciliationStore((state) => state.report!.unmatchedStatement);
  const selectedLine = useReconciliationStore((state) => state.selectedLine);
  const selectLine = useReconciliationStore((state) => state.selectLine);
  const money = useMoney();
  return (
    <section className="panel pane" aria-labelledby="unmatched-statement-title">
      <h2 id="unmatched-statement-title">Unmatched statement lines ({formatCount(lines.length)})</h2>
      <div className="table-frame">
        <table className="data-table" aria-labelledby="unmatched-statement-title" data-testid="unmatched-statement-pane">
          <thead>
            <tr><th /><th>Line</th><th>Date</th><th>Reference</th><th className="numeric">Amount</th><th>Why</th></tr>
          </thead>
          <tbody>
            {lines.map((line) => (
              <tr key={line.line} className={line.line === selectedLine ? 'selected' : undefined} data-testid={`statement-line-${line.line}`}>
                <td>
                  <input type="radio" name="statement-line" checked={line.line === selectedLine} onChange={() => selectLine(line.line)}
                    aria-label={`Choose statement line ${line.line}`} />
                </td>
                <td>{line.line}</td>
                <td className="nowrap">{line.bookingDate}</td>
                <td>{line.reference || line.description}</td>
                <td className="numeric">{money(line.amountMinor)}</td>
                <td className="muted">
                  {line.note ?? 'No ledger entry fits.'}
                  {line.candidates.length === 0 ? null : <span className="mono"> {line.candidates.join(', ')}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function LedgerPane() {
  const entries = useReconciliationStore((state) => state.report!.unmatchedLedger);
  const selectedPayments = useReconciliationStore((state) => state.selectedPayments);
  const togglePayment = useReconciliationStore((state) => state.togglePayment);
  const money = useMoney();
  return (
    <section className="panel pane" aria-labelledby="unmatched-ledger-title">
      <h2 id="unmatched-ledger-title">Unmatched ledger entries ({formatCount(entries.length)})</h2>
      <div className="table-frame">
        <table className="data-table" aria-labelledby="unmatched-ledger-title" data-testid="unmatched-ledger-pane">
          <thead>
            <tr><th /><th>Payment</th><th>Date</th><th>Reference</th><th>Counterparty</th><th className="numeric">Amount</th></tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.paymentId} className={selectedPayments.includes(entry.paymentId) ? 'selected' : undefined}
                data-testid={`ledger-entry-${entry.paymentId}`}>
                <td>
                  <input type="checkbox" checked={selectedPayments.includes(entry.paymentId)} onChange={() => togglePayment(entry.paymentId)}
                    aria-label={`Choose ledger payment ${entry.paymentId}`} />
                </td>
                <td className="mono">{entry.paymentId}</td>
                <td className="nowrap">{entry.bookingDate}</td>
                <td>{entry.reference}</td>
                <td>{entry.counterparty}</td>
                <td className="numeric">{money(entry.amountMinor)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ManualMatch />
    </section>
  );
}

function ManualMatch() {
  const report = useReconciliationStore((state) => state.report!);
  const selectedLine = useReconciliationStore((state) => state.selectedLine);
  const selectedPayments = useReconciliationStore((state) => state.selectedPayments);
  const matchSelected = useReconciliationStore((state) => state.matchSelected);
  const busy = useReconciliationStore((state) => state.busy);
  const money = useMoney();
  const line = report.unmatchedStatement.find((candidate) => candidate.line === selectedLine);
  const ledgerMinor = report.unmatchedLedger
    .filter((entry) => selectedPayments.includes(entry.paymentId))
    .reduce((sum, entry) => sum + entry.amountMinor, 0);
  const finished = report.summary.status === 'finished';
  const ready = line !== undefined && selectedPayments.length > 0 && !finished;
  return (
    <div className="manual-match" aria-label="Match by hand" role="group">
      <span data-testid="manual-match-status">
        {finished
          ? 'The run is finished: reopen it to change matches.'
          : line === undefined
            ? 'Choose a statement line and the ledger payments it stands for.'
            : `Line ${line.line} ${money(line.amountMinor)} against ${selectedPayments.length} payment(s) ${money(ledgerMinor)}; ` +
              `difference ${money(line.amountMinor - ledgerMinor)}`}
      </span>
      <button type="button" className="primary" disabled={!ready || busy} onClick={() => void matchSelected()}>
        Match selected
      </button>
    </div>
  );
}
