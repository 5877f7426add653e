import {
  ageOn,
  computeProtocols,
  Protocol,
  ProtocolResult,
  patientRecords,
  RecordSet,
} from '../../../lib';
import { syntheticPatient } from '../support/patients';

const data = {
  patient: { key: 'p-1', firstName: 'Synthetic', lastName: 'Person', birthDate: '1960-02-29' },
  conditions: [{ id: 1, coding: [], clinicalStatus: 'active' }],
  labReports: [
    { id: 'new', originalDate: '2024-01-02T00:00:00Z' },
    { id: 'old', originalDate: '2023-01-02T00:00:00Z' },
  ],
};

describe('patientRecords', () => {
  it('keeps the patient record as plain data and wraps each collection as a RecordSet', () => {
    const view = patientRecords(data, '2024-02-01T12:00:00Z');
    expect(view.patient.key).toBe('p-1');
    expect(view.conditions).toBeInstanceOf(RecordSet);
    expect(view.labReports.last()?.id).toBe('new');
  });

  it('wraps a collection once, on first read', () => {
    const view = patientRecords(data, '2024-02-01T12:00:00Z');
    expect(view.labReports).toBe(view.labReports);
  });

  it('has the kit patient’s first name, last name and fractional age at now', () => {
    const view = patientRecords(data, '2024-02-28T23:59:59Z');
    expect(view.firstName).toBe('Synthetic');
    expect(view.lastName).toBe('Person');
    // Born 1960-02-29: the last birthday fell on 2023-02-28, the next is 2024-02-29.
    expect(view.age).toBeCloseTo(63 + 365 / 366, 10);
    expect(view.ageAt('2024-02-29T00:00:00Z')).toBe(64);
    expect(Math.floor(view.ageAt('2024-02-28T12:00:00Z'))).toBe(63);
  });

  it('ages like the kit: 0 on or before the birth day, a half year at the half', () => {
    const born = { patient: { key: 'p', birthDate: '2000-01-01' } };
    expect(patientRecords(born, '2000-01-01T23:00:00Z').age).toBe(0);
    expect(patientRecords(born, '1999-06-01T00:00:00Z').age).toBe(0);
    expect(patientRecords(born, '2035-07-02T12:00:00Z').age).toBeCloseTo(35 + 182 / 365, 10);
    expect(patientRecords(born, '2035-07-02T12:00:00Z').age > 35).toBe(true);
  });

  it('cannot be changed', () => {
    const view = patientRecords(data, '2024-02-01T12:00:00Z') as unknown as Record<string, unknown>;
    expect(() => {
      view.conditions = [];
    }).toThrow(TypeError);
  });

  it('reads own collections only', () => {
    const view = patientRecords(data, '2024-02-01T12:00:00Z') as unknown as Record<string, unknown>;
    expect(view.toString).toBe(Object.prototype.toString);
    expect(view.hasOwnProperty).toBe(Object.prototype.hasOwnProperty);
    expect(view.missing).toBeUndefined();
    expect('labReports' in view).toBe(true);
  });
});

describe('ageOn', () => {
  it('is NaN without a readable birth date', () => {
    expect(ageOn(undefined, '2024-01-01')).toBeNaN();
    expect(ageOn('someday', '2024-01-01')).toBeNaN();
  });
});

describe('one view per computation (the runner shares it among its protocols)', () => {
  const meta = (key: string) => ({
    key,
    title: key,
    version: '1',
    description: key,
    types: [],
    computeOnChangeTypes: [],
  });

  it('gives every protocol the same read-only view, which none can change for the others', () => {
    const seen: unknown[] = [];
    const attempts: string[] = [];
    class Tamperer extends Protocol {
      static meta = meta('tamperer');
      computeResults() {
        seen.push(this.patient);
        for (const attempt of [
          () => Object.setPrototypeOf(this.patient, { conditions: 'forged' }),
          () => Object.preventExtensions(this.patient),
          () => Object.defineProperty(this.patient, 'conditions', { value: 'forged' }),
          () =>
            Object.defineProperty(Object.getPrototypeOf(this.patient), 'conditions', {
              value: 'forged',
            }),
        ]) {
          try {
            attempt();
            attempts.push('allowed');
          } catch {
            attempts.push('refused');
          }
        }
        return new ProtocolResult();
      }
    }
    class Reader extends Protocol {
      static meta = meta('reader');
      computeResults() {
        seen.push(this.patient);
        const result = new ProtocolResult();
        result.addNarrative(String(this.patient.conditions.length));
        return result;
      }
    }
    const runs = computeProtocols({
      protocols: [Tamperer, Reader],
      patient: syntheticPatient(),
      now: '2024-02-01T12:00:00Z',
    });
    expect(seen[0]).toBe(seen[1]);
    expect(attempts).toEqual(['refused', 'refused', 'refused', 'refused']);
    expect(runs[1]?.status).toBe('computed');
    expect(runs[1]?.result?.narratives).toEqual([String(syntheticPatient().conditions?.length)]);
  });
});
