import { z } from 'zod';
import { addDays } from './datetime';
import {
  type BannerAlertInput,
  bannerAlert,
  type Recommendation,
  type RecommendationInput,
  RecommendationSchema,
} from './recommendation';

/** The kit's result statuses (canvas_workflow_kit/protocol.py). */
export const STATUS_DUE = 'due';
export const STATUS_SNOOZED = 'snoozed';
export const STATUS_NOT_APPLICABLE = 'not_applicable';
export const STATUS_PENDING = 'pending';
export const STATUS_SATISFIED = 'satisfied';
export const STATUS_NOT_RELEVANT = 'not_relevant';
export const STATUS_UNCHANGED = 'unchanged';

export const PROTOCOL_STATUSES = [
  STATUS_DUE,
  STATUS_SNOOZED,
  STATUS_NOT_APPLICABLE,
  STATUS_PENDING,
  STATUS_SATISFIED,
  STATUS_NOT_RELEVANT,
  STATUS_UNCHANGED,
] as const;
export type ProtocolStatus = (typeof PROTOCOL_STATUSES)[number];

/** The kit's default notice period, in days. */
export const DEFAULT_DAYS_OF_NOTICE = 30;

/** What `computeResults()` returns: the kit's `ProtocolResult`. */
export class ProtocolResult {
  status: ProtocolStatus = STATUS_NOT_APPLICABLE;
  readonly narratives: string[] = [];
  /** What staff are offered (`addRecommendation`, `addBannerAlert`), in the order added. */
  readonly recommendations: Recommendation[] = [];
  /** Days until due (negative: overdue); null when not due. */
  dueIn: number | null = null;
  daysOfNotice: number = DEFAULT_DAYS_OF_NOTICE;
  /** When to look again; derived from `dueIn` when left null (see `nextReviewOf`). */
  nextReview: Date | null = null;

  addNarrative(narrative: string): void {
    this.narratives.push(narrative);
  }

  /**
   * Adds a recommendation (the kit's `add_recommendation`): `key`, `rank`, `button`, `title`,
   * optional `narrative`, `command` (`{ type, ... }`), `href`, `context`. A banner alert may be
   * given as built by `bannerAlert(...)`, or use `addBannerAlert`.
   */
  addRecommendation(recommendation: RecommendationInput | Recommendation): void {
    this.recommendations.push({ ...recommendation });
  }

  /** Adds a banner alert (the kit's `add_recommendation(BannerAlertIntervention(...))`). */
  addBannerAlert(alert: BannerAlertInput): void {
    this.recommendations.push(bannerAlert(alert));
  }

  /** All narratives, one per line (the kit's `narrative`). */
  get narrative(): string {
    return this.narratives.join('\n');
  }
}

/** The result as plain JSON data, for a run record, a queue or the dry run. */
export interface ProtocolResultData {
  status: ProtocolStatus;
  narratives: string[];
  recommendations: Recommendation[];
  dueIn: number | null;
  daysOfNotice: number;
  /** ISO instant. */
  nextReview: string | null;
}

/**
 * The kit's `next_review()`: the result's own, else `now + dueIn` days when due in the future.
 * `now` is the injected one, not the clock.
 */
export function nextReviewOf(
  result: Pick<ProtocolResult, 'dueIn' | 'nextReview'>,
  now: Date,
): Date | null {
  if (result.nextReview !== null) return result.nextReview;
  if (result.dueIn !== null && result.dueIn > 0) return addDays(now, result.dueIn);
  return null;
}

/** Checks a result a protocol returned (plain JavaScript or a cast could return anything). */
export const ProtocolResultShapeSchema = z.object({
  status: z.enum(PROTOCOL_STATUSES, { error: `must be one of ${PROTOCOL_STATUSES.join(', ')}` }),
  narratives: z.array(z.string({ error: 'must be a string' }), { error: 'must be a list' }),
  // Optional: a result object built without the class (plain JavaScript) has none.
  recommendations: z.array(RecommendationSchema, { error: 'must be a list' }).optional(),
  dueIn: z
    .number({ error: 'must be a number or null' })
    .int({ error: 'must be whole days' })
    .nullable(),
  daysOfNotice: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be whole days' })
    .nonnegative({ error: 'must not be negative' }),
  nextReview: z
    .date({ error: 'must be a Date or null' })
    .refine((d) => !Number.isNaN(d.getTime()), { error: 'must be a valid date' })
    .nullable(),
});

const STATUS_SET: ReadonlySet<unknown> = new Set(PROTOCOL_STATUSES);

/**
 * True only for a result `ProtocolResultShapeSchema` accepts, in its common form: no
 * recommendations (their schema is zod's to check), whole days as safe integers, a valid `Date`
 * or null. False means "not decided here": parse it with the schema, for its answer and its
 * message. A cheap check the runner makes on every run (test/unit/protocol/protocol-result-shape.test.ts).
 */
export function isCommonResultShape(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const result = value as Record<string, unknown>;
  if (!STATUS_SET.has(result.status)) return false;
  const narratives = result.narratives;
  if (!Array.isArray(narratives)) return false;
  for (let i = 0; i < narratives.length; i += 1)
    if (typeof narratives[i] !== 'string') return false;
  const recommendations = result.recommendations;
  if (
    !(
      recommendations === undefined ||
      (Array.isArray(recommendations) && recommendations.length === 0)
    )
  )
    return false;
  const dueIn = result.dueIn;
  if (!(dueIn === null || Number.isSafeInteger(dueIn))) return false;
  const daysOfNotice = result.daysOfNotice;
  if (!(Number.isSafeInteger(daysOfNotice) && (daysOfNotice as number) >= 0)) return false;
  const nextReview = result.nextReview;
  return nextReview === null || (nextReview instanceof Date && !Number.isNaN(nextReview.getTime()));
}

export function toResultData(result: ProtocolResult, now: Date): ProtocolResultData {
  const next = nextReviewOf(result, now);
  return {
    status: result.status,
    narratives: [...result.narratives],
    recommendations: (result.recommendations ?? []).map((r) => structuredClone(r)),
    dueIn: result.dueIn,
    daysOfNotice: result.daysOfNotice,
    nextReview: next ? next.toISOString() : null,
  };
}
