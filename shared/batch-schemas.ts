import { z } from 'zod';
import { batchDelimiters, batchFields, batchLimits, type BatchField } from './batch';
import { refuseBidiControls } from './bidi';
import { limits, paymentStatuses } from './domain';

/** Schemas for the batch channels' requests; core validates every one before acting. */

const batchId = z.string().trim().regex(/^b-[a-z0-9-]{1,60}$/, 'The batch id is not one PayDesk made.');
const fileId = z.string().trim().regex(/^[a-f0-9]{32}$/, 'The file id is not one PayDesk made.');
const delimiter = z.enum(batchDelimiters);
const header = z.string().max(200, 'A column header is at most 200 characters.');

const mappingShape = Object.fromEntries(batchFields.map((field) => [field, header.optional()])) as Record<BatchField, z.ZodOptional<typeof header>>;
export const batchMappingSchema = z.object(mappingShape).strict();

export const batchUploadSchema = z
  .object({
    /** Null for the first chunk: the engine then makes a new file and returns its id. */
    fileId: fileId.nullable(),
    fileName: z.string().trim().superRefine(refuseBidiControls('The file name')).min(1, 'The file name is required.').max(batchLimits.fileNameLength),
    /** Bytes already received, as the previous receipt said: a repeated or out-of-order chunk is refused. */
    offset: z.number().int().nonnegative(),
    text: z.string().max(batchLimits.uploadChunkChars, `An upload chunk is at most ${batchLimits.uploadChunkChars} characters.`),
  })
  .strict();

export const batchInspectSchema = z.object({ fileId, delimiter: delimiter.optional() }).strict();

export const batchValidateSchema = z.object({ fileId, delimiter: delimiter.optional(), mapping: batchMappingSchema }).strict();

export const batchIdSchema = z.object({ batchId }).strict();

export const batchListSchema = z.object({}).strict();

export const batchResultsSchema = z
  .object({
    batchId,
    status: z.enum(paymentStatuses).optional(),
    limit: z.number().int().min(1).max(limits.pageSizeMax).optional(),
    cursor: z.string().max(40).nullable().optional(),
  })
  .strict();

export const batchPresetSaveSchema = z
  .object({
    name: z.string().trim().superRefine(refuseBidiControls('The preset name')).min(1, 'The preset name is required.').max(batchLimits.presetNameLength),
    mapping: batchMappingSchema,
    delimiter: delimiter.nullable().optional(),
  })
  .strict();

export const batchApprovalListSchema = z.object({ status: z.enum(['pending', 'approved', 'rejected']).optional() }).strict();

export const batchApprovalDecisionSchema = z
  .object({
    batchId,
    note: z
      .string()
      .trim()
      .max(200, 'The note is at most 200 characters.')
      .regex(/^[^\u0000-\u001f\u007f]*$/, 'The note may not hold control characters.')
      .optional(),
  })
  .strict();

export const batchApprovalDetailSchema = z
  .object({ batchId, afterLine: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional() })
  .strict();

/** Abandoning a batch that was validated and never run: the reason is kept with the batch and in the audit trail. */
export const batchAbandonSchema = z
  .object({
    batchId,
    reason: z
      .string()
      .trim()
      .min(3, 'Say why the batch is abandoned (at least 3 characters).')
      .max(200, 'The reason is at most 200 characters.')
      .regex(/^[^\u0000-\u001f\u007f]*$/, 'The reason may not hold control characters.'),
  })
  .strict();
