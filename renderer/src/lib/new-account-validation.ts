import type { RequestOf } from '../../../shared/contract';
import type { AccountKind } from '../../../shared/domain';
import { parseNonNegativeAmountInput } from '../../../shared/money';
import { accountCodeSchema, accountCreateSchema, currencySchema } from '../../../shared/schemas';

export interface NewAccountDraft {
  code: string;
  name: string;
  currency: string;
  kind: AccountKind;
  openingBalance: string;
  overdraftLimit: string;
}

export type NewAccountField = keyof NewAccountDraft;
export type FieldErrors<Field extends string> = Partial<Record<Field, string>>;

export const emptyNewAccountDraft: NewAccountDraft = {
  code: '',
  name: '',
  currency: 'EUR',
  kind: 'customer',
  openingBalance: '',
  overdraftLimit: '',
};

export interface DraftCheck<Request, Field extends string> {
  errors: FieldErrors<Field>;
  /** The request to send, present only when the draft has no errors. */
  request: Request | null;
}

/**
 * Checks the form the way core will, so the operator sees a problem while
 * typing rather than after a round trip. Core checks again: this is a
 * courtesy, not a guard.
 */
export function checkNewAccountDraft(draft: NewAccountDraft): DraftCheck<RequestOf<'account-create'>, NewAccountField> {
  const errors: FieldErrors<NewAccountField> = {};
  const code = accountCodeSchema.safeParse(draft.code);
  if (!code.success) errors.code = code.error.issues[0].message;
  const name = accountCreateSchema.shape.name.safeParse(draft.name);
  if (!name.success) errors.name = name.error.issues[0].message;
  const currency = currencySchema.safeParse(draft.currency);
  if (!currency.success) errors.currency = currency.error.issues[0].message;
  errors.openingBalance = optionalAmountError(draft.openingBalance, draft.currency);
  errors.overdraftLimit = optionalAmountError(draft.overdraftLimit, draft.currency);
  const cleanErrors = withoutEmpty(errors);
  if (Object.keys(cleanErrors).length > 0) return { errors: cleanErrors, request: null };
  return {
    errors: cleanErrors,
    request: {
      code: draft.code.trim(),
      name: draft.name.trim(),
      currency: draft.currency,
      kind: draft.kind,
      ...(draft.openingBalance.trim() === '' ? {} : { openingBalance: draft.openingBalance.trim() }),
      ...(draft.overdraftLimit.trim() === '' ? {} : { overdraftLimit: draft.overdraftLimit.trim() }),
    },
  };
}

function optionalAmountError(text: string, currency: string): string | undefined {
  if (text.trim() === '') return undefined;
  const parsed = parseNonNegativeAmountInput(text, currency);
  return parsed.ok ? undefined : parsed.message;
}

export function withoutEmpty<Field extends string>(errors: FieldErrors<Field>): FieldErrors<Field> {
  const entries = Object.entries(errors).filter(([, message]) => message !== undefined);
  return Object.fromEntries(entries) as FieldErrors<Field>;
}
