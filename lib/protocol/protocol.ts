import { z } from 'zod';
import {
  type ChangeEvent,
  type ChangeType,
  ChangeTypeSchema,
  type FieldChanges,
  type Patient,
  type Update,
} from '../../schemas';
import { changeTypesOf } from './change';
import { toInstant } from './datetime';
import { impactedByChanges } from './impacted-by-changes';
import { KitDateTime } from './kit-datetime';
import { type PatientRecords, patientView } from './patient-records';
import { nextReviewOf, ProtocolResult, STATUS_NOT_RELEVANT } from './protocol-result';
import { ProtocolSettings } from './settings';
import { Timeframe } from './timeframe';

/** A protocol's static description (the kit's `class Meta`). */
export interface ProtocolMeta {
  /**
   * Stable id for run records and logs; defaults to the class name. Set it when the code is
   * bundled with name mangling, or to keep the id when renaming the class.
   */
  readonly key?: string;
  readonly title: string;
  readonly version: string;
  readonly description: string;
  /** What the protocol produces, e.g. `['Task']`, `['Group']`. */
  readonly types: readonly string[];
  /** The change types that recompute it; empty: every change does. */
  readonly computeOnChangeTypes: readonly ChangeType[];
  /** The protocol only sends updates; nothing to show on the chart. Default false. */
  readonly notificationOnly?: boolean;
  /** The measure's identifiers, e.g. `['CMS131v6']` (the kit's `identifiers`). */
  readonly identifiers?: readonly string[];
  /** A link to more about it (the kit's `information`). */
  readonly information?: string;
  /** Its clinical references, e.g. guideline links (the kit's `references`). */
  readonly references?: readonly string[];
  /** Who wrote it (the kit's `authors`). */
  readonly authors?: readonly string[];
  /** Who funded it (the kit's `funding_source`). */
  readonly fundingSource?: string;
  /** The chart events it answers, e.g. `['HEALTH_MAINTENANCE']` (`responds_to_event_types`). */
  readonly respondsToEventTypes?: readonly string[];
  /** Shown on the patient's chart (the kit's `show_in_chart`; default true). */
  readonly showInChart?: boolean;
  /** Shown in population views (the kit's `show_in_population`; default true). */
  readonly showInPopulation?: boolean;
}

const StringList = z.array(
  z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
  { error: 'must be a list' },
);

/** Checks a class's `meta` at run time (a protocol in plain JavaScript has no compiler). */
export const ProtocolMetaSchema = z.object({
  key: z.string().min(1, { error: 'must not be empty' }).optional(),
  title: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
  version: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
  description: z.string({ error: 'must be a string' }),
  types: z.array(z.string({ error: 'must be a string' }), { error: 'must be a list' }),
  computeOnChangeTypes: z.array(ChangeTypeSchema, { error: 'must be a list' }),
  notificationOnly: z.boolean({ error: 'must be a boolean' }).optional(),
  identifiers: StringList.optional(),
  information: z.string({ error: 'must be a string' }).optional(),
  references: StringList.optional(),
  authors: StringList.optional(),
  fundingSource: z.string({ error: 'must be a string' }).optional(),
  respondsToEventTypes: StringList.optional(),
  showInChart: z.boolean({ error: 'must be a boolean' }).optional(),
  showInPopulation: z.boolean({ error: 'must be a boolean' }).optional(),
});

/** Everything a protocol computes over, injected by the runner. */
export interface ProtocolContext {
  patient: Patient;
  /**
   * The change that triggered this computation (read from a changes-queue message by
   * `readChangeMessage`); null or absent for a scheduled one.
   */
  change?: ChangeEvent | null;
  /** The computation's instant; a string is an ISO datetime (no offset: UTC). */
  now: Date | string;
  /** The deployment's settings (`this.settings`); default: none. */
  settings?: ProtocolSettings;
  /** The measurement period (`this.timeframe`); default: the year ending `now`. */
  timeframe?: Timeframe;
}

/**
 * A protocol class's static side. Listing a class as a `ProtocolClass` (the registry does) fails
 * to compile when it has no `static meta`, or when it is abstract.
 */
export interface ProtocolClass<P extends Protocol = Protocol> {
  new (context: ProtocolContext): P;
  readonly meta: ProtocolMeta;
  readonly name: string;
}

