import { z } from 'zod';
import { refuseBidiControls } from './bidi';
import { accountKinds, accountStatuses, limits, paymentListStatuses, paymentStatuses } from './domain';

/** Schemas for every request that crosses the process boundary. Core validates with them. */

const identifier = (label: string, maxLength: number) =>
  z
    .string({ error: `${label} is required.` })
    .trim()
    .superRefine(refuseBidiControls(label))
    .min(1, `${label} is required.`)
    .max(maxLength, `${label} is at most ${maxLength} characters.`)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:\-]*$/, `${label} may hold letters, digits and . _ : - only.`);

export const accountCodeSchema = identifier('The account code', limits.accountCodeLength);
export const paymentIdSchema = identifier('The payment id', limits.paymentIdLength);
export const currencySchema = z
  .string({ error: 'The currency is required.' })
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, 'The currency is a three-letter ISO 4217 code such as EUR.');
export const amountTextSchema = z
  .string({ error: 'The amount is required.' })
  .max(limits.amountTextLength, `The amount is at most ${limits.amountTextLength} characters.`);
export const referenceSchema = z
  .string()
  .superRefine(refuseBidiControls('The reference'))
  .max(limits.referenceLength, `The reference is at most ${limits.referenceLength} characters.`)
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'The reference may not hold control characters.');

export const emptyRequestSchema = z.object({}).strict();

export const paymentRequestSchema = z
  .object({
    paymentId: paymentIdSchema,
    debtor: accountCodeSchema,
    creditor: accountCodeSchema,
    amount: amountTextSchema,
    currency: currencySchema,
    reference: referenceSchema.optional(),
    /** The operator saw the possible-duplicate warning and pays anyway. */
    confirmDuplicate: z.boolean().optional(),
  })
  .strict();

export const accountCreateSchema = z
  .object({
    code: accountCodeSchema,
    name: z
      .string()
      .trim()
      .superRefine(refuseBidiControls('The account name'))
      .min(1, 'The account name is required.')
      .max(limits.accountNameLength),
    currency: currencySchema,
    kind: z.enum(accountKinds).optional(),
    openingBalance: amountTextSchema.optional(),
    overdraftLimit: amountTextSchema.optional(),
  })
  .strict();

export const accountIdentifierAddSchema = z
  .object({
    account: accountCodeSchema,
    kind: z.enum(['iban', 'other']),
    value: z.string().trim().min(1, 'The IBAN or account id is required.').max(limits.accountIdentifierLength),
  })
  .strict();

/** The identifier to take off an account: kind and value as when it was added (an IBAN in any spacing or case). */
export const accountIdentifierRemoveSchema = accountIdentifierAddSchema;

export const accountIdentifierListSchema = z.object({ account: accountCodeSchema.optional() }).strict();

export const accountSetStatusSchema = z
  .object({ code: accountCodeSchema, status: z.enum(accountStatuses) })
  .strict();

export const accountListSchema = z
  .object({ search: z.string().max(limits.searchTextLength).optional() })
  .strict();

const pageSize = z.number().int().min(1).max(limits.pageSizeMax);
const cursor = z.string().max(200).nullable().optional();

export const accountStatementSchema = z
  .object({ code: accountCodeSchema, limit: pageSize.optional(), cursor })
  .strict();

export const paymentListSchema = z
  .object({
    status: z.enum(paymentListStatuses).optional(),
    account: accountCodeSchema.optional(),
    fromMs: z.number().int().nonnegative().optional(),
    toMs: z.number().int().nonnegative().optional(),
    limit: pageSize.optional(),
    cursor,
  })
  .strict();

export const paymentGetSchema = z.object({ paymentId: paymentIdSchema }).strict();
