import {
  ComputeInputError,
  computeProtocols,
  createTaskPayload,
  ensurePatientInGroup,
  Protocol,
  type ProtocolClass,
  type ProtocolMeta,
  ProtocolResult,
  STATUS_DUE,
  type Update,
  UpdateValidationError,
} from '../../../lib';
import { syntheticChange, syntheticPatient } from '../support/patients';

const GROUP = '00000000-0000-0000-0000-000000000000';
const NOW = '2024-02-01T12:00:00Z';

function meta(overrides: Partial<ProtocolMeta> = {}): ProtocolMeta {
  return {
    title: 'Test',
    version: '2.0.0',
    description: 'test protocol',
    types: ['Group'],
    computeOnChangeTypes: [],
    ...overrides,
  };
}

class Joins extends Protocol {
  static meta = meta({ key: 'joins', computeOnChangeTypes: ['condition'] });
  computeResults(): ProtocolResult {
    this.setUpdates([ensurePatientInGroup(this.patient.patient.key, GROUP)]);
    const result = new ProtocolResult();
    result.status = STATUS_DUE;
    result.dueIn = 3;
    result.addNarrative('joined');
    return result;
  }
}

class Throws extends Protocol {
  static meta = meta();
  computeResults(): ProtocolResult {
    throw new TypeError(`cannot read ${this.patient.patient.firstName}`);
  }
}

class SetsMalformedUpdate extends Protocol {
  static meta = meta();
  computeResults(): ProtocolResult {
    const update = JSON.parse(JSON.stringify(ensurePatientInGroup('p1', GROUP)));
    update.integration_payload.members.mode = 'append';
    this.setUpdates([update as Update]);
    return new ProtocolResult();
  }
}

/** Builds an update by hand, keyed with the patient's names (as a careless protocol could). */
class KeysUpdateWithNames extends Protocol {
  static meta = meta();
  computeResults(): ProtocolResult {
    const update = ensurePatientInGroup('p1', GROUP);
    const firstName = String(this.patient.patient.firstName);
    const lastName = String(this.patient.patient.lastName);
    const payload = { ...update.integration_payload, [lastName]: 1 };
    this.setUpdates([{ ...update, [firstName]: 1, integration_payload: payload } as Update]);
    return new ProtocolResult();
  }
}

class HelperRefuses extends Protocol {
  static meta = meta();
  computeResults(): ProtocolResult {
    this.setUpdates([createTaskPayload({ patientKey: 'p1', createdByKey: 's1', due: 'soon' })]);
    return new ProtocolResult();
  }
}

/** Spreads patient data into a helper's input, so a key is the patient's name. */
class SpreadsDataIntoHelper extends Protocol {
  static meta = meta();
  computeResults(): ProtocolResult {
    const { key, firstName, lastName } = this.patient.patient;
    const input = { patientKey: key, createdByKey: 's1', [`${firstName} ${lastName}`]: true };
    this.setUpdates([createTaskPayload(input as Parameters<typeof createTaskPayload>[0])]);
    return new ProtocolResult();
  }
}

/** Builds the public error class itself, with patient data in its message. */
class ThrowsOwnValidationError extends Protocol {
  static meta = meta();
  computeResults(): ProtocolResult {
    const name = this.patient.patient.lastName;
    throw new UpdateValidationError('task', [{ field: 'title', message: `bad for ${name}` }]);
  }
}

class ReturnsJunk extends Protocol {
  static meta = meta();
  computeResults(): ProtocolResult {
    return { status: 'finished', narratives: [] } as unknown as ProtocolResult;
  }
}

class MutatesPatient extends Protocol {
  static meta = meta();
  computeResults(): ProtocolResult {
    this.patient.patient.key = 'changed';
    return new ProtocolResult();
  }
}

