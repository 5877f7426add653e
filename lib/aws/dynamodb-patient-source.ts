import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { PATIENT_COLLECTIONS, PatientSchema, type ScanStartKey } from '../../schemas';
import type {
  PatientCounter,
  PatientRecord,
  PatientSource,
  SegmentPage,
  SegmentPageRequest,
} from '../compute/ports';
import { describeProblems, loggableProblemsFromZod } from '../validation-error';

/** The patients table's partition key. */
export const PATIENT_KEY_ATTRIBUTE = 'patientKey';

/** The attribute holding the patient document (docs/data-model.md, patients). */
export const PATIENT_DATA_ATTRIBUTE = 'data';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a patients-table item: `{ patientKey, data: { patient, appointments, conditions, ... },
 * updatedAt }` (docs/data-model.md; written by `patientItem`). Only the patient document's
 * properties are parsed, so bookkeeping attributes do not fail the strict schema. A record the
 * schema refuses, or whose `patient.key` differs from its `patientKey`, comes back `invalid`. Its
 * `problems` are logged: they name schema fields and count unknown ones (a field named after a
 * person is data), never a value.
 */
export function patientRecordFromItem(item: Record<string, unknown>): PatientRecord {
  const patientKey = String(item[PATIENT_KEY_ATTRIBUTE] ?? '(missing key)');
  const stored = item[PATIENT_DATA_ATTRIBUTE];
  const source = isObject(stored) ? stored : {};
  const document: Record<string, unknown> = {};
  for (const name of PATIENT_COLLECTIONS) {
    if (source[name] !== undefined) document[name] = source[name];
  }
  const parsed = PatientSchema.safeParse(document);
  if (!parsed.success)
    return {
      kind: 'invalid',
      patientKey,
      problems: describeProblems(
        loggableProblemsFromZod(parsed.error, 'see the item in the patients table'),
      ),
    };
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
