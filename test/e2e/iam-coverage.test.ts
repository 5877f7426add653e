import '../support/quiet-sdk-warning';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { handler as applyGroupMembership } from '../../handlers/apply-group-membership';
import { handler as applyTask } from '../../handlers/apply-task';
import { handler as applyTaskComment } from '../../handlers/apply-task-comment';
import { handler as applyTaskUpdate } from '../../handlers/apply-task-update';
import { handler as computeOnChange } from '../../handlers/compute-on-change';
import { handler as computeSegment } from '../../handlers/compute-segment';
import { handler as planRecomputation } from '../../handlers/plan-recomputation';
import { REJECTION_ATTRIBUTE } from '../../lib/apply/dead-letter';
import { DEFAULT_UNKNOWN_TASK_ATTEMPTS } from '../../lib/apply/unknown-task';
import { awsClients } from '../../lib/aws/clients';
import { MESSAGE_TYPES } from '../../lib/message-types';
import {
  createTaskPayload,
  ensurePatientInGroup,
  ensurePatientNotInGroup,
  taskCommentPayload,
  updateTaskPayload,
} from '../../lib/update-helpers';
import type { FlatChangeEvent, GroupMembershipUpdate, PatientInput } from '../../schemas';
import { ComputeJobSchema } from '../../schemas';
import {
  drainQueue,
  lambdaContext,
  seedPatients,
  sendMessage,
  sqsEventOf,
  testPatient,
} from '../integration/compute/compute-test-support';
import { AwsCallRecorder, type RecordedCall } from '../support/aws-call-recorder';
import { withUpcomingAppointments } from '../support/canvas-patient';
import { LogicalIds, permissionsOf, requiredPermissions } from '../support/iam-permissions';
import {
  eventSourceQueues,
  functionGrants,
  type Grant,
  isAllowed,
  logGroupName,
  queuePolicyDenies,
  resourceName,
  templateFunctionKeys,
  wildcardMatch,
} from '../support/iam-roles';
import { TEST_STAGE, type TestStack } from '../support/local-stack';
import { seedGroup, seedPatient } from '../support/seed';
import { type PackagedService, packageService } from '../support/serverless-package';
import {
  drain,
  type QueueRef,
  receiveEvent,
  sendUpdate,
  settle,
  takeAll,
} from '../support/sqs-driver';
import { useTestStack } from '../support/use-test-stack';

/**
 * Each function's IAM role (resources/iam.yml, as `serverless package` puts it in the template)
 * against the AWS calls the function's code makes: the handlers run in-process against DynamoDB
 * Local and local SQS, their SDK clients record every call per function, and the check is both
 * ways. Every call must be allowed by the function's role on that resource; every action/resource
 * pair the role grants must have been needed by some scenario, or be excused with its reason
 * (`platformAllowances`, `HAND_ALLOWANCES`). A call the role was not updated for, or a grant no
 * scenario needs, fails here. In test/e2e because it packages the service (a few seconds).
 */

jest.setTimeout(60_000);

// Packaging takes seconds: started before the stack, awaited by the checks.
let packaging: Promise<PackagedService>;
beforeAll(() => {
  packaging = packageService(TEST_STAGE);
  // Awaited (and so reported) by the checks; this only keeps a failure from being unhandled first.
  packaging.catch(() => undefined);
});
afterAll(async () => {
  await (await packaging.catch(() => undefined))?.remove();
});

const testStack = useTestStack();
let stack: TestStack;
const recorder = new AwsCallRecorder();
const savedPageSize = process.env.COMPUTE_PAGE_SIZE;

const queue = (logicalId: string): QueueRef => {
  const found = stack.queues[logicalId];
  if (!found) throw new Error(`the test stack has no queue ${logicalId}`);
  return found;
};
const table = (logicalId: string) => stack.tables[logicalId] ?? '';

/** A handler run as the named function: the calls it makes are recorded as that function's. */
function as<E, R>(functionKey: string, handler: (event: E) => Promise<R>) {
  return (event: E) => recorder.during(functionKey, () => handler(event));
}

const rejectionReasons = async (dlq: string) =>
  (await takeAll(stack.sqs, queue(dlq))).map(
    (m) => m.MessageAttributes?.[REJECTION_ATTRIBUTE.reason]?.StringValue,
  );
