import { Protocol, type ProtocolMeta, type ProtocolResult } from '../../../lib';

/** Throws an error whose message quotes patient data: the dry run must not print it. */
export class Throws extends Protocol {
  static meta: ProtocolMeta = {
    title: 'Throws',
    version: '0.0.1',
    description: 'always throws',
    types: [],
    computeOnChangeTypes: [],
  };

  computeResults(): ProtocolResult {
    throw new RangeError(`bad value for ${this.patient.patient.lastName}`);
  }
}
