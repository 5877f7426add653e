import {
  CHANGE_TYPES,
  changeConcerns,
  changeTypesOf,
  DEFAULT_DAYS_OF_NOTICE,
  ensurePatientInGroup,
  ensurePatientNotInGroup,
  impactedByChanges,
  isCreation,
  newFieldValue,
  oldFieldValue,
  PROTOCOL_STATUSES,
  Protocol,
  type ProtocolMeta,
  ProtocolResult,
  STATUS_DUE,
  STATUS_NOT_APPLICABLE,
  STATUS_NOT_RELEVANT,
} from '../../../lib';
import { syntheticChange, syntheticPatient } from '../support/patients';

const GROUP = '00000000-0000-0000-0000-000000000000';
const NOW = '2024-02-01T12:00:00Z';

class Probe extends Protocol {
  static meta: ProtocolMeta = {
    title: 'Probe',
    version: '1',
    description: 'test protocol',
    types: ['Group'],
    computeOnChangeTypes: ['condition', 'consent'],
  };
  computeCalls = 0;

  computeResults(): ProtocolResult {
    this.computeCalls += 1;
    return new ProtocolResult();
  }
}

class Undeclared extends Probe {
  static override meta: ProtocolMeta = { ...Probe.meta, computeOnChangeTypes: [] };
}

describe('ProtocolResult', () => {
  it('defaults to the kit values: not_applicable, no narrative, 30 days of notice', () => {
    const result = new ProtocolResult();

    expect(result.status).toBe(STATUS_NOT_APPLICABLE);
    expect(result.narratives).toEqual([]);
    expect(result.narrative).toBe('');
    expect(result.dueIn).toBeNull();
    expect(result.daysOfNotice).toBe(30);
    expect(DEFAULT_DAYS_OF_NOTICE).toBe(30);
    expect(result.nextReview).toBeNull();
  });

  it('lists narratives in order and joins them one per line', () => {
    const result = new ProtocolResult();

    result.addNarrative('first');
    result.addNarrative('second');

    expect(result.narratives).toEqual(['first', 'second']);
    expect(result.narrative).toBe('first\nsecond');
  });

  it("has the kit's statuses", () => {
    expect([...PROTOCOL_STATUSES].sort()).toEqual(
      [
        'due',
        'not_applicable',
        'not_relevant',
        'pending',
        'satisfied',
        'snoozed',
        'unchanged',
      ].sort(),
    );
  });
});

describe('Protocol', () => {
  it('exposes the patient, the change and the injected now', () => {
    const patient = syntheticPatient();
    const change = syntheticChange({ model_name: 'condition' });

    const protocol = new Probe({ patient, change, now: NOW });

    expect(protocol.patient.patient.key).toBe('test-patient-0001');
    expect(protocol.fieldChanges).toBe(change.fieldChanges);
    expect(protocol.changeTypes).toEqual(['condition']);
    expect(protocol.now.toISOString()).toBe('2024-02-01T12:00:00.000Z');
    expect(protocol.meta).toBe(Probe.meta);
  });

  it('has no change types on a scheduled run, and the mapped ones for a model that stands for a type', () => {
    const patient = syntheticPatient();
    expect(new Probe({ patient, now: NOW }).changeTypes).toEqual([]);
    const noteState = new Probe({
      patient,
      change: syntheticChange({ model_name: 'notestatechangeevent' }),
      now: NOW,
    });
    expect(noteState.fieldChanges?.model_name).toBe('notestatechangeevent');
    expect(noteState.changeTypes).toEqual(['appointment']);
  });

  it('has a null fieldChanges for a scheduled computation', () => {
    const protocol = new Probe({ patient: syntheticPatient(), now: new Date(NOW) });

    expect(protocol.fieldChanges).toBeNull();
  });

  it('reads a now string without an offset as UTC, and refuses one that is not a datetime', () => {
    const protocol = new Probe({ patient: syntheticPatient(), now: '2024-02-01T12:00:00' });

    expect(protocol.now.toISOString()).toBe('2024-02-01T12:00:00.000Z');
    expect(() => new Probe({ patient: syntheticPatient(), now: 'yesterday' })).toThrow(
      /now: must be an ISO datetime/,
    );
  });

  it('setUpdates replaces the list: a second call discards the first', () => {
    const protocol = new Probe({ patient: syntheticPatient(), now: NOW });
    const first = ensurePatientInGroup('p1', GROUP);
    const second = ensurePatientNotInGroup('p1', GROUP);

    protocol.setUpdates([first]);
    protocol.setUpdates([second]);

    expect(protocol.updates()).toEqual([second]);
  });

  it('setUpdates with an empty list clears the updates', () => {
    const protocol = new Probe({ patient: syntheticPatient(), now: NOW });
    protocol.setUpdates([ensurePatientInGroup('p1', GROUP)]);

    protocol.setUpdates([]);

    expect(protocol.updates()).toEqual([]);
  });

  it('has no updates until setUpdates is called, and keeps its list from outside changes', () => {
    const protocol = new Probe({ patient: syntheticPatient(), now: NOW });
    const list = [ensurePatientInGroup('p1', GROUP)];
    const before = protocol.updates();

    protocol.setUpdates(list);
    list.push(ensurePatientNotInGroup('p1', GROUP));
    protocol.updates().pop();

    expect(before).toEqual([]);
    expect(protocol.updates()).toHaveLength(1);
  });

  it('computes once and caches the result', () => {
    const protocol = new Probe({ patient: syntheticPatient(), now: NOW });

    const first = protocol.results();
    const second = protocol.results();

    expect(second).toBe(first);
    expect(protocol.computeCalls).toBe(1);
    expect(protocol.status()).toBe(STATUS_NOT_APPLICABLE);
    expect(protocol.daysOfNotice()).toBe(30);
  });

  it('is not_relevant, without computing, for a change outside its change types', () => {
    const protocol = new Probe({
      patient: syntheticPatient(),
      change: syntheticChange({ model_name: 'appointment' }),
      now: NOW,
    });

    const result = protocol.results();

    expect(result.status).toBe(STATUS_NOT_RELEVANT);
    expect(protocol.computeCalls).toBe(0);
  });

  it.each([
    ['a change of a declared type', Probe, syntheticChange({ model_name: 'consent' })],
    ['a scheduled computation (no change)', Probe, null],
    ['any change when no types are declared', Undeclared, syntheticChange({ model_name: 'task' })],
  ])('is computed for %s', (_, protocolClass, change) => {
    const protocol = new protocolClass({ patient: syntheticPatient(), change, now: NOW });

    protocol.results();

    expect(protocol.computeCalls).toBe(1);
  });

  it('derives the next review from dueIn and the injected now, like the kit', () => {
    class DueIn10 extends Probe {
      override computeResults(): ProtocolResult {
        const result = new ProtocolResult();
        result.status = STATUS_DUE;
        result.dueIn = 10;
        return result;
      }
    }

    const protocol = new DueIn10({ patient: syntheticPatient(), now: NOW });

    expect(protocol.dueIn()).toBe(10);
    expect(protocol.nextReview()?.toISOString()).toBe('2024-02-11T12:00:00.000Z');
  });

  it('keeps an explicit next review, and has none when due now or overdue', () => {
    class Explicit extends Probe {
      override computeResults(): ProtocolResult {
        const result = new ProtocolResult();
        result.dueIn = 5;
        result.nextReview = new Date('2024-03-01T00:00:00Z');
        return result;
      }
    }
    class Overdue extends Probe {
      override computeResults(): ProtocolResult {
        const result = new ProtocolResult();
        result.dueIn = -2;
        return result;
      }
    }

    const explicit = new Explicit({ patient: syntheticPatient(), now: NOW });
    const overdue = new Overdue({ patient: syntheticPatient(), now: NOW });

    expect(explicit.nextReview()?.toISOString()).toBe('2024-03-01T00:00:00.000Z');
    expect(overdue.nextReview()).toBeNull();
  });
});

