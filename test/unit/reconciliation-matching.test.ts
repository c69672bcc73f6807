import { describe, expect, it } from 'vitest';
import { matchStatement, type MatchableEntry, type MatchableLine } from '../../electron/core/reconciliation/matcher';
import { referenceSimilarity } from '../../electron/core/reconciliation/similarity';
import { reconciliationReportCsv, type ReconciliationReport } from '../../shared/reconciliation';

const options = { toleranceMinor: 100, dateWindowDays: 3 };
const line = (day: number, amountMinor: number, reference: string, endToEndId: string | null = null): MatchableLine => ({
  day, amountMinor, reference, description: '', endToEndId,
});
const entry = (paymentId: string, day: number, amountMinor: number, reference: string, batchId: string | null = null): MatchableEntry => ({
  paymentId, day, amountMinor, reference, batchId,
});
const summary = (outcome: ReturnType<typeof matchStatement>, entries: MatchableEntry[]) =>
  outcome.matches.map((match) => [match.lineIndex, match.entryIndexes.map((index) => entries[index].paymentId).join('+'), match.rule]);

describe('matching passes', () => {
  it('pass 1 matches on the end-to-end id, or a reference that is a payment id, and records a differing amount', () => {
    const entries = [entry('P-1', 1, 1000, 'x'), entry('P-2', 1, -500, 'y')];
    const outcome = matchStatement([line(1, 1000, 'anything', 'P-1'), line(2, -450, 'P-2')], entries, options);
    expect(summary(outcome, entries)).toEqual([[0, 'P-1', 'end-to-end-id'], [1, 'P-2', 'end-to-end-id']]);
    expect(outcome.matches.map((match) => [match.confidence, match.amountDifferenceMinor])).toEqual([[1, 0], [0.9, 50]]);
  });

  it('pass 1 sends two statement lines with the same id to the operator, and later passes leave them alone', () => {
    const entries = [entry('P-1', 1, 1000, 'INV-1')];
    const outcome = matchStatement([line(1, 1000, 'INV-1', 'P-1'), line(1, 1000, 'INV-1', 'P-1')], entries, options);
    expect(outcome.matches).toEqual([]);
    expect(outcome.notes.get(0)).toEqual({ note: '2 statement lines carry the id P-1: a duplicate on the statement?', candidates: ['P-1'] });
    expect(outcome.notes.get(1)?.candidates).toEqual(['P-1']);
  });

  it('pass 2 matches on reference and amount, telling two equal payments apart by their references', () => {
    const entries = [entry('A', 5, 30_000, 'INV-3001'), entry('B', 5, 30_000, 'INV-3002')];
    const outcome = matchStatement([line(5, 30_000, 'inv 3002'), line(5, 30_000, 'INV/3001')], entries, options);
    expect(summary(outcome, entries)).toEqual([[0, 'B', 'reference-amount'], [1, 'A', 'reference-amount']]);
  });

  it('pass 2 pairs repeated references by date, and refuses to pair when the days do not tell them apart', () => {
    const entries = [entry('M1', 10, 5000, 'RENT'), entry('M2', 40, 5000, 'RENT')];
    const paired = matchStatement([line(41, 5000, 'RENT'), line(11, 5000, 'RENT')], entries, options);
    expect(summary(paired, entries)).toEqual([[1, 'M1', 'reference-amount'], [0, 'M2', 'reference-amount']]);
    const sameDay = [entry('S1', 10, 5000, 'RENT'), entry('S2', 10, 5000, 'RENT')];
    const refused = matchStatement([line(10, 5000, 'RENT'), line(10, 5000, 'RENT')], sameDay, options);
    expect(refused.matches).toEqual([]);
    expect(refused.notes.get(0)?.candidates).toEqual(['S1', 'S2']);
  });

  it('pass 3 matches within the tolerance and the date window, using the reference to pick between consecutive days', () => {
    const entries = [entry('D1', 7, 5000, 'INV-2001'), entry('D2', 8, 5000, 'INV-2002'), entry('F', 20, 7500, 'Order 5521')];
    const outcome = matchStatement([line(8, 5000, 'Payment inv 2002'), line(7, 5000, 'Payment inv 2001'), line(21, 7450, 'ORDER 5521')], entries, options);
    const sorted = summary(outcome, entries).sort((left, right) => Number(left[0]) - Number(right[0]));
    expect(sorted).toEqual([[0, 'D2', 'amount-date'], [1, 'D1', 'amount-date'], [2, 'F', 'amount-date']]);
    expect(outcome.matches.find((match) => match.lineIndex === 2)?.amountDifferenceMinor).toBe(-50);
  });

  it('pass 3 sends equally good candidates to the operator instead of guessing', () => {
    const entries = [entry('E1', 12, 40_000, 'INV-4001'), entry('E2', 12, 40_000, 'INV-4002')];
    const outcome = matchStatement([line(12, 40_000, 'Transfer')], entries, options);
    expect(outcome.matches).toEqual([]);
    expect(outcome.notes.get(0)).toEqual({ note: '2 ledger payments fit this line about equally well; choose one.', candidates: ['E1', 'E2'] });
  });

  it('pass 3 ignores amounts outside the tolerance, dates outside the window and the other direction', () => {
    const entries = [entry('FAR', 1, 1000, 'X1'), entry('BIG', 10, 1200, 'X2'), entry('OUT', 10, -1000, 'X3')];
    expect(matchStatement([line(10, 1000, 'Y')], entries, options).matches).toEqual([]);
  });

  it('pass 4 matches a settlement line to the sum of one batch, and a day sum when there is no batch', () => {
    const entries = [
      entry('C1', 13, 1000, 'CARD-1', 'b-1'), entry('C2', 13, 2000, 'CARD-2', 'b-1'), entry('C3', 13, 3000, 'CARD-3', 'b-1'),
      entry('R1', 20, 700, 'r'), entry('R2', 20, 800, 'r'),
    ];
    const outcome = matchStatement([line(14, 6000, 'CARD SETTLEMENT'), line(20, 1500, 'DAILY')], entries, options);
    expect(summary(outcome, entries)).toEqual([[0, 'C1+C2+C3', 'many-to-one'], [1, 'R1+R2', 'many-to-one']]);
  });

  it('pass 4 leaves a sum that two groups could explain to the operator', () => {
    const entries = [entry('A1', 3, 100, 'a', 'b-a'), entry('A2', 3, 200, 'a', 'b-a'), entry('B1', 3, 150, 'b', 'b-b'), entry('B2', 3, 150, 'b', 'b-b')];
    const outcome = matchStatement([line(3, 300, 'SETTLEMENT')], entries, options);
    expect(outcome.matches).toEqual([]);
    expect(outcome.notes.get(0)?.note).toMatch(/sum of several groups/);
  });
});

