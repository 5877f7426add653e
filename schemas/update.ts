/**
 * The update union and the per-type lists derive from the message-type registry
 * (`lib/message-types.ts`: `UpdateSchema`, `UPDATE_TYPES`, `UpdateTypeSchema`,
 * `UPDATE_SCHEMA_BY_TYPE`). Only their types are re-exported here: the registry imports the
 * appliers, which import these schemas, so a runtime import from here would be a cycle.
 */
export type { Update, UpdateOfType, UpdateType } from '../lib/message-types';
