/** The public SDK for protocol authors. */
export * from '../schemas';
export * from './fixtures';
// The update union and the message types, derived from the registry.
export {
  UPDATE_SCHEMA_BY_TYPE,
  UPDATE_TYPES,
  UpdateSchema,
  UpdateTypeSchema,
} from './message-types';
export * from './protocol';
// The kit's helpers and ours, one per message type, with their input types.
export * from './update-helpers';
export { UpdateValidationError, type ValidationProblem } from './validation-error';
export { type PythonJsonOptions, toPythonJson } from './wire-json';
