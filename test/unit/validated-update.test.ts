import {
  computeProtocols,
  createTaskPayload,
  ensurePatientInGroup,
  Protocol,
  type ProtocolMeta,
  ProtocolResult,
  type Update,
} from '../../lib';
import { UpdateSchema } from '../../lib/message-types';
import { brandValidated, takeValidated } from '../../lib/validated-update';
import { syntheticPatient } from './support/patients';

/**
 * The runner does not parse a helper's message twice (lib/validated-update.ts), but whatever a
 * protocol changed after the helper is still parsed, and what is sent always passes the schema.
 */

const GROUP = '00000000-0000-0000-0000-000000000000';
const NOW = '2024-02-01T12:00:00Z';

const meta = (key: string): ProtocolMeta => ({
  key,
  title: 'Test',
  version: '1.0.0',
  description: 'test protocol',
  types: ['Group', 'Task'],
  computeOnChangeTypes: [],
});

function run(computeUpdates: (patientKey: string) => unknown[]) {
  class Sends extends Protocol {
    static meta = meta('sends');
    computeResults(): ProtocolResult {
      this.setUpdates(computeUpdates(this.patient.patient.key) as Update[]);
      return new ProtocolResult();
    }
  }
  const [result] = computeProtocols({
    protocols: [Sends],
    patient: syntheticPatient(),
    now: NOW,
  });
  if (!result) throw new Error('no run');
  return result;
}

describe('helper-built updates in the runner', () => {
  it('sends an unchanged helper message as built, equal, not the protocol’s own object', () => {
    let built: Update | undefined;
    const result = run((key) => {
      built = createTaskPayload({
        patientKey: key,
        createdByKey: 's1',
        title: 'Call',
        labels: ['Urgent'],
      });
      return [built];
    });

    expect(result.status).toBe('computed');
    expect(result.updates).toEqual([built]);
    expect(JSON.stringify(result.updates[0])).toBe(JSON.stringify(built));
    expect(result.updates[0]).not.toBe(built);
    expect(UpdateSchema.safeParse(result.updates[0]).success).toBe(true);
  });

  it('parses a helper message the protocol changed in place after the helper: refused', () => {
    const result = run((key) => {
      const update = ensurePatientInGroup(key, GROUP);
      (update.integration_payload.members as { mode: string }).mode = 'append';
      return [update];
    });

    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('invalid-update');
    expect(result.error?.message).toBe(
      'updates[0].integration_payload.members.mode: must be "appendOrRemove"',
    );
  });

  it('parses a helper message changed in place to another valid message, and sends the change', () => {
    const result = run((key) => {
      const update = createTaskPayload({ patientKey: key, createdByKey: 's1', title: 'Call' });
      update.integration_payload.title = 'Call back';
      return [update];
    });

    expect(result.status).toBe('computed');
    expect(
      result.updates.map(
        (u) => (u as { integration_payload: { title?: string } }).integration_payload.title,
      ),
    ).toEqual(['Call back']);
  });

  it('refuses a key added to a helper message, even with the same wire JSON (undefined value)', () => {
    const result = run((key) => {
      const update = ensurePatientInGroup(key, GROUP) as Update & { extra?: undefined };
      update.extra = undefined;
      return [update];
    });

    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('invalid-update');
  });

  it('sends one helper message listed twice twice, each its own object', () => {
    const result = run((key) => {
      const update = ensurePatientInGroup(key, GROUP);
      return [update, update];
    });

    expect(result.status).toBe('computed');
    expect(result.updates).toHaveLength(2);
    expect(result.updates[0]).toEqual(result.updates[1]);
    expect(result.updates[0]).not.toBe(result.updates[1]);
  });

  it('parses a message kept from an earlier computation and changed since', () => {
    const kept = ensurePatientInGroup('p1', GROUP);
    expect(run(() => [kept]).status).toBe('computed');
    (kept.integration_payload as { group_type: string }).group_type = 'staffgroup';

    const again = run(() => [kept]);
    expect(again.status).toBe('failed');
    expect(again.error?.code).toBe('invalid-update');
  });

  it('does not let a change to a sent update reach the next computation', () => {
    const kept = ensurePatientInGroup('p1', GROUP);
    const first = run(() => [kept]);
    (
      first.updates[0] as { integration_payload: { group_type: string } }
    ).integration_payload.group_type = 'person';

    const second = run(() => [kept]);
    expect(second.status).toBe('computed');
    expect(second.updates).toEqual([ensurePatientInGroup('p1', GROUP)]);
  });
});

describe('protocol meta in the runner', () => {
  it('checks a meta again when it changed after a run: an invalid one fails the run', () => {
    const changing = { ...meta('changing') } as {
      -readonly [K in keyof ProtocolMeta]: ProtocolMeta[K];
    };
    class Changing extends Protocol {
      static meta: ProtocolMeta = changing;
      computeResults(): ProtocolResult {
        return new ProtocolResult();
      }
    }
    const once = () =>
      computeProtocols({ protocols: [Changing], patient: syntheticPatient(), now: NOW })[0];

    expect(once()?.status).toBe('computed');
    changing.version = '';
    const after = once();
    expect(after?.status).toBe('failed');
    expect(after?.error?.code).toBe('invalid-meta');
    changing.version = '1.0.1';
    expect(once()?.status).toBe('computed');
  });
});

describe('the brand’s record (brandValidated, takeValidated)', () => {
  const message = () => ({ a: 'x', b: { c: [true, null, 1], d: 'y' } });

  it('gives a copy, equal, once', () => {
    const branded = brandValidated(message());
    const copy = takeValidated(branded);
    expect(copy).toEqual(message());
    expect(copy).not.toBe(branded);
    expect(takeValidated(branded)).toBeUndefined();
  });

  it.each([
    ['a value changed', (m: ReturnType<typeof message>) => Object.assign(m.b, { d: 'z' })],
    ['a key removed', (m: ReturnType<typeof message>) => delete (m.b as { d?: string }).d],
    ['a key added', (m: ReturnType<typeof message>) => Object.assign(m.b, { e: 'e' })],
    ['a list grown', (m: ReturnType<typeof message>) => m.b.c.push(false)],
    [
      'the keys reordered',
      (m: ReturnType<typeof message>) => {
        const { c, d } = m.b;
        m.b = { d, c } as typeof m.b;
      },
    ],
    ['a list made an object', (m: ReturnType<typeof message>) => Object.assign(m.b, { c: {} })],
  ])('refuses the copy when %s', (_, change) => {
    const branded = brandValidated(message());
    change(branded);
    expect(takeValidated(branded)).toBeUndefined();
  });

  it('does not brand what is not plain JSON', () => {
    for (const value of [
      { a: undefined },
      { a: Number.NaN },
      { a: new Date(0) },
      JSON.parse('{"__proto__": {"x": 1}}') as object,
    ]) {
      expect(takeValidated(brandValidated(value))).toBeUndefined();
    }
  });

  it('stays right when a getter read during the comparison takes another brand', () => {
    const other = brandValidated(message());
    let otherCopy: object | undefined;
    const branded = brandValidated(message());
    Object.defineProperty(branded, 'a', {
      enumerable: true,
      get() {
        otherCopy = takeValidated(other);
        return 'x';
      },
    });
    // A getter is not plain data the brand recorded, but the comparison reads it: still equal.
    expect(takeValidated(branded)).toEqual(message());
    expect(otherCopy).toEqual(message());
  });
});
