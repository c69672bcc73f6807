import type { ReasonCode } from '../../shared/codes';
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
  return null;
}

function checkStatus(account: AccountState, role: 'debtor' | 'creditor'): Rejection | null {
  if (account.status === 'closed') return { code: 'AC04', message: `The ${role} account ${account.code} is closed.` };
  if (account.status === 'blocked') return { code: 'AC06', message: `The ${role} account ${account.code} is blocked.` };
  return null;
}
