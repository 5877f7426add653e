import {
  isProtocolClass,
  Protocol,
  type ProtocolMeta,
  ProtocolModuleError,
  ProtocolResult,
  pickProtocolClass,
} from '../../../lib';

const META: ProtocolMeta = {
  title: 't',
  version: '1',
  description: '',
  types: [],
  computeOnChangeTypes: [],
};

class First extends Protocol {
  static meta = { ...META, key: 'first-key' };
  computeResults(): ProtocolResult {
    return new ProtocolResult();
  }
}

class Second extends Protocol {
  static meta = META;
  computeResults(): ProtocolResult {
    return new ProtocolResult();
  }
}

function codeOf(pick: () => unknown): string {
  try {
    pick();
  } catch (error) {
    if (error instanceof ProtocolModuleError) return error.code;
    throw error;
  }
  throw new Error('expected a ProtocolModuleError');
}

describe('pickProtocolClass', () => {
  it('takes the only protocol, exported by default or by name (counted once)', () => {
    expect(pickProtocolClass({ default: First, First, helper: () => 1 })).toBe(First);
    expect(pickProtocolClass({ Second, VERSION: '1' })).toBe(Second);
  });

  it.each(['First', 'first-key', 'alias'])('picks one of several by %s', (wanted) => {
    expect(pickProtocolClass({ alias: First, Second }, wanted)).toBe(First);
  });

  it('requires a choice among several, and says what is missing', () => {
    expect(codeOf(() => pickProtocolClass({ First, Second }))).toBe('several-protocols');
    expect(codeOf(() => pickProtocolClass({ First }, 'Third'))).toBe('protocol-not-found');
    expect(codeOf(() => pickProtocolClass({ Protocol, value: 1 }))).toBe('no-protocol');
  });

  it('does not count the base class or a class without meta as a protocol', () => {
    class NoMeta extends Protocol {
      computeResults(): ProtocolResult {
        return new ProtocolResult();
      }
    }

    expect(isProtocolClass(Protocol)).toBe(false);
    expect(isProtocolClass(NoMeta)).toBe(false);
    expect(isProtocolClass(First)).toBe(true);
  });
});