describe('impactedByChanges', () => {
  it.each([
    [[], [], true],
    [['condition'], [], true],
    [[], ['appointment'], true],
    [['condition'], ['condition'], true],
    [['condition', 'patient'], ['lab_report', 'patient'], true],
    [['condition'], ['appointment'], false],
  ] as const)('declared %j, changed %j: %s', (declared, changed, expected) => {
    expect(impactedByChanges(declared, changed)).toBe(expected);
  });
});

describe('change helpers', () => {
  const change = syntheticChange({
    model_name: 'appointment',
    fields: { start_time: [null, '2024-02-09T09:30:00'] },
    canvas_id: 17,
    external_id: 'ext-17',
  });

  const fields = change.fieldChanges;

  it('read a change like the kit', () => {
    expect(changeTypesOf(change)).toEqual(['appointment']);
    expect(changeTypesOf(null)).toEqual([]);
    expect(newFieldValue(fields, 'start_time')).toBe('2024-02-09T09:30:00');
    expect(oldFieldValue(fields, 'start_time')).toBeNull();
    expect(newFieldValue(fields, 'status')).toBeUndefined();
    // Only the fields the platform sent: not the object's inherited properties.
    expect(newFieldValue(fields, 'toString')).toBeUndefined();
    expect(newFieldValue(fields, 'constructor')).toBeUndefined();
    expect(isCreation(fields, 'appointment')).toBe(true);
    expect(isCreation({ ...fields, deleted: true }, 'appointment')).toBe(false);
    expect(isCreation(fields, 'condition')).toBe(false);
  });

  it('tell a creation of the type own model from one of a model that stands for it', () => {
    const billing = syntheticChange({ model_name: 'billinglineitem' }).fieldChanges;
    const noteState = syntheticChange({ model_name: 'notestatechangeevent' });
    expect(isCreation(billing, 'billing_line_item')).toBe(true);
    expect(changeTypesOf(noteState)).toEqual(['appointment']);
    expect(isCreation(noteState.fieldChanges, 'appointment')).toBe(false);
  });

  it('match a record by canvas_id or external_id, as text', () => {
    expect(changeConcerns(fields, '17')).toBe(true);
    expect(changeConcerns(fields, 'ext-17')).toBe(true);
    expect(changeConcerns(fields, 18)).toBe(false);
    expect(changeConcerns(null, 17)).toBe(false);
  });

  it('know the 24 kit change types', () => {
    expect(CHANGE_TYPES).toHaveLength(24);
    expect(new Set(CHANGE_TYPES).size).toBe(24);
  });
});