const failuresOf = (responses: SQSBatchResponse[]) => responses.flatMap((r) => r.batchItemFailures);

/** Recent enough for the appliers' computed-at checks; one millisecond per newer version. */
const T0 = Date.now() - 60_000;
const APPOINTMENT_ID = 'iam-appt-1';
const FUTURE_START = '2099-06-01T09:00:00';

/** Patient 0 has active diabetes and an upcoming appointment: a Group and a Task update. */
function patientWithAppointment(): PatientInput {
  return withUpcomingAppointments(testPatient(0), [
    { id: APPOINTMENT_ID, startTime: FUTURE_START, providerKey: 'staff-7' },
  ]);
}

beforeAll(async () => {
  stack = testStack();
  // The handlers' own clients (built once, as in a container): what they send is recorded.
  recorder.attach(awsClients());
  // Two patients a page, so three patients make a segment that can hand on.
  process.env.COMPUTE_PAGE_SIZE = '2';
  await seedPatients(stack.documents, table('PatientsTable'), [
    patientWithAppointment(),
    testPatient(1),
    testPatient(2),
  ]);
});

afterAll(() => {
  if (savedPageSize === undefined) delete process.env.COMPUTE_PAGE_SIZE;
  else process.env.COMPUTE_PAGE_SIZE = savedPageSize;
});

