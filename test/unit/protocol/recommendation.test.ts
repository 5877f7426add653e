import {
  computeProtocols,
  Protocol,
  type ProtocolMeta,
  ProtocolMetaSchema,
  ProtocolResult,
  Timeframe,
} from '../../../lib';
import { syntheticPatient } from '../support/patients';

class Recommends extends Protocol {
  static readonly meta: ProtocolMeta = {
    key: 'recommends',
    title: 'Recommends',
    version: '1',
    description: 'adds recommendations',
    types: [],
    computeOnChangeTypes: [],
    identifiers: ['CMS131v6'],
    information: 'https://example.org/info',
    references: ['https://doi.org/10.2337/dc22-S002'],
    authors: ['Synthetic Author'],
    fundingSource: 'none',
    respondsToEventTypes: ['HEALTH_MAINTENANCE'],
    showInChart: true,
    showInPopulation: false,
  };
  computeResults(): ProtocolResult {
    const result = new ProtocolResult();
    result.addRecommendation({
      key: 'CMS131v6_RECOMMEND_REFER_EYE_EXAM',
      rank: 2,
      button: 'Refer',
      title: 'Refer for retinal examination',
      narrative: 'Due for a retinal exam.',
      command: { type: 'refer' },
      context: { specialties: ['Ophthalmology'] },
    });
    result.addBannerAlert({
      narrative: 'Prior no-show.',
      placement: ['chart', 'appointment_card'],
      intent: 'info',
    });
    return result;
  }
}

describe('recommendations', () => {
  it('are part of the run’s result data, in order, with the kit’s fields', () => {
    const [run] = computeProtocols({
      protocols: [Recommends],
      patient: syntheticPatient(),
      now: '2024-02-01T12:00:00Z',
    });
    expect(run?.status).toBe('computed');
    expect(run?.result?.recommendations).toEqual([
      {
        key: 'CMS131v6_RECOMMEND_REFER_EYE_EXAM',
        rank: 2,
        button: 'Refer',
        title: 'Refer for retinal examination',
        narrative: 'Due for a retinal exam.',
        command: { type: 'refer' },
        context: { specialties: ['Ophthalmology'] },
      },
      { narrative: 'Prior no-show.', placement: ['chart', 'appointment_card'], intent: 'info' },
    ]);
  });

  it('a malformed one fails the run as invalid-result, naming the field', () => {
    class Bad extends Recommends {
      override computeResults(): ProtocolResult {
        const result = new ProtocolResult();
        result.addRecommendation({ key: 'k', rank: 1.5, button: 'b', title: 't' });
        return result;
      }
    }
    const [run] = computeProtocols({
      protocols: [Bad],
      patient: syntheticPatient(),
      now: '2024-02-01T12:00:00Z',
    });
    expect(run?.error?.code).toBe('invalid-result');
    expect(run?.error?.message).toBe('result.recommendations[0].rank: must be whole');
  });
});

describe('meta fields the kit declares', () => {
  it('are accepted and checked', () => {
    expect(ProtocolMetaSchema.safeParse(Recommends.meta).success).toBe(true);
    const bad = ProtocolMetaSchema.safeParse({ ...Recommends.meta, showInChart: 'yes' });
    expect(bad.success).toBe(false);
  });
});

describe('timeframe in a protocol', () => {
  class Reads extends Recommends {
    override computeResults(): ProtocolResult {
      const result = new ProtocolResult();
      result.addNarrative(`${this.timeframe} ${this.timeframe.duration}`);
      result.addNarrative(this.arrowNow.shift({ days: -3 }).isoformat());
      return result;
    }
  }

  it('defaults to the year ending the injected now', () => {
    const [run] = computeProtocols({
      protocols: [Reads],
      patient: syntheticPatient(),
      now: '2024-02-01T12:00:00Z',
    });
    expect(run?.result?.narratives).toEqual([
      '2023-02-01T12:00:00+00:00/2024-02-01T12:00:00+00:00 365',
      '2024-01-29T12:00:00+00:00',
    ]);
  });

  it('can be given', () => {
    const protocol = new Reads({
      patient: syntheticPatient(),
      now: '2024-02-01T12:00:00Z',
      timeframe: new Timeframe('2024-01-01', '2024-01-31'),
    });
    expect(protocol.timeframe.duration).toBe(30);
  });
});
