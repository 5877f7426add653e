import '../support/quiet-sdk-warning';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AttributeValue, BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { powertoolsComputeRecorder } from '../../lib/aws/compute-telemetry';
import { DynamoDbPatientSource } from '../../lib/aws/dynamodb-patient-source';
import { SqsBatchSender } from '../../lib/aws/sqs-batch-sender';
import { SqsComputeJobQueue, SqsUpdateQueue } from '../../lib/aws/sqs-update-queue';
import { createComputeOnChangeHandler, createComputeSegmentHandler } from '../../lib/compute';
import { FixtureError, loadPatientFixture } from '../../lib/fixtures';
import { computeProtocols } from '../../lib/protocol';
import { PROTOCOLS } from '../../protocols';
import type { TestStack } from '../support/local-stack';
import { captureOutput, consume, sendAll, size } from '../support/reliability';
import type { QueueRef } from '../support/sqs-driver';
import { updateQueueUrls } from '../support/type-queues';
import { useTestStack } from '../support/use-test-stack';
import {
  generateHostilePatients,
  HOSTILE_PATIENT_KINDS,
  type HostilePatient,
} from './hostile-patients';

// Generated hostile patient records in Canvas's dump shape (unknown fields at every level,
// `__proto__`/`constructor` keys, deep nesting, huge strings, wrong types, nulls, `{}`, bad file
// names, invalid JSON) go through the fixture loader, and, as patients-table items, through the
// real compute handlers (DynamoDB Local, local SQS). Each is computed, or refused with a reason
// naming the file or field and never a value; nothing crashes; no prototype is polluted.

const COUNT = size(1_000, 5_000);
/** Of those, the ones written to the patients table for the handlers (the first ones). */
const TABLE_COUNT = size(250, 2_000);
/** Of those, the ones also recomputed on a change event (the compute-on-change handler). */
const CHANGE_COUNT = size(50, 500);
const SEED = Number(process.env.RELIABILITY_SEED ?? 20_251_201);

function prototypeSnapshot() {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].map((p) =>
    Reflect.ownKeys(p).map(String).sort(),
  );
}

function expectUnpolluted(before: string[][]) {
  expect(prototypeSnapshot()).toEqual(before);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype.toString.call([])).toBe('[object Array]');
}

