/** The public SDK for protocol authors. */
export * from '../schemas';
export * from './fixtures';
export * from './protocol';
export {
  type CreateTaskInput,
  createTaskPayload,
  type DateTimeInput,
  ensurePatientInGroup,
  ensurePatientNotInGroup,
  type TaskCommentInput,
  type TaskRef,
  taskCommentPayload,
  type UpdateTaskInput,
  updateTaskPayload,
} from './update-helpers';
export { UpdateValidationError, type ValidationProblem } from './validation-error';
export { type PythonJsonOptions, toPythonJson } from './wire-json';
