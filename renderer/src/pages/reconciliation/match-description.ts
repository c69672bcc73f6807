import type { MatchView } from '../../../../shared/reconciliation';
import { formatMinorGrouped } from '../../../../shared/money';

/**
 * What a match rests on, in words an operator checks against the two
 * records: which rule matched and, for the tolerance rule, which fields agree
 * and by how much the others differ ("Same reference, amount differs by 0.45,
 * same day"), instead of a bare confidence.
 */
export function describeMatch(match: MatchView, currency: string): string {
  switch (match.rule) {
    case 'end-to-end-id':
      return 'Same end-to-end id';
    case 'reference-amount':
      return match.amountDifferenceMinor === 0 ? 'Same reference and amount' : `Same reference, ${amountPart(match, currency)}`;
    case 'many-to-one':
      return `${match.payments.length} payments settled in one line`;
    case 'manual':
      return 'Matched by hand';
    case 'amount-date':
      return [referencePart(match), amountPart(match, currency), datePart(match)].join(', ');
  }
}

/** The confidence, shown only where a rule weighed similar records (the tolerance rule); exact rules are sure. */
export function confidenceText(match: MatchView): string | null {
  return match.rule === 'amount-date' ? `${Math.round(match.confidence * 100)} % sure` : null;
}

function normalise(reference: string): string {
  return reference.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

function referencePart(match: MatchView): string {
  const line = normalise(match.statementLine.reference || match.statementLine.description);
  const payment = normalise(match.payments[0]?.reference ?? '');
  if (line !== '' && line === payment) return 'Same reference';
  if (line !== '' && payment !== '' && (line.includes(payment) || payment.includes(line))) return 'Similar reference';
  return 'Reference differs';
}

function amountPart(match: MatchView, currency: string): string {
  if (match.amountDifferenceMinor === 0) return 'same amount';
  return `amount differs by ${formatMinorGrouped(Math.abs(match.amountDifferenceMinor), currency)}`;
}

function datePart(match: MatchView): string {
  const payment = match.payments[0];
  if (payment === undefined) return 'no date to compare';
  const days = Math.round(Math.abs(Date.parse(match.statementLine.bookingDate) - Date.parse(payment.bookingDate)) / 86_400_000);
  return days === 0 ? 'same day' : days === 1 ? '1 day apart' : `${days} days apart`;
}
