import { Protocol, ProtocolResult } from '../../lib';

/**
 * The shape many kit measures share: a denominator (who the measure is about), a numerator (who
 * has already met it), and what the result says for each of the three groups. A port extends this
 * and implements the five steps under the kit's names; `computeResults()` routes between them as
 * the kit's measures do.
 */
export abstract class MeasureProtocol extends Protocol {
  /** The patient is someone the measure is about. */
  abstract inDenominator(): boolean;
  /** The patient, in the denominator, has already met the measure. */
  abstract inNumerator(): boolean;
  /** The result for a patient in the numerator. */
  abstract numeratorTasks(result: ProtocolResult): void;
  /** The result for a patient in the denominator, not in the numerator (usually: due). */
  abstract remainderTasks(result: ProtocolResult): void;
  /** The result for a patient outside the denominator. */
  abstract excludedTasks(result: ProtocolResult): void;

  computeResults(): ProtocolResult {
    const result = new ProtocolResult();
    if (!this.inDenominator()) this.excludedTasks(result);
    else if (this.inNumerator()) this.numeratorTasks(result);
    else this.remainderTasks(result);
    return result;
  }
}
