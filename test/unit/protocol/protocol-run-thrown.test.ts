import {
  computeProtocols,
  createTaskPayload,
  Protocol,
  type ProtocolClass,
  type ProtocolMeta,
  ProtocolResult,
  UpdateValidationError,
} from '../../../lib';
import { syntheticPatient } from '../support/patients';

const NOW = '2024-02-01T12:00:00Z';

function meta(): ProtocolMeta {
  return { title: 'T', version: '1.0.0', description: 'test', types: [], computeOnChangeTypes: [] };
}

class ThrowsWithPatientData extends Protocol {
  static meta = meta();
  computeResults(): ProtocolResult {
    throw new RangeError(`no value for ${this.patient.patient.lastName}`);
  }
}

class HelperRefuses extends Protocol {
  static meta = meta();
  computeResults(): ProtocolResult {
    this.setUpdates([
      createTaskPayload({ patientKey: this.patient.patient.key, createdByKey: '' }),
    ]);
    return new ProtocolResult();
  }
}

class ReturnsNothing extends Protocol {
  static meta = meta();
  computeResults(): ProtocolResult {
    return undefined as unknown as ProtocolResult;
  }
}

function runOf(protocol: ProtocolClass) {
  const [run] = computeProtocols({ protocols: [protocol], patient: syntheticPatient(), now: NOW });
  if (!run) throw new Error('no run');
  return run;
}

describe('ProtocolRun.thrown: what the protocol threw, for the dry run only', () => {
  it('keeps the original error while the logged error names its class only', () => {
    const run = runOf(ThrowsWithPatientData);

    expect(run.error).toEqual({ code: 'protocol-error', message: 'RangeError' });
    expect(run.thrown).toBeInstanceOf(RangeError);
    expect((run.thrown as Error).message).toBe(
      `no value for ${syntheticPatient().patient.lastName}`,
    );
  });

  it('is invisible to JSON and to object spreading (what loggers serialise)', () => {
    const run = runOf(ThrowsWithPatientData);
    const lastName = syntheticPatient().patient.lastName;

    expect(Object.keys(run)).not.toContain('thrown');
    expect(JSON.stringify(run)).not.toContain(lastName);
    expect(JSON.stringify({ ...run })).not.toContain(lastName);
  });

  it('keeps a helper error thrown inside the protocol, with its stack', () => {
    const run = runOf(HelperRefuses);

    expect(run.error?.code).toBe('invalid-update');
    expect(run.thrown).toBeInstanceOf(UpdateValidationError);
    expect((run.thrown as Error).stack).toContain('HelperRefuses.computeResults');
  });

  it("is absent for the runner's own failures, whose message says it all", () => {
    const run = runOf(ReturnsNothing);

    expect(run.error?.code).toBe('invalid-result');
    expect(run.thrown).toBeUndefined();
  });
});