describe('the functions run their scenarios (DynamoDB Local, local SQS; calls recorded)', () => {
  const plan = as('planRecomputation', planRecomputation);
  const segment = (remainingMs: number) =>
    as('computeSegment', (event: SQSEvent) =>
      computeSegment(
        event,
        lambdaContext(() => remainingMs),
      ),
    );

  /** Runs every job on the compute jobs queue (continuations too); returns the jobs. */
  async function computeAllJobs(remainingMs: number) {
    const jobs = [];
    for (let round = 0; round < 20; round++) {
      const messages = await drainQueue(stack.sqs, queue('ComputeJobsQueue').url);
      if (messages.length === 0) return jobs;
      for (const message of messages) {
        jobs.push(ComputeJobSchema.parse(JSON.parse(message.Body ?? '')));
        const response = await segment(remainingMs)(
          sqsEventOf([message], queue('ComputeJobsQueue').arn),
        );
        expect(response.batchItemFailures).toEqual([]);
      }
    }
    throw new Error('compute jobs kept coming after 20 rounds');
  }

  /** What the compute functions sent, per update queue (taken off, so appliers start empty). */
  async function takeComputedUpdates() {
    const counts: Record<string, number> = {};
    for (const { queue: ids } of MESSAGE_TYPES)
      counts[ids.logicalId] = (await drainQueue(stack.sqs, queue(ids.logicalId).url)).length;
    return counts;
  }

  it('planRecomputation plans a run, and computeSegment computes it into Group and Task updates', async () => {
    const planned = await plan({ id: 'iam-run-1', time: new Date().toISOString() });
    const jobs = await computeAllJobs(300_000);

    expect(planned.totalSegments).toBeGreaterThan(0);
    expect(jobs.filter((j) => j.startKey !== undefined)).toEqual([]);
    expect(await takeComputedUpdates()).toEqual({
      GroupQueue: 3,
      TaskQueue: 1,
      TaskUpdateQueue: 0,
      TaskCommentQueue: 0,
    });
  });

  it('computeSegment hands a segment on to a continuation job when its time runs short', async () => {
    // Forced (`recompute --all --reassert`): the first run's updates, unchanged, are sent again.
    await plan({ id: 'iam-run-2', time: new Date().toISOString(), reassert: true });
    // 10 s left is under the segment's time reserve: one page, then a continuation job.
    const jobs = await computeAllJobs(10_000);

    expect(jobs.filter((j) => j.startKey !== undefined).length).toBeGreaterThan(0);
    expect((await takeComputedUpdates()).GroupQueue).toBe(3);
  });

  it('computeOnChange recomputes on a condition change, a new and a cancelled appointment', async () => {
    const patientKey = patientWithAppointment().patient.key;
    const change = (overrides: Partial<FlatChangeEvent>): FlatChangeEvent => ({
      patient_key: patientKey,
      model_name: 'appointment',
      created: true,
      deleted: false,
      fields: { start_time: [null, FUTURE_START] },
      canvas_id: APPOINTMENT_ID,
      external_id: null,
      ...overrides,
    });
    const changes = queue('ChangesQueue');
    for (const body of [
      change({
        model_name: 'condition',
        created: false,
        fields: { clinical_status: [null, 'active'] },
      }),
      change({}),
      change({ created: false, fields: { status: ['confirmed', 'cancelled'] } }),
    ])
      await sendMessage(stack.sqs, changes.url, body);

    const messages = await drainQueue(stack.sqs, changes.url);
    const event = sqsEventOf(messages, changes.arn);
    // As `recompute --patient --reassert` marks them: the condition's Group update and the new
    // appointment's Task equal what the scheduled runs sent, and would be held back otherwise.
    for (const record of event.Records)
      record.messageAttributes = { reassert: { stringValue: 'true', dataType: 'String' } };
    const response = await as('computeOnChange', (e: SQSEvent) =>
      computeOnChange(
        e,
        lambdaContext(() => 60_000),
      ),
    )(event);

    expect(response.batchItemFailures).toEqual([]);
    expect(await takeComputedUpdates()).toEqual({
      GroupQueue: 1,
      TaskQueue: 1,
      TaskUpdateQueue: 1,
      TaskCommentQueue: 0,
    });
  });

  it('applyGroupMembership creates, confirms, leaves and rejoins; checks a multi-entry message; rejects', async () => {
    const apply = as('applyGroupMembership', applyGroupMembership);
    const groupQueue = queue('GroupQueue');
    await seedGroup(stack, 'iam-group', 'IAM coverage group');
    for (const key of ['iam-p1', 'iam-p2', 'iam-p3']) await seedPatient(stack, key);
    /** One Group message with several entries: `[patientKey, active]` each. */
    const entries = (list: [string, boolean][]): GroupMembershipUpdate => {
      const update = ensurePatientInGroup('placeholder', 'iam-group');
      update.integration_payload.members.entries = list.map(([uuid, active]) =>
        active ? { uuid } : { uuid, inactive: true },
      );
      return update;
    };
    const messages: [GroupMembershipUpdate, string][] = [
      [ensurePatientInGroup('iam-p1', 'iam-group'), 'create'],
      [ensurePatientInGroup('iam-p1', 'iam-group'), 'confirm'],
      [ensurePatientNotInGroup('iam-p1', 'iam-group'), 'leave'],
      [ensurePatientInGroup('iam-p1', 'iam-group'), 'rejoin'],
      // Several entries are read first (BatchGetItem of the group and the patients) ...
      [
        entries([
          ['iam-p2', true],
          ['iam-p3', true],
        ]),
        'multi',
      ],
      // ... and a refused one also reads the memberships before rejecting the message.
      [
        entries([
          ['iam-p2', true],
          ['iam-nobody', true],
        ]),
        'multi-refused',
      ],
    ];

    const responses: SQSBatchResponse[] = [];
    for (const [i, [body, updateId]] of messages.entries()) {
      await sendUpdate(stack.sqs, groupQueue, body, { updateId, computedAt: T0 + i });
      responses.push(...(await drain(stack.sqs, groupQueue, apply)));
    }

    expect(failuresOf(responses)).toEqual([]);
    expect(await rejectionReasons('GroupDeadLetterQueue')).toEqual(['unknown-patient']);
  });

  it('applyTask creates a task with a new label, settles its re-send by a read, and rejects a task for an unknown patient', async () => {
    const apply = as('applyTask', applyTask);
    const taskQueue = queue('TaskQueue');
    await seedPatient(stack, 'iam-t1');
    const task = (patientKey: string) =>
      createTaskPayload({
        patientKey,
        createdByKey: 'staff-1',
        title: 'Call back',
        labels: ['IAM new label'],
        dedupeKey: 'iam:1',
      });
    await sendUpdate(stack.sqs, taskQueue, task('iam-t1'), { updateId: 't1', computedAt: T0 });
    await sendUpdate(stack.sqs, taskQueue, task('iam-nobody'), { updateId: 't2', computedAt: T0 });
    const responses = await drain(stack.sqs, taskQueue, apply);
    // The next scheduled run re-sends it: the task exists, one GetItem and no transaction.
    await sendUpdate(stack.sqs, taskQueue, task('iam-t1'), { updateId: 't3', computedAt: T0 + 1 });
    responses.push(...(await drain(stack.sqs, taskQueue, apply)));

    expect(failuresOf(responses)).toEqual([]);
    expect(await rejectionReasons('TaskDeadLetterQueue')).toEqual(['unknown-patient']);
  });

  it('applyTaskUpdate closes the task and adds a label, and rejects an invalid message', async () => {
    const apply = as('applyTaskUpdate', applyTaskUpdate);
    const lifecycle = queue('TaskUpdateQueue');
    await sendUpdate(
      stack.sqs,
      lifecycle,
      updateTaskPayload({
        patientKey: 'iam-t1',
        dedupeKey: 'iam:1',
        status: 'CLOSED',
        addLabels: ['IAM later label'],
      }),
      { updateId: 'u1', computedAt: T0 + 1 },
    );
    // No task and no changes: the schema refuses it before any read.
    await sendUpdate(
      stack.sqs,
      lifecycle,
      { integration_type: 'TaskUpdate' },
      { updateId: 'u2', computedAt: T0 + 2 },
    );

    const responses = await drain(stack.sqs, lifecycle, apply);

    expect(failuresOf(responses)).toEqual([]);
    expect(await rejectionReasons('TaskUpdateDeadLetterQueue')).toEqual(['schema']);
  });

  it('applyTaskComment adds a comment, and dead-letters one on a missing task', async () => {
    const apply = as('applyTaskComment', applyTaskComment);
    const comments = queue('TaskCommentQueue');
    const comment = (dedupeKey: string) =>
      taskCommentPayload({
        patientKey: 'iam-t1',
        dedupeKey,
        createdByKey: 'staff-2',
        body: 'Done',
      });
    await sendUpdate(stack.sqs, comments, comment('iam:1'), { updateId: 'c1', computedAt: T0 });
    const added = await drain(stack.sqs, comments, apply);
    await sendUpdate(stack.sqs, comments, comment('iam:none'), { updateId: 'c2', computedAt: T0 });
    // Its last allowed delivery (receive count set by hand): refused as unknown-task.
    const missing = await receiveEvent(stack.sqs, comments);
    for (const record of missing.Records)
      record.attributes.ApproximateReceiveCount = String(DEFAULT_UNKNOWN_TASK_ATTEMPTS);
    const refused = await apply(missing);
    await settle(stack.sqs, comments, missing, refused);

    expect(failuresOf([...added, refused])).toEqual([]);
    expect(await rejectionReasons('TaskCommentDeadLetterQueue')).toEqual(['unknown-task']);
  });
});

