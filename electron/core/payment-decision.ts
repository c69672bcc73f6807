import type { ReasonCode } from '../../shared/codes';
import { formatMinorGrouped } from '../../shared/money';
import type { AccountState } from './ledger-state';

export interface Rejection {
  code: ReasonCode;
  message: string;
}

/** Accounts whose balance may fall without a floor: equity carries the other side of opening balances. */
function hasBalanceFloor(account: AccountState): boolean {
  return account.kind !== 'equity';
}

/**
 * Steps two and three of the pipeline: validate the parties, then check the
 * balance. Returns the rejection, or null when the payment may execute.
 * Reads the account cache only; it writes nothing.
 */
export function decidePayment(
  debtorCode: string,
  creditorCode: string,
  debtor: AccountState | undefined,
  creditor: AccountState | undefined,
  amountMinor: number,
  currency: string,
): Rejection | null {
  if (debtor === undefined) return { code: 'AC01', message: `The debtor account ${debtorCode} does not exist in this ledger.` };
  if (creditor === undefined) return { code: 'AC01', message: `The creditor account ${creditorCode} does not exist in this ledger.` };
  if (debtor.code === creditor.code) return { code: 'SAME_ACCOUNT', message: `The debtor and creditor are both ${debtor.code}; they must differ.` };
  const partyProblem = checkStatus(debtor, 'debtor') ?? checkStatus(creditor, 'creditor');
  if (partyProblem !== null) return partyProblem;
  if (debtor.currency !== currency || creditor.currency !== currency) {
    const wrong = debtor.currency !== currency ? debtor : creditor;
    return { code: 'AM03', message: `Account ${wrong.code} holds ${wrong.currency}; it cannot take a payment in ${currency}.` };
  }
  if (hasBalanceFloor(debtor) && debtor.balanceMinor - amountMinor < -debtor.overdraftLimitMinor) {
    return { code: 'AM04', message: `Insufficient funds: account ${debtor.code} cannot cover this amount.` };
  }
  return balanceLimitRejection(debtor, -amountMinor) ?? balanceLimitRejection(creditor, amountMinor);
}

/**
 * A balance the change would take past 2^53 - 1 minor units, either way, as a
 * rejection; null when it stays within. Amounts are JavaScript numbers (safe
 * integers), so past that limit the ledger could no longer hold a balance
 * exactly. ISO 20022's AM02 (NotAllowedAmount: the amount is greater than the
 * allowed maximum) fits: the maximum is the ledger's, not the scheme's. A
 * payment, an opening balance and a batch row are all refused with it.
 */
export function balanceLimitRejection(account: Pick<AccountState, 'code' | 'currency' | 'balanceMinor'>, changeMinor: number): Rejection | null {
  if (Number.isSafeInteger(account.balanceMinor + changeMinor)) return null;
  const limit = `${formatMinorGrouped(Number.MAX_SAFE_INTEGER, account.currency)} ${account.currency}`;
  const direction = changeMinor > 0 ? 'above' : 'below minus';
  return {
    code: 'AM02',
    message: `The balance of account ${account.code} would go ${direction} ${limit}, the most PayDesk can hold exactly; the amount is refused.`,
  };
}

function checkStatus(account: AccountState, role: 'debtor' | 'creditor'): Rejection | null {
  if (account.status === 'closed') return { code: 'AC04', message: `The ${role} account ${account.code} is closed.` };
  if (account.status === 'blocked') return { code: 'AC06', message: `The ${role} account ${account.code} is blocked.` };
  return null;
}
