/** The public SDK for protocol authors. */
export * from '../schemas';
export * from './fixtures';
export * from './protocol';
export {
  type CreateTaskInput,
  createTaskPayload,
  ensurePatientInGroup,
  ensurePatientNotInGroup,
} from './update-helpers';
export { UpdateValidationError, type ValidationProblem } from './validation-error';
export { type PythonJsonOptions, toPythonJson } from './wire-json';
