import { ValueSet } from '../../../../lib';
import {
  commandFilter,
  KitFloatError,
  pythonFloat,
  truthy,
} from '../../../../protocols/kit/kit-helpers';

describe('kit port helpers', () => {
  it.each([
    ['98.6', 98.6],
    [' 2048 ', 2048],
    ['1e3', 1000],
    ['.5', 0.5],
    ['5.', 5],
    ['-12', -12],
    ['1_000', 1000],
    [72, 72],
    ['inf', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('pythonFloat(%p) is %p, as float() reads it', (value, expected) => {
    expect(pythonFloat(value)).toBe(expected);
  });

  it('pythonFloat reads nan as NaN', () => {
    expect(pythonFloat('nan')).toBeNaN();
  });

  it.each([['heavy'], [''], ['120/80'], ['12abc'], [null], [true], [['1']]])(
    'pythonFloat(%p) throws as float() raises, naming no value',
    (value) => {
      expect(() => pythonFloat(value)).toThrow(KitFloatError);
      expect(() => pythonFloat(value)).toThrow('float(): the value is not a number');
    },
  );

  it.each([
    [null, false],
    [undefined, false],
    ['', false],
    [0, false],
    [false, false],
    [[], false],
    [{}, false],
    ['0', true],
    [Number.NaN, true],
    [[0], true],
    [{ a: 1 }, true],
  ])('truthy(%p) is %p, as Python reads it', (value, expected) => {
    expect(truthy(value)).toBe(expected);
  });

  it("commandFilter: the kit's command_filter, codes per lowercase system", () => {
    const set = ValueSet.define({ name: 'Test', LOINC: ['4548-4', '17856-6'], SNOMEDCT: ['1'] });

    expect(commandFilter('labOrder', set)).toEqual({
      type: 'labOrder',
      filter: {
        coding: [
          { system: 'loinc', code: ['4548-4', '17856-6'] },
          { system: 'snomedct', code: ['1'] },
        ],
      },
    });
  });
});
