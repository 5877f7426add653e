import { computeProtocols, isProtocolClass, protocolKey } from '../../../lib';
import { PROTOCOLS } from '../../../protocols';
import { syntheticPatient } from '../support/patients';

describe('PROTOCOLS', () => {
  it('lists protocol classes with unique keys', () => {
    const keys = PROTOCOLS.map(protocolKey);

    expect(PROTOCOLS.every(isProtocolClass)).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(['appointment-reminder', 'diabetes-care-group']);
  });

  it('runs every registered protocol on a scheduled computation without a failure', () => {
    const runs = computeProtocols({
      protocols: PROTOCOLS,
      patient: syntheticPatient(),
      now: '2024-02-01T12:00:00Z',
    });

    expect(runs.map((run) => run.status)).toEqual(['computed', 'computed']);
  });
});
