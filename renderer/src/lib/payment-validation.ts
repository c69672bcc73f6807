import type { RequestOf } from '../../../shared/contract';
import type { Account } from '../../../shared/domain';
import { limits } from '../../../shared/domain';
import { parseAmountInput } from '../../../shared/money';
import { referenceSchema } from '../../../shared/schemas';
import { withoutEmpty, type DraftCheck, type FieldErrors } from './new-account-validation';

export interface PaymentDraft {
  debtor: string;
  creditor: string;
  amount: string;
  reference: string;
}

export type PaymentField = keyof PaymentDraft;

export const emptyPaymentDraft: PaymentDraft = { debtor: '', creditor: '', amount: '', reference: '' };

/**
 * Checks a single payment before it is sent: both accounts chosen and
 * different, the same currency on both, and an amount written with no more
 * decimals than the debtor's currency has. The currency always comes from the
 * debtor account; the operator never types it.
 */
export function checkPaymentDraft(
  draft: PaymentDraft,
  paymentId: string,
  accounts: readonly Account[],
): DraftCheck<RequestOf<'payment-submit'>, PaymentField> {
  const debtor = accounts.find((account) => account.code === draft.debtor);
  const creditor = accounts.find((account) => account.code === draft.creditor);
  const errors: FieldErrors<PaymentField> = {
    debtor: debtor === undefined ? 'Choose the account to debit.' : undefined,
    creditor: creditorError(debtor, creditor),
    amount: debtor === undefined ? amountWithoutCurrencyError(draft.amount) : amountError(draft.amount, debtor.currency),
    reference: referenceError(draft.reference),
  };
  const cleanErrors = withoutEmpty(errors);
  if (Object.keys(cleanErrors).length > 0 || debtor === undefined || creditor === undefined) {
    return { errors: cleanErrors, request: null };
  }
  const reference = draft.reference.trim();
  return {
    errors: cleanErrors,
    request: {
      paymentId,
      debtor: debtor.code,
      creditor: creditor.code,
      amount: draft.amount.trim(),
      currency: debtor.currency,
      ...(reference === '' ? {} : { reference }),
    },
  };
}

function creditorError(debtor: Account | undefined, creditor: Account | undefined): string | undefined {
  if (creditor === undefined) return 'Choose the account to credit.';
  if (debtor === undefined) return undefined;
  if (debtor.code === creditor.code) return 'The debtor and creditor must be different accounts.';
  if (debtor.currency !== creditor.currency) {
    return `The creditor holds ${creditor.currency} and the debtor ${debtor.currency}: both must use the same currency.`;
  }
  return undefined;
}

function amountError(text: string, currency: string): string | undefined {
  if (text.length > limits.amountTextLength) return `The amount is at most ${limits.amountTextLength} characters.`;
  const parsed = parseAmountInput(text, currency);
  return parsed.ok ? undefined : parsed.message;
}

function amountWithoutCurrencyError(text: string): string | undefined {
  return text.trim() === '' ? 'The amount is empty.' : undefined;
}

function referenceError(text: string): string | undefined {
  const parsed = referenceSchema.safeParse(text.trim());
  return parsed.success ? undefined : parsed.error.issues[0].message;
}
