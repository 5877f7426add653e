import { z } from 'zod';

/**
 * A protocol result's recommendations (the kit's `result.add_recommendation(...)`): what staff are
 * offered on the chart, with the kit's fields. `key`, `rank`, `button`, `title`, `narrative`, and
 * what acting on it does: a `command` (`{ type: 'labOrder', ... }`, the kit's command the button
 * opens), an `href` (a link), and a `context` for the command (e.g. the conditions it concerns).
 * A banner alert (the kit's `BannerAlertIntervention`) is a recommendation with a `narrative`,
 * `placement` and `intent` instead. Plain data: the dry run prints it, a run record carries it.
 */

export const BANNER_PLACEMENTS = [
  'chart',
  'timeline',
  'appointment_card',
  'scheduling_card',
  'profile',
] as const;
export const BANNER_INTENTS = ['info', 'warning', 'alert'] as const;

const Text = z
  .string({ error: 'must be a string' })
  .max(2000, { error: 'at most 2000 characters' });

export const RecommendationCommandSchema = z.looseObject({
  type: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
});

export const RecommendationSchema = z.strictObject(
  {
    key: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).optional(),
    rank: z.number({ error: 'must be a number' }).int({ error: 'must be whole' }).optional(),
    button: Text.optional(),
    title: Text.optional(),
    narrative: Text.optional(),
    command: RecommendationCommandSchema.nullable().optional(),
    href: Text.nullable().optional(),
    context: z
      .record(z.string(), z.unknown(), { error: 'must be an object' })
      .nullable()
      .optional(),
    placement: z
      .array(z.enum(BANNER_PLACEMENTS, { error: `must be one of ${BANNER_PLACEMENTS.join(', ')}` }))
      .optional(),
    intent: z
      .enum(BANNER_INTENTS, { error: `must be one of ${BANNER_INTENTS.join(', ')}` })
      .optional(),
  },
  {
    error: (issue) => (issue.code === 'unrecognized_keys' ? 'unknown field' : 'must be an object'),
  },
);
export type Recommendation = z.infer<typeof RecommendationSchema>;

/** A recommendation staff act on (the kit's `Recommendation(key=..., rank=..., button=...)`). */
export interface RecommendationInput {
  key: string;
  rank: number;
  button: string;
  title: string;
  narrative?: string;
  command?: { type: string; [field: string]: unknown } | null;
  href?: string | null;
  context?: Record<string, unknown> | null;
}

/** A banner alert (the kit's `BannerAlertIntervention(narrative, placement, intent, href)`). */
export interface BannerAlertInput {
  narrative: string;
  placement: readonly (typeof BANNER_PLACEMENTS)[number][];
  intent: (typeof BANNER_INTENTS)[number];
  href?: string | null;
  key?: string;
}

export function bannerAlert(input: BannerAlertInput): Recommendation {
  return {
    ...(input.key === undefined ? {} : { key: input.key }),
    narrative: input.narrative,
    placement: [...input.placement],
    intent: input.intent,
    ...(input.href === undefined ? {} : { href: input.href }),
  };
}
