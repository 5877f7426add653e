import { z } from 'zod';
import { KeySchema } from './primitives';

/** DynamoDB's largest `TotalSegments` for a parallel Scan. */
export const MAX_TOTAL_SEGMENTS = 1_000_000;

/**
 * Where a Scan resumes: DynamoDB's `LastEvaluatedKey` of the patients table (`{ patientKey }`),
 * kept generic so a key schema change does not change the job format.
 */
export const ScanStartKeySchema = z.record(z.string(), z.union([z.string(), z.number()]), {
  error: 'must be an object of key attribute to string or number',
});
export type ScanStartKey = z.infer<typeof ScanStartKeySchema>;

/**
 * One message on the compute jobs queue: recompute every registered protocol for the patients of
 * one parallel-Scan segment. Every job of a run carries the run's id and time, so the updates of
 * the whole run share `computed-at` and get update ids that are stable across retries.
 */
export const ComputeJobSchema = z
  .strictObject({
    runId: KeySchema,
    /** The run's instant, ISO with `Z` or an offset; the same for every segment of the run. */
    computedAt: z.iso.datetime({
      offset: true,
      error: 'must be an ISO datetime with Z or an offset',
    }),
    segment: z.number().int().nonnegative({ error: 'must be a non-negative integer' }),
    totalSegments: z
      .number()
      .int()
      .min(1, { error: 'must be at least 1' })
      .max(MAX_TOTAL_SEGMENTS, { error: `must be at most ${MAX_TOTAL_SEGMENTS}` }),
    /** Absent: the segment's start. Present: a continuation job resuming after this key. */
    startKey: ScanStartKeySchema.optional(),
    /** How many continuation jobs came before this one in the segment (0 for the first). */
    continuation: z.number().int().nonnegative().optional(),
    /**
     * `recompute --all --reassert`: every update is sent, even those equal to the last ones sent
     * (docs/scaling.md). Continuation jobs carry it on.
     */
    reassert: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .refine((job) => job.segment < job.totalSegments, {
    error: 'segment must be less than totalSegments',
    path: ['segment'],
  });
export type ComputeJob = z.infer<typeof ComputeJobSchema>;
