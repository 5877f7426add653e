import { createTaskPayload, Protocol, type ProtocolMeta, ProtocolResult } from '../../../lib';

/** Calls a helper with a misspelt argument, as plain JavaScript could: the helper must refuse it. */
export class MisspeltArgument extends Protocol {
  static meta: ProtocolMeta = {
    title: 'Misspelt argument',
    version: '0.0.1',
    description: 'passes dueDate instead of due',
    types: ['Task'],
    computeOnChangeTypes: [],
  };

  computeResults(): ProtocolResult {
    const input = { patientKey: this.patient.patient.key, createdByKey: 's1', dueDate: 'x' };
    this.setUpdates([createTaskPayload(input as Parameters<typeof createTaskPayload>[0])]);
    return new ProtocolResult();
  }
}