/** A JSON value as a DynamoDB attribute, keeping every own key (`__proto__` too). */
function attributeOf(value: unknown): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(attributeOf) };
  const map: Record<string, AttributeValue> = {};
  // defineProperty: an assignment to `__proto__` would set the map's prototype, not a key.
  for (const key of Object.keys(value as object))
    Object.defineProperty(map, key, {
      value: attributeOf((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return { M: map };
}

/**
 * Writes the items raw (the document client would drop a `__proto__` key and refuses a
 * `constructor` one): what a patient sync with another marshaller could write.
 */
async function putRaw(stack: TestStack, table: string, records: readonly HostilePatient[]) {
  for (let i = 0; i < records.length; i += 25) {
    let requests = records.slice(i, i + 25).map((record) => ({
      PutRequest: {
        Item: {
          patientKey: { S: record.key },
          data: attributeOf(JSON.parse(record.table?.document ?? '{}')),
        },
      },
    }));
    while (requests.length > 0) {
      const result = await stack.dynamodb.send(
        new BatchWriteItemCommand({ RequestItems: { [table]: requests } }),
      );
      requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
}

let folder: string;
const records = generateHostilePatients(COUNT, SEED);

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'hostile-patients-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe(`hostile patient records (${COUNT} generated, ${HOSTILE_PATIENT_KINDS} kinds, seed ${SEED})`, () => {
  it('the fixture loader computes each or refuses it naming the file and field, never the value', async () => {
    const before = prototypeSnapshot();
    const outcomes = { computed: 0, refused: 0 };
    for (const record of records) {
      const dir = join(folder, record.key);
      await mkdir(dir);
      for (const [file, text] of Object.entries(record.files))
        await writeFile(join(dir, file), text);

      const where = `${record.key} (${record.kind})`;
      let loaded: Awaited<ReturnType<typeof loadPatientFixture>> | undefined;
      let error: unknown;
      try {
        loaded = await loadPatientFixture(dir);
      } catch (caught) {
        error = caught;
      }
      const expected = record.loader;
      if (expected.outcome === 'computed') {
        expect({ where, error: error === undefined ? undefined : String(error) }).toEqual({
          where,
          error: undefined,
        });
        if (!loaded) continue;
        expected.check?.(loaded);
        // The protocols run over it without failing.
        const runs = computeProtocols({
          protocols: PROTOCOLS,
          patient: loaded,
          change: null,
          now: '2024-02-01T12:00:00Z',
        });
        expect({ where, statuses: runs.map((run) => run.status) }).toEqual({
          where,
          statuses: PROTOCOLS.map(() => 'computed'),
        });
        outcomes.computed += 1;
      } else {
        expect({ where, isFixtureError: error instanceof FixtureError }).toEqual({
          where,
          isFixtureError: true,
        });
        const fixtureError = error as FixtureError;
        const seen = {
          where,
          code: fixtureError.code,
          file: fixtureError.file,
          fields: expected.field === undefined ? undefined : fixtureError.fields,
        };
        expect(seen).toEqual({
          where,
          code: expected.code,
          file: join(dir, expected.file),
          fields: expected.field === undefined ? undefined : [expected.field],
        });
        expect({ where, quotesValue: fixtureError.message.includes(record.canary) }).toEqual({
          where,
          quotesValue: false,
        });
        outcomes.refused += 1;
      }
      await rm(dir, { recursive: true, force: true });
    }
    expect(outcomes.computed + outcomes.refused).toBe(COUNT);
    expect(outcomes.computed).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
    expectUnpolluted(before);
  }, 300_000);

  describe('the compute handlers (DynamoDB Local, local SQS)', () => {
    const testStack = useTestStack({ quiet: false });
    let stack: TestStack;
    const inTable = records.slice(0, TABLE_COUNT).filter((r) => r.table !== undefined);

    beforeAll(async () => {
      stack = testStack();
      process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
      await putRaw(stack, stack.tables.PatientsTable as string, inTable);
    }, 300_000);

    it('compute each record or skip it with problems naming fields, never a value', async () => {
      const before = prototypeSnapshot();
      const patients = new DynamoDbPatientSource(stack.documents, stack.tables.PatientsTable ?? '');
      const sender = new SqsBatchSender({ client: stack.sqs, baseDelayMs: 1 });
      const updates = new SqsUpdateQueue(sender, updateQueueUrls(stack));
      const telemetry = () => ({ recorder: powertoolsComputeRecorder() });
      const segment = createComputeSegmentHandler(() => ({
        protocols: PROTOCOLS,
        patients,
        updates,
        jobs: new SqsComputeJobQueue(sender, (stack.queues.ComputeJobsQueue as QueueRef).url),
        budget: { pageSize: 50, reserveMs: 1_000 },
        ...telemetry(),
      }));
      const onChange = createComputeOnChangeHandler(() => ({
        protocols: PROTOCOLS,
        patients,
        updates,
        ...telemetry(),
      }));
      const context = { getRemainingTimeInMillis: () => 600_000 } as never;
      const jobs = stack.queues.ComputeJobsQueue as QueueRef;
      const changes = stack.queues.ChangesQueue as QueueRef;
      const changed = inTable.slice(0, CHANGE_COUNT);
      await sendAll(stack.sqs, jobs, [
        {
          body: {
            runId: 'hostile-run',
            computedAt: new Date().toISOString(),
            segment: 0,
            totalSegments: 1,
          },
        },
      ]);
      await sendAll(
        stack.sqs,
        changes,
        changed.map((record) => ({
          body: {
            patient_key: record.key,
            model_name: 'condition',
            created: false,
            deleted: false,
            fields: {},
            canvas_id: 1,
            external_id: null,
          },
        })),
      );

      const output = captureOutput();
      let lines: string[];
      let stats: { handlerErrors: number; failedRecords: number }[];
      try {
        stats = [
          await consume(stack.sqs, jobs, (event: SQSEvent) => segment(event, context), {
            concurrency: 1,
            batchSize: 1,
          }),
          await consume(stack.sqs, changes, (event: SQSEvent) => onChange(event, context), {
            concurrency: 1,
            batchSize: 10,
          }),
        ];
      } finally {
        lines = output.lines;
        output.restore();
      }

      // Nothing crashed. The segment job completed at once; a change event whose patient record
      // is refused is reported failed, so SQS's redrive dead-letters it (by design).
      const [segmentStats, changeStats] = stats;
      expect(segmentStats).toMatchObject({ handlerErrors: 0, failedRecords: 0 });
      expect(changeStats).toMatchObject({ handlerErrors: 0 });
      const logged = (message: string) =>
        lines
          .filter((line) => line.includes(`"message":"${message}"`))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
      const problemsLike = (expected: string) =>
        expected.endsWith('…')
          ? expect.stringMatching(
              new RegExp(`^${expected.slice(0, -1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
            )
          : expected;

      // The scan: every record computed or skipped as expected, with the expected problems.
      const skipped = new Map(
        logged('invalid patient record skipped').map((l) => [l.patientKey, l.problems]),
      );
      const refused = inTable.filter((r) => r.table?.expected.outcome === 'refused');
      for (const record of inTable) {
        const expected = record.table?.expected;
        const where = `${record.key} (${record.kind})`;
        if (expected?.outcome === 'refused')
          expect({ where, problems: skipped.get(record.key) }).toEqual({
            where,
            problems: problemsLike(expected.problems),
          });
        else
          expect({ where, skipped: skipped.get(record.key) }).toEqual({
            where,
            skipped: undefined,
          });
      }
      const [summary] = logged('segment job computed');
      expect((summary as { counts: unknown }).counts).toMatchObject({
        patients: inTable.length - refused.length,
        invalidPatients: refused.length,
        failed: 0,
      });

      // The changes: computed, or rejected as an invalid patient record with the same problems.
      const rejected = new Map(
        logged('change event rejected').map((l) => [l.patientKey, [l.reason, l.detail]]),
      );
      const recomputed = new Set(logged('change recomputed').map((l) => l.patientKey));
      for (const record of changed) {
        const expected = record.table?.expected;
        const where = `${record.key} (${record.kind})`;
        if (expected?.outcome === 'refused')
          expect({ where, rejected: rejected.get(record.key) }).toEqual({
            where,
            rejected: ['invalid-patient-record', problemsLike(expected.problems)],
          });
        else
          expect({ where, recomputed: recomputed.has(record.key) }).toEqual({
            where,
            recomputed: true,
          });
      }

      // No log line quotes a value (or a key) from the records.
      const leaks = inTable.filter((r) => lines.some((line) => line.includes(r.canary)));
      expect(leaks.map((r) => `${r.key} (${r.kind})`)).toEqual([]);
      expectUnpolluted(before);
    }, 600_000);
  });
});
