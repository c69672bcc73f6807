import { z } from 'zod';
import { loadGeneratorLimits, metricsRanges, metricsTraffic } from './metrics';

/** Requests of the metrics and demo channels; core validates with them. */

const timeMs = z.number().int().nonnegative().max(8.64e15);

export const metricsDashboardSchema = z
  .object({
    range: z.enum(metricsRanges),
    traffic: z.enum(metricsTraffic).optional(),
    /** Only for the custom range. */
    fromMs: timeMs.optional(),
    toMs: timeMs.optional(),
    /** The operator's local midnight, so "today" is the operator's today. */
    todayStartMs: timeMs.optional(),
  })
  .strict()
  .refine((request) => request.range !== 'custom' || (request.fromMs !== undefined && request.toMs !== undefined && request.fromMs < request.toMs), {
    message: 'A custom range needs a start before its end.',
    path: ['fromMs'],
  });

export const metricsBatchSchema = z
  .object({ batchId: z.string().trim().min(1, 'The batch id is required.').max(100) })
  .strict();

export const loadGeneratorStartSchema = z
  .object({
    ratePerSecond: z
      .number({ error: 'The rate is required.' })
      .int('The rate is a whole number of payments per second.')
      .min(1, 'The rate is at least 1 payment per second.')
      .max(loadGeneratorLimits.ratePerSecondMax, `The rate is at most ${loadGeneratorLimits.ratePerSecondMax} payments per second.`),
    durationSeconds: z
      .number({ error: 'The duration is required.' })
      .int('The duration is a whole number of seconds.')
      .min(1, 'The duration is at least 1 second.')
      .max(loadGeneratorLimits.durationSecondsMax, `The duration is at most ${loadGeneratorLimits.durationSecondsMax} seconds.`),
    failingShare: z
      .number({ error: 'The failing share is required.' })
      .min(0, 'The failing share is between 0 and 1.')
      .max(1, 'The failing share is between 0 and 1.'),
  })
  .strict();
