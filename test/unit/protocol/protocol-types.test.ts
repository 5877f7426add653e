import {
  ensurePatientInGroup,
  Protocol,
  type ProtocolClass,
  type ProtocolMeta,
  ProtocolResult,
} from '../../../lib';

/**
 * Type-level checks: `npm run typecheck` fails if a `@ts-expect-error` line below compiles, i.e.
 * if the types stop catching these mistakes. The runtime assertions keep jest honest.
 */

class WithMeta extends Protocol {
  static meta: ProtocolMeta = {
    title: 'With meta',
    version: '1',
    description: '',
    types: [],
    computeOnChangeTypes: ['appointment'],
  };
  computeResults(): ProtocolResult {
    this.setUpdates([ensurePatientInGroup(this.patient.patient.key, 'g1')]);
    // @ts-expect-error a malformed update object (unknown integration_type) is refused
    this.setUpdates([{ integration_type: 'Note', integration_source: 'SDK' }]);
    this.setUpdates([
      {
        integration_type: 'Group',
        integration_source: 'SDK',
        handling_options: { respond_async: true },
        integration_payload: {
          externally_exposable_id: 'g1',
          group_type: 'patientgroup',
          // @ts-expect-error mode must be "appendOrRemove"
          members: { mode: 'append', entries: [{ uuid: 'p1' }] },
        },
      },
    ]);
    return new ProtocolResult();
  }
}

class WithoutMeta extends Protocol {
  computeResults(): ProtocolResult {
    return new ProtocolResult();
  }
}

const registry: ProtocolClass[] = [
  WithMeta,
  // @ts-expect-error a registry entry without static meta does not compile
  WithoutMeta,
  // @ts-expect-error the abstract base class is not a protocol
  Protocol,
];

const badMeta: ProtocolMeta = {
  title: 't',
  version: '1',
  description: '',
  types: [],
  // @ts-expect-error only the kit's change types are allowed
  computeOnChangeTypes: ['appointments'],
};

describe('protocol types', () => {
  it('are checked by the type checker (see the @ts-expect-error lines)', () => {
    expect(registry).toHaveLength(3);
    expect(badMeta.title).toBe('t');
  });
});