describe('computeProtocols', () => {
  it('returns one computed run per protocol, with plain result data and the updates', () => {
    const patient = syntheticPatient();

    const runs = computeProtocols({ protocols: [Joins], patient, now: NOW });

    expect(runs).toEqual([
      {
        protocol: 'joins',
        version: '2.0.0',
        status: 'computed',
        result: {
          status: 'due',
          narratives: ['joined'],
          recommendations: [],
          dueIn: 3,
          daysOfNotice: 30,
          nextReview: '2024-02-04T12:00:00.000Z',
        },
        updates: [ensurePatientInGroup('test-patient-0001', GROUP)],
      },
    ]);
  });

  it('keeps the key order of the updates the protocol built', () => {
    const [run] = computeProtocols({ protocols: [Joins], patient: syntheticPatient(), now: NOW });

    expect(JSON.stringify(run?.updates[0])).toBe(
      JSON.stringify(ensurePatientInGroup('test-patient-0001', GROUP)),
    );
  });

  it('marks a protocol not_relevant for a change outside its types, with no updates', () => {
    const change = syntheticChange({ model_name: 'appointment' });

    const [run] = computeProtocols({
      protocols: [Joins],
      patient: syntheticPatient(),
      change,
      now: NOW,
    });

    expect(run?.status).toBe('not_relevant');
    expect(run?.result?.status).toBe('not_relevant');
    expect(run?.updates).toEqual([]);
  });

  it('computes a protocol for a change of a declared type', () => {
    const change = syntheticChange({ model_name: 'condition' });

    const [run] = computeProtocols({
      protocols: [Joins],
      patient: syntheticPatient(),
      change,
      now: NOW,
    });

    expect(run?.status).toBe('computed');
  });

  it('isolates a protocol that throws: failed, only the error name, the others still run', () => {
    const runs = computeProtocols({
      protocols: [Throws, Joins],
      patient: syntheticPatient(),
      now: NOW,
    });

    expect(runs.map((run) => run.status)).toEqual(['failed', 'computed']);
    expect(runs[0]).toEqual({
      protocol: 'Throws',
      version: '2.0.0',
      status: 'failed',
      updates: [],
      error: { code: 'protocol-error', message: 'TypeError' },
    });
    expect(JSON.stringify(runs[0])).not.toContain('Synthetic');
  });

  it('fails a run with invalid-update naming the field when an update bypasses the types', () => {
    const [run] = computeProtocols({
      protocols: [SetsMalformedUpdate],
      patient: syntheticPatient(),
      now: NOW,
    });

    expect(run?.status).toBe('failed');
    expect(run?.updates).toEqual([]);
    expect(run?.error?.code).toBe('invalid-update');
    expect(run?.error?.message).toBe(
      'updates[0].integration_payload.members.mode: must be "appendOrRemove"',
    );
    // Nothing withheld, so nothing more for the author.
    expect(run?.error?.authorMessage).toBeUndefined();
  });

  it('counts unknown update keys in the logged error, naming them only for the dry run', () => {
    const [run] = computeProtocols({
      protocols: [KeysUpdateWithNames],
      patient: syntheticPatient(),
      now: NOW,
    });

    expect(run?.error?.code).toBe('invalid-update');
    const withheld = '1 unknown field (names withheld, the dry run names them)';
    expect(run?.error?.message).toBe(
      `updates[0].integration_payload: ${withheld}; updates[0]: ${withheld}`,
    );
    expect(run?.error?.authorMessage).toBe(
      'updates[0].integration_payload: Unrecognized key: "Test"; ' +
        'updates[0]: Unrecognized key: "Synthetic"',
    );
    // Non-enumerable: serialising or logging the run cannot carry the names.
    expect(Object.keys(run?.error ?? {})).toEqual(['code', 'message']);
    expect(JSON.stringify(run)).not.toMatch(/Synthetic|"Test"/);
  });

  it('fails with invalid-update when setUpdates was given something that is not a list', () => {
    class NotAList extends Protocol {
      static meta = meta();
      computeResults(): ProtocolResult {
        this.setUpdates('nope' as unknown as Update[]);
        return new ProtocolResult();
      }
    }

    const [run] = computeProtocols({
      protocols: [NotAList],
      patient: syntheticPatient(),
      now: NOW,
    });

    expect(run?.error?.code).toBe('invalid-update');
  });

  it("keeps a helper's validation message: it names the argument, not the value", () => {
    const [run] = computeProtocols({
      protocols: [HelperRefuses],
      patient: syntheticPatient(),
      now: NOW,
    });

    expect(run?.error?.code).toBe('invalid-update');
    expect(run?.error?.message).toMatch(/^Invalid task update: due: must be a real datetime/);
    expect(run?.error?.message).not.toContain('soon');
    // Nothing withheld, so nothing more for the author.
    expect(run?.error?.authorMessage).toBeUndefined();
  });

  it("counts a helper's unknown argument in the logged error, naming it only for the dry run", () => {
    const patient = syntheticPatient();
    const name = `${patient.patient.firstName} ${patient.patient.lastName}`;

    const [run] = computeProtocols({ protocols: [SpreadsDataIntoHelper], patient, now: NOW });

    expect(run?.error?.code).toBe('invalid-update');
    expect(run?.error?.message).toMatch(
      /^Invalid task update: \(arguments\): 1 unknown argument \(names withheld, the dry run names them; expected patientKey, /,
    );
    expect(run?.error?.message).not.toContain(name);
    expect(run?.error?.authorMessage).toMatch(
      new RegExp(`^Invalid task update: ${name}: is not an argument \\(expected patientKey, `),
    );
    // Non-enumerable: serialising or logging the run cannot carry the name.
    expect(Object.keys(run?.error ?? {})).toEqual(['code', 'message']);
    expect(JSON.stringify(run)).not.toContain(name);
  });

  it('logs only the class name of an UpdateValidationError the protocol built itself', () => {
    const patient = syntheticPatient();

    const [run] = computeProtocols({ protocols: [ThrowsOwnValidationError], patient, now: NOW });

    expect(patient.patient.lastName).toBeTruthy();
    expect(run?.error).toEqual({ code: 'protocol-error', message: 'UpdateValidationError' });
    // The dry run still shows the author what was thrown.
    const thrown = run?.thrown;
    expect(thrown).toBeInstanceOf(UpdateValidationError);
    expect((thrown as Error).message).toContain(patient.patient.lastName);
  });

  it('fails with invalid-result when computeResults returns something else', () => {
    const [run] = computeProtocols({
      protocols: [ReturnsJunk],
      patient: syntheticPatient(),
      now: NOW,
    });

    expect(run?.error?.code).toBe('invalid-result');
    expect(run?.error?.message).toMatch(/result\.status: must be one of/);
  });

  it('fails with invalid-meta when a class (plain JavaScript) has no usable meta', () => {
    class NoMeta extends Protocol {
      computeResults(): ProtocolResult {
        return new ProtocolResult();
      }
    }
    const broken = Object.assign(NoMeta, {
      meta: { ...meta(), computeOnChangeTypes: ['appointments'] },
    });

    const [run] = computeProtocols({
      protocols: [broken as ProtocolClass],
      patient: syntheticPatient(),
      now: NOW,
    });

    expect(run?.status).toBe('failed');
    expect(run?.error?.code).toBe('invalid-meta');
    expect(run?.error?.message).toMatch(/^meta\.computeOnChangeTypes\[0\]:/);
  });

  it('keeps one protocol from changing the patient the next one reads (it is frozen)', () => {
    const patient = syntheticPatient();

    const runs = computeProtocols({ protocols: [MutatesPatient, Joins], patient, now: NOW });

    expect(runs[0]?.status).toBe('failed');
    expect(runs[0]?.error).toEqual({ code: 'protocol-error', message: 'TypeError' });
    expect(patient.patient.key).toBe('test-patient-0001');
    expect(runs[1]?.updates[0]).toEqual(ensurePatientInGroup('test-patient-0001', GROUP));
  });

  it('is reproducible: the same inputs give the same runs', () => {
    const input = { protocols: [Joins, Throws], patient: syntheticPatient(), now: NOW };

    expect(computeProtocols(input)).toEqual(computeProtocols(input));
  });

  it('refuses a change about another patient and an invalid now, before computing anything', () => {
    const change = syntheticChange({ patient_key: 'someone-else' });

    expect(() =>
      computeProtocols({ protocols: [Joins], patient: syntheticPatient(), change, now: NOW }),
    ).toThrow(ComputeInputError);
    expect(() =>
      computeProtocols({ protocols: [Joins], patient: syntheticPatient(), now: 'not a date' }),
    ).toThrow(/now: must be an ISO datetime/);
  });
});
