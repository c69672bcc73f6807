/**
 * Every outcome an operator can see has a stable code. Rejections use ISO 20022
 * external status reason codes where one fits; the rest are PayDesk's own and
 * spelled out so nobody mistakes them for ISO codes.
 */
export const reasonSentences = {
  ACSC: 'Payment settled: both balances have been updated.',
  AC01: 'The account does not exist in this ledger.',
  AC04: 'The account is closed.',
  AC06: 'The account is blocked.',
  AM01: 'The amount must be greater than zero.',
  AM02: 'The amount is above the allowed limit.',
  AM03: 'The currency is not allowed for this account.',
  AM04: 'Insufficient funds: the debtor account cannot cover this amount.',
  AM12: 'The amount is not a valid amount for this currency.',
  DUPL: 'This payment id was already used for a different payment.',
  POSSIBLE_DUPLICATE: 'A payment like this one was made minutes ago: confirm to pay it again.',
  FF01: 'The request is malformed.',
  SAME_ACCOUNT: 'The debtor and creditor must be different accounts.',
  ACCOUNT_EXISTS: 'An account with this code already exists.',
  ACCOUNT_NOT_EMPTY: 'The account still holds a balance; move it out before closing.',
  ACCOUNT_STATE: 'The account cannot change to that status.',
  IDENTIFIER_TAKEN: 'That IBAN or account id already identifies an account.',
  IDENTIFIER_UNKNOWN: 'That IBAN or account id does not identify this account.',
  NOT_FOUND: 'Nothing with that identifier exists.',
  UNKNOWN_CHANNEL: 'The engine has no such operation.',
  SIGN_IN_REQUIRED: 'Sign in first: this operation needs a signed-in operator.',
  ROLE_REQUIRED: 'Your role does not allow this operation.',
  SIGN_IN_FAILED: 'The user name or password is wrong, or the operator is disabled.',
  SETUP_DONE: 'The first administrator already exists; sign in instead.',
  OPERATOR_EXISTS: 'An operator with this user name already exists.',
  OPERATOR_STATE: 'The operator cannot change to that status.',
  PASSWORD_WRONG: 'The current password is wrong.',
  PENDING_APPROVAL: 'The payment waits for a second operator with the approver role; its funds are reserved.',
  APPROVAL_REJECTED: 'An approver rejected the payment; its reserved funds were released.',
  APPROVAL_DECIDED: 'This payment was already approved or rejected.',
  DEMO_ONLY: 'This runs only on a demo ledger, never on one that holds real money.',
  CONFIRMATION_REQUIRED: 'This change weakens a control: confirm it to go on.',
  SELF_APPROVAL: 'Nobody approves their own submission: another approver must decide.',
  BACKUP_FAILED: 'The backup could not be made or read.',
  LEDGER_STOPPED: 'A write to disk failed, so PayDesk stopped taking work; nothing acknowledged is lost. Fix the cause, then reopen the ledger.',
  READ_ONLY: 'The ledger is open read-only (its folder cannot be written): nothing can be changed.',
  SHARED_UNSUPPORTED: 'This is not available yet for a shared ledger on PostgreSQL.',
  SHARED_UNREACHABLE: 'The shared ledger cannot be reached: check the address, the password and that PostgreSQL is running.',
  NO_LEDGER: 'No PayDesk ledger is in that place yet.',
  LEDGER_OPEN_FAILED: 'The ledger could not be opened; the previous ledger is still open.',
  SHARED_RESTORE: 'A backup is restored into a new, empty shared ledger only, never over one that desks have open.',
  BATCH_ELSEWHERE: 'The batch is running on another desk of this shared ledger: it can be resumed here once that desk has paused or stopped it.',
  INTERNAL: 'The engine hit an unexpected error; check the outcome before retrying (a retry with the same payment id never pays twice).',
} as const;

export type ReasonCode = keyof typeof reasonSentences;

/**
 * The ISO 20022 status reason codes a payment outcome carries: operators quote
 * these to banks and counterparties, so the screen shows them beside the
 * sentence. PayDesk's own codes (SIGN_IN_FAILED, PENDING_APPROVAL...) stay in
 * the data and the audit trail; the screen says the sentence alone.
 */
export const paymentReasonCodes: readonly string[] = ['ACSC', 'AC01', 'AC04', 'AC06', 'AM01', 'AM02', 'AM03', 'AM04', 'AM12', 'DUPL'];

export function isPaymentReasonCode(code: string): boolean {
  return paymentReasonCodes.includes(code);
}

export function sentenceFor(code: ReasonCode): string {
  return reasonSentences[code];
}
