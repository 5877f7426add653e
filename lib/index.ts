/** The public SDK for protocol authors. */
export * from '../schemas';
export * from './fixtures';
export * from './protocol';
// Every export of update-helpers is a public helper (one per message type) or its input type.
export * from './update-helpers';
export { UpdateValidationError, type ValidationProblem } from './validation-error';
export { type PythonJsonOptions, toPythonJson } from './wire-json';
