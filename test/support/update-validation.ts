import { UpdateValidationError } from '../../lib';

/** The error a helper refuses its arguments with; fails the test when it builds a message. */
export function validationErrorOf(build: () => unknown): UpdateValidationError {
  try {
    build();
  } catch (error) {
    if (error instanceof UpdateValidationError) return error;
    throw error;
  }
  throw new Error('expected an UpdateValidationError');
}

/** The fields the helper's refusal names. */
export function refusedFields(build: () => unknown): string[] {
  return validationErrorOf(build).fields;
}