/**
 * Grants no scenario needs that the role must keep, with the reason. Matched against the grants
 * as the template writes them (`resource` may use `*`). An entry that matches no grant fails the
 * test too, so the list cannot outlive the grants it excuses.
 */
interface Allowance {
  functionKey: string;
  action: string;
  resource: string;
  why: string;
}

const HAND_ALLOWANCES: readonly Allowance[] = [
  {
    functionKey: 'computeSegment',
    action: 'sqs:SendMessage',
    resource: 'TaskUpdateQueue',
    why: 'no protocol sends a TaskUpdate on a scheduled run (AppointmentReminder closes tasks on a cancelling change only); the segment code sends each update type a protocol returns to its queue',
  },
  {
    functionKey: 'computeSegment',
    action: 'sqs:SendMessage',
    resource: 'TaskCommentQueue',
    why: 'no protocol in PROTOCOLS sends TaskComment yet; the segment code routes every update type',
  },
  {
    functionKey: 'computeOnChange',
    action: 'sqs:SendMessage',
    resource: 'TaskCommentQueue',
    why: 'no protocol in PROTOCOLS sends TaskComment yet; the change code routes every update type',
  },
];

/** The grants every function needs that its code does not use, derived from the template. */
function platformAllowances(template: PackagedService['template'], functionKey: string) {
  const allowances: Allowance[] = [];
  // Lambda writes the function's logs with its role; the code makes no CloudWatch Logs call
  // (Powertools metrics are EMF log lines).
  for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents'])
    allowances.push({
      functionKey,
      action,
      resource: `*:log-group:${logGroupName(template, functionKey)}:*`,
      why: 'Lambda writes the function logs',
    });
  // The event source mapping polls the function's queue with the function's role; the tests
  // stand in for it with their own client.
  for (const queueId of eventSourceQueues(template, functionKey))
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'])
      allowances.push({
        functionKey,
        action,
        resource: queueId,
        why: 'the event source mapping polls',
      });
  return allowances;
}

