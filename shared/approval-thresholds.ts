import { formatMinorGrouped } from './money';

/**
 * How a change of a currency's approval threshold reads, the same in the
 * confirmation the administrator sees and in the audit trail: decimal amounts
 * with the currency. `weakens` when the change removes or raises the
 * threshold, letting more money move on one operator's word.
 */
export function describeThresholdChange(currency: string, fromMinor: number | null, toMinor: number | null): { sentence: string; weakens: boolean } {
  const money = (amountMinor: number) => `${formatMinorGrouped(amountMinor, currency)} ${currency}`;
  if (toMinor === null) {
    const was = fromMinor === null ? '' : ` of ${money(fromMinor)}`;
    const sentence = `Removing the ${currency} approval threshold${was} lets every ${currency} payment and batch post without a second operator.`;
    return { sentence, weakens: true };
  }
  if (fromMinor === null) return { sentence: `${currency} approval threshold set to ${money(toMinor)} (there was none).`, weakens: false };
  if (toMinor > fromMinor) {
    const sentence = `Raising the ${currency} approval threshold from ${money(fromMinor)} to ${money(toMinor)}`
      + ` lets payments up to ${money(toMinor)} post without a second operator.`;
    return { sentence, weakens: true };
  }
  return { sentence: `${currency} approval threshold lowered from ${money(fromMinor)} to ${money(toMinor)}.`, weakens: false };
}
