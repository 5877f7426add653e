import { z } from 'zod';
import { HandlingOptionsSchema, IntegrationSourceSchema, KeySchema } from './primitives';

/** Most entries one message may carry; the applier writes one item per entry. */
export const MAX_GROUP_ENTRIES = 100;

/**
 * One member entry. `uuid` holds the patient key (the kit's naming). Without `inactive` the patient
 * is ensured an active member; with `inactive: true` ensured not active.
 */
export const GroupMemberEntrySchema = z.strictObject({
  uuid: KeySchema,
  inactive: z.boolean({ error: 'must be a boolean' }).optional(),
});
export type GroupMemberEntry = z.infer<typeof GroupMemberEntrySchema>;

export const GroupMembershipUpdateSchema = z.strictObject({
  integration_type: z.literal('Group'),
  integration_source: IntegrationSourceSchema,
  handling_options: HandlingOptionsSchema,
  integration_payload: z.strictObject({
    externally_exposable_id: KeySchema,
    // `person` is what an older kit wrote; it means the same.
    group_type: z.enum(['patientgroup', 'person'], { error: 'must be "patientgroup" or "person"' }),
    members: z.strictObject({
      mode: z.literal('appendOrRemove', { error: 'must be "appendOrRemove"' }),
      entries: z
        .array(GroupMemberEntrySchema, { error: 'must be a list' })
        .min(1, { error: 'must hold at least one entry' })
        .max(MAX_GROUP_ENTRIES, { error: `must hold at most ${MAX_GROUP_ENTRIES} entries` }),
    }),
  }),
});
export type GroupMembershipUpdate = z.infer<typeof GroupMembershipUpdateSchema>;