const excuses = (allowance: Allowance, grant: Grant) =>
  allowance.action.toLowerCase() === grant.action.toLowerCase() &&
  wildcardMatch(allowance.resource, grant.resource);

const describeGrant = (functionKey: string, g: Grant) =>
  `${functionKey}: ${g.action} on ${g.resource}`;

describe('each function role against its recorded calls (serverless package template)', () => {
  let template: PackagedService['template'];
  let ids: LogicalIds;
  const callsOf = (functionKey: string): RecordedCall[] => recorder.callsOf(functionKey);

  beforeAll(async () => {
    ({ template } = await packaging);
    ids = new LogicalIds(stack);
  });

  it('ran a scenario for every function serverless.yml declares, and recorded no other calls', () => {
    const recorded = [...new Set(recorder.calls.map((c) => c.functionName))].sort();
    expect(recorded).toEqual(templateFunctionKeys(template));
  });

  it('allows every call each function made, on the resource it made it on', () => {
    const denied: string[] = [];
    for (const functionKey of templateFunctionKeys(template)) {
      const grants = functionGrants(template, functionKey);
      for (const [key, { permission, operations }] of permissionsOf(callsOf(functionKey), ids))
        if (!isAllowed(grants, permission))
          denied.push(`${functionKey}: ${key} (needed by ${[...operations].join(', ')})`);
    }
    expect(denied).toEqual([]);
  });

  it('lets every call through the queue policies too (an applier to its DLQ, compute to the type queues)', () => {
    const denied: string[] = [];
    for (const functionKey of templateFunctionKeys(template))
      for (const [key, { permission }] of permissionsOf(callsOf(functionKey), ids))
        if (queuePolicyDenies(template, functionKey, permission))
          denied.push(`${functionKey}: ${key}`);
    expect(denied).toEqual([]);
    // Each function sent something that a queue policy governs: the check had calls to judge.
    const sends = templateFunctionKeys(template).filter((key) =>
      [...permissionsOf(callsOf(key), ids).values()].some(
        (p) => p.permission.action === 'sqs:SendMessage',
      ),
    );
    expect(sends).toEqual(templateFunctionKeys(template));
  });

  it('grants nothing the scenarios did not need, except the listed allowances', () => {
    const unused: string[] = [];
    const unusedAllowances: string[] = [];
    for (const functionKey of templateFunctionKeys(template)) {
      const grants = functionGrants(template, functionKey).filter((g) => g.effect === 'Allow');
      const needed = [...permissionsOf(callsOf(functionKey), ids).values()].map(
        (p) => p.permission,
      );
      const allowances = [
        ...platformAllowances(template, functionKey),
        ...HAND_ALLOWANCES.filter((a) => a.functionKey === functionKey),
      ];
      for (const grant of grants) {
        const used = needed.some((permission) => isAllowed([grant], permission));
        if (!used && !allowances.some((a) => excuses(a, grant)))
          unused.push(describeGrant(functionKey, grant));
      }
      for (const allowance of allowances)
        if (!grants.some((grant) => excuses(allowance, grant)))
          unusedAllowances.push(
            `${functionKey}: ${allowance.action} on ${allowance.resource} (${allowance.why})`,
          );
    }
    expect({ unused, unusedAllowances }).toEqual({ unused: [], unusedAllowances: [] });
  });
});