describe('reference similarity and the report', () => {
  it('scores shared invoice numbers high and differing ones low', () => {
    expect(referenceSimilarity('Payment inv 2002', 'INV-2002')).toBeGreaterThanOrEqual(0.8);
    expect(referenceSimilarity('Payment inv 2001', 'INV-2002')).toBeLessThan(0.5);
    expect(referenceSimilarity('', 'INV-1')).toBe(0);
  });

  it('writes a report whose cells cannot run as formulas, with unsigned amounts and a direction', () => {
    const statementLine = { line: 2, bookingDate: '2024-03-29', amountMinor: -1500, reference: ' =1+1', description: '-cmd|x', endToEndId: null };
    const report = {
      summary: {
        runId: 'r-1', account: 'CASH', currency: 'EUR', fromDate: '2024-03-01', toDate: '2024-03-31', fileName: 'f', format: 'csv', status: 'open',
        createdAtMs: 0, finishedAtMs: null, statementLines: 1, ledgerEntries: 0, matched: 0, unmatchedStatement: 1, unmatchedLedger: 0,
        formatVersion: 'CSV', statementId: null, statementAccount: null, statementOpeningMinor: 1000, ledgerOpeningMinor: 2500,
        openingDifferenceMinor: -1500, amountMismatches: 0, statementClosingMinor: -1500, closingBalanceSource: 'derived', ledgerClosingMinor: 0,
        closingDifferenceMinor: -1500,
      },
      matches: [],
      unmatchedStatement: [{ ...statementLine, note: '@SUM(A1)', candidates: [] }],
      unmatchedLedger: [],
      truncated: false,
    } satisfies ReconciliationReport;
    const csv = reconciliationReportCsv(report);
    const row = csv.split('\r\n')[1];
    expect(row).toBe("unmatched statement,2,2024-03-29,15.00,debit,EUR,' =1+1,'-cmd|x,,,,,,'@SUM(A1)");
    expect(csv).toContain('opening difference,,2024-03-01,10.00,credit,EUR,statement,,,25.00,,,debit 15.00,');
    for (const cell of csv.split(/\r\n|,/)) expect(cell).not.toMatch(/^\s*[=+\-@]/);
  });
});
