import {
  ensurePatientInGroup,
  Protocol,
  type ProtocolMeta,
  ProtocolResult,
  type Update,
} from '../../../lib';

/** Sets an update the types would refuse, through a cast. */
export default class InvalidUpdate extends Protocol {
  static meta: ProtocolMeta = {
    title: 'Invalid update',
    version: '0.0.1',
    description: 'sets a malformed update',
    types: ['Group'],
    computeOnChangeTypes: [],
  };

  computeResults(): ProtocolResult {
    const update = ensurePatientInGroup(this.patient.patient.key, 'g1');
    this.setUpdates([{ ...update, integration_source: 'Other' } as unknown as Update]);
    return new ProtocolResult();
  }
}