describe('mapping calls to IAM actions, and reading the roles', () => {
  const resources = {
    tables: { GroupsTable: 'groups', MembershipsTable: 'memberships' },
    queues: { GroupDlq: { name: 'group-dlq', url: 'http://sqs/000/group-dlq', arn: 'arn' } },
  };
  const call = (operation: string, targets: RecordedCall['targets']): RecordedCall => ({
    functionName: 'f',
    service: operation.startsWith('Send') ? 'sqs' : 'dynamodb',
    operation,
    targets,
  });

  it('authorises a transaction per item with the item-level action on its table', () => {
    const needed = requiredPermissions(
      call('TransactWriteItems', [
        { resource: 'groups', part: 'ConditionCheck' },
        { resource: 'memberships', part: 'Put' },
        { resource: 'memberships', part: 'Update' },
      ]),
      new LogicalIds(resources),
    );
    expect(needed).toEqual([
      { action: 'dynamodb:ConditionCheckItem', resource: 'GroupsTable' },
      { action: 'dynamodb:PutItem', resource: 'MembershipsTable' },
      { action: 'dynamodb:UpdateItem', resource: 'MembershipsTable' },
    ]);
  });

  it('authorises a batch send as SendMessage, a query on an index on the index', () => {
    const ids = new LogicalIds(resources);
    expect(
      requiredPermissions(
        call('SendMessageBatch', [{ resource: 'http://sqs/000/group-dlq' }]),
        ids,
      ),
    ).toEqual([{ action: 'sqs:SendMessage', resource: 'GroupDlq' }]);
    expect(
      requiredPermissions(
        call('Query', [{ resource: 'memberships', index: 'activeMembers' }]),
        ids,
      ),
    ).toEqual([{ action: 'dynamodb:Query', resource: 'MembershipsTable/index/activeMembers' }]);
    // A table the stack does not declare is never allowed; a queue's name is not a table's.
    expect(requiredPermissions(call('GetItem', [{ resource: 'group-dlq' }]), ids)).toEqual([
      { action: 'dynamodb:GetItem', resource: '?group-dlq' },
    ]);
  });

  it('reads a queue policy: an unconditional send deny, or one that exempts the role', () => {
    const policy = (condition?: unknown) => ({
      Resources: {
        FLambdaFunction: {
          Type: 'AWS::Lambda::Function',
          Properties: { Role: { 'Fn::GetAtt': ['FRole', 'Arn'] } },
        },
        QPolicy: {
          Type: 'AWS::SQS::QueuePolicy',
          Properties: {
            Queues: [{ Ref: 'Q' }],
            PolicyDocument: {
              Statement: [
                {
                  Effect: 'Deny',
                  Principal: '*',
                  Action: 'sqs:*',
                  Resource: { 'Fn::GetAtt': ['Q', 'Arn'] },
                  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
                },
                {
                  Effect: 'Deny',
                  Principal: '*',
                  Action: 'sqs:SendMessage',
                  Resource: { 'Fn::GetAtt': ['Q', 'Arn'] },
                  ...(condition === undefined ? {} : { Condition: condition }),
                },
              ],
            },
          },
        },
      },
    });
    const send = { action: 'sqs:SendMessage', resource: 'Q' };
    const exempting = (role: string) => ({
      ArnNotLike: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [role, 'Arn'] }] },
    });
    expect(queuePolicyDenies(policy(), 'f', send)).toBe(true);
    expect(queuePolicyDenies(policy(exempting('FRole')), 'f', send)).toBe(false);
    expect(queuePolicyDenies(policy(exempting('OtherRole')), 'f', send)).toBe(true);
    // Over TLS (as the SDK always is), the transport deny does not apply to a receive.
    expect(queuePolicyDenies(policy(), 'f', { action: 'sqs:ReceiveMessage', resource: 'Q' })).toBe(
      false,
    );
    expect(queuePolicyDenies(policy(), 'f', { action: 'sqs:SendMessage', resource: 'R' })).toBe(
      false,
    );
  });

  it('names GetAtt ARNs by logical id, and a table grant does not cover its indexes', () => {
    const indexGrant: Grant = {
      effect: 'Allow',
      action: 'dynamodb:Query',
      resource: resourceName({
        'Fn::Join': ['', [{ 'Fn::GetAtt': ['MembershipsTable', 'Arn'] }, '/index/*']],
      }),
    };
    const tableGrant: Grant = {
      effect: 'Allow',
      action: 'dynamodb:*',
      resource: resourceName({ 'Fn::GetAtt': ['MembershipsTable', 'Arn'] }),
    };
    const onIndex = { action: 'dynamodb:Query', resource: 'MembershipsTable/index/activeMembers' };

    expect(isAllowed([indexGrant], onIndex)).toBe(true);
    expect(isAllowed([tableGrant], onIndex)).toBe(false);
    expect(
      isAllowed([tableGrant], { action: 'dynamodb:Query', resource: 'MembershipsTable' }),
    ).toBe(true);
    expect(
      isAllowed([tableGrant, { ...tableGrant, effect: 'Deny', action: 'dynamodb:Query' }], {
        action: 'dynamodb:Query',
        resource: 'MembershipsTable',
      }),
    ).toBe(false);
  });
});