/** The id a run is recorded under. */
export function protocolKey(protocolClass: Pick<ProtocolClass, 'meta' | 'name'>): string {
  return protocolClass.meta.key ?? protocolClass.name;
}

/**
 * The base class of every protocol: the TypeScript idiom of the kit's `ClinicalQualityMeasure`.
 * A subclass declares `static meta` and implements `computeResults()`; it may call `setUpdates()`
 * to send group and task updates.
 */
export abstract class Protocol {
  /**
   * The patient: `this.patient.patient` is the patient record (`.key`), every other property a
   * collection as a `RecordSet` (`this.patient.conditions.find(Diabetes)`), wrapped on first read.
   */
  readonly patient: PatientRecords<Patient>;
  /**
   * The change that triggered the computation: the kit's `field_changes` object as Canvas sent it
   * (`model_name`, `created`, `deleted`, `fields`, `canvas_id`, `external_id`,
   * `external_identifiers`, and any key the platform adds), or null. `model_name` is the changed
   * model (`appointment`, `notestatechangeevent`, ...), not the change type: see `changeTypes`.
   */
  readonly fieldChanges: FieldChanges | null;
  /**
   * The change types the triggering change stands for (what the kit's `impacted_by_changes` is
   * given), e.g. `['appointment']` for a `notestatechangeevent`; empty for a scheduled run.
   */
  readonly changeTypes: readonly ChangeType[];
  /** The computation's instant. Use it, never the clock, so runs are reproducible. */
  readonly now: Date;
  /** `now` for date arithmetic, in UTC (the kit's `arrow.now()`): `this.arrowNow.shift({ days: 7 })`. */
  readonly arrowNow: KitDateTime;
  /** The deployment's settings (the kit's `self.settings`): `this.settings.string('TEAM_ID')`. */
  readonly settings: ProtocolSettings;

  #timeframe: Timeframe | undefined;

  #updates: Update[] = [];
  #results: ProtocolResult | undefined;

  constructor(context: ProtocolContext) {
    this.now = toInstant(context.now);
    this.arrowNow = KitDateTime.get(this.now);
    this.patient = patientView(context.patient, this.arrowNow);
    this.fieldChanges = context.change?.fieldChanges ?? null;
    this.changeTypes = changeTypesOf(context.change);
    this.settings = context.settings ?? ProtocolSettings.EMPTY;
    this.#timeframe = context.timeframe;
  }

  /** The measurement period (the kit's `self.timeframe`): by default the year ending `now`. */
  get timeframe(): Timeframe {
    this.#timeframe ??= Timeframe.yearEnding(this.arrowNow);
    return this.#timeframe;
  }

  /** Computes the result; may call `setUpdates`. Called once per computation, by `results()`. */
  abstract computeResults(): ProtocolResult;

  /** The class's static meta. */
  get meta(): ProtocolMeta {
    return (this.constructor as ProtocolClass).meta;
  }

  /** Whether the triggering change concerns this protocol (see `impactedByChanges`). */
  impactedByChanges(): boolean {
    return impactedByChanges(this.meta.computeOnChangeTypes, this.changeTypes);
  }

  /**
   * The result, computed once. Not impacted by the change: a `not_relevant` result, without
   * calling `computeResults()` (as the kit does).
   */
  results(): ProtocolResult {
    if (!this.#results) {
      if (this.impactedByChanges()) {
        this.#results = this.computeResults();
      } else {
        this.#results = new ProtocolResult();
        this.#results.status = STATUS_NOT_RELEVANT;
      }
    }
    return this.#results;
  }

  /**
   * The updates to send for this computation. Replaces the list: a second call discards what the
   * first set (the kit's documented behaviour). Build updates with the helpers
   * (`ensurePatientInGroup`, `createTaskPayload`, ...).
   */
  setUpdates(updates: readonly Update[]): void {
    this.#updates = [...updates];
  }

  /** The updates set by the last `setUpdates` call. */
  updates(): Update[] {
    return [...this.#updates];
  }

  status(): ProtocolResult['status'] {
    return this.results().status;
  }

  narrative(): string {
    return this.results().narrative;
  }

  dueIn(): number | null {
    return this.results().dueIn;
  }

  daysOfNotice(): number {
    return this.results().daysOfNotice;
  }

  /** The result's next review, else `now + dueIn` days when due in the future. */
  nextReview(): Date | null {
    return nextReviewOf(this.results(), this.now);
  }
}
