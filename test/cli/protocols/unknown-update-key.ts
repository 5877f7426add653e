import {
  ensurePatientInGroup,
  Protocol,
  type ProtocolMeta,
  ProtocolResult,
  type Update,
} from '../../../lib';

/**
 * Builds an update by hand with a key taken from the patient's data (here the last name): the
 * logged run error must count it, the author's terminal must name it.
 */
export class UnknownUpdateKey extends Protocol {
  static meta: ProtocolMeta = {
    title: 'Unknown update key',
    version: '0.0.1',
    description: 'sets an update with a key named after the patient',
    types: ['Group'],
    computeOnChangeTypes: [],
  };

  computeResults(): ProtocolResult {
    const update = ensurePatientInGroup(this.patient.patient.key, 'g1');
    this.setUpdates([
      { ...update, [String(this.patient.patient.lastName)]: true } as unknown as Update,
    ]);
    return new ProtocolResult();
  }
}
