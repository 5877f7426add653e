import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import {
  isStructureIssue,
  PATIENT_COLLECTIONS,
  PatientSchema,
  type ScanStartKey,
} from '../../schemas';
import type {
  PatientCounter,
  PatientRecord,
  PatientSource,
  SegmentPage,
  SegmentPageRequest,
} from '../ports/compute';
import { describeProblems, loggableProblemsFromZod } from '../validation-error';

/** The patients table's partition key. */
export const PATIENT_KEY_ATTRIBUTE = 'patientKey';

/** The attribute holding the patient document (docs/data-model.md, patients). */
export const PATIENT_DATA_ATTRIBUTE = 'data';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A schema refusal of a stored patient document, for logs: fields and reasons, nothing of the
 * data. Every path segment that is not a schema field name is withheld: a collection we do not
 * type is named by its property (text from the data), and the structure guard's paths
 * (`__proto__`, nesting too deep) run through unknown keys; those are cut at the record.
 */
export function loggablePatientProblems(error: z.ZodError): string {
  const issues = error.issues.map((issue) => {
    const [top] = issue.path;
    if (typeof top === 'string' && top !== 'patient' && !isTypedCollection(top))
      return {
        ...issue,
        path: [],
        message: `a collection we do not type: ${issue.message} (name withheld)`,
      };
    if (isStructureIssue(issue)) {
      const cut = top === 'patient' ? 1 : 2;
      if (issue.path.length > cut)
        return {
          ...issue,
          path: issue.path.slice(0, cut),
          message: `${issue.message} (path withheld)`,
        };
    }
    return issue;
  });
  return describeProblems(
    loggableProblemsFromZod(new z.ZodError(issues), 'see the item in the patients table'),
  );
}

function isTypedCollection(name: string): boolean {
  return (PATIENT_COLLECTIONS as readonly string[]).includes(name);
}

/**
 * Reads a patients-table item: `{ patientKey, data: { patient, conditions, upcomingAppointments,
 * ... }, updatedAt }` (docs/data-model.md; written by `patientItem`): the patient document in
 * Canvas's dump shape. A record the schema refuses, or whose `patient.key` differs from its
 * `patientKey`, comes back `invalid`. Its `problems` are logged: they name schema fields and
 * withhold anything else (see `loggablePatientProblems`), never a value.
 */
export function patientRecordFromItem(item: Record<string, unknown>): PatientRecord {
  const patientKey = String(item[PATIENT_KEY_ATTRIBUTE] ?? '(missing key)');
  const stored = item[PATIENT_DATA_ATTRIBUTE];
  const parsed = PatientSchema.safeParse(isObject(stored) ? stored : {});
  if (!parsed.success)
    return { kind: 'invalid', patientKey, problems: loggablePatientProblems(parsed.error) };
  if (parsed.data.patient.key !== patientKey)
    return { kind: 'invalid', patientKey, problems: 'patient.key: differs from patientKey' };
  return { kind: 'valid', patientKey, patient: parsed.data };
}

/** `PatientSource` and `PatientCounter` over the DynamoDB patients table. */
export class DynamoDbPatientSource implements PatientSource, PatientCounter {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getPatient(patientKey: string): Promise<PatientRecord | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { [PATIENT_KEY_ATTRIBUTE]: patientKey } }),
    );
    return Item ? patientRecordFromItem(Item) : undefined;
  }

  async readSegmentPage(request: SegmentPageRequest): Promise<SegmentPage> {
    const { Items, LastEvaluatedKey } = await this.documents.send(
      new ScanCommand({
        TableName: this.tableName,
        Segment: request.segment,
        TotalSegments: request.totalSegments,
        ExclusiveStartKey: request.startKey,
        Limit: request.limit,
      }),
    );
    return {
      records: (Items ?? []).map(patientRecordFromItem),
      lastKey: LastEvaluatedKey as ScanStartKey | undefined,
    };
  }

  async approximatePatientCount(): Promise<number> {
    const { Table } = await this.documents.send(
      new DescribeTableCommand({ TableName: this.tableName }),
    );
    return Table?.ItemCount ?? 0;
  }
}
