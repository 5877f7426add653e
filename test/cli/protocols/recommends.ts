import { Protocol, type ProtocolMeta, ProtocolResult, STATUS_DUE } from '../../../lib';

/** Reads a setting and adds a recommendation and a banner alert (dry run tests). */
export class Recommends extends Protocol {
  static readonly meta: ProtocolMeta = {
    key: 'recommends',
    title: 'Recommends',
    version: '1.0.0',
    description: 'test protocol: settings and recommendations',
    types: [],
    computeOnChangeTypes: [],
  };

  computeResults(): ProtocolResult {
    const result = new ProtocolResult();
    result.status = STATUS_DUE;
    result.addNarrative(`team ${this.settings.string('TEAM_IDENTIFIER')}`);
    result.addRecommendation({
      key: 'RECOMMEND_A1C',
      rank: 1,
      button: 'Order',
      title: 'Order Hemoglobin A1c',
      command: { type: 'labOrder' },
    });
    result.addBannerAlert({ narrative: 'Prior no-show.', placement: ['chart'], intent: 'info' });
    return result;
  }
}
