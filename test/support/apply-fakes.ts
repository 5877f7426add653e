import type { SQSRecord } from 'aws-lambda';
import type { RecordResult } from '../../lib/apply/outcomes';
import {
  type ConditionalWrite,
  type CreateMembershipResult,
  type CreateTaskResult,
  type DeadLetter,
  type DeadLetterQueue,
  type EntryReferences,
  isNewerStamp,
  type LabelRef,
  type MembershipKey,
  type MembershipStamp,
  type MembershipState,
  type MembershipStore,
  type StoredTaskState,
  type TaskChange,
  type TaskItem,
  type TaskKey,
  type TaskLifecycleStore,
  type TaskStore,
  type TransitionResult,
  type WriteTaskChangeResult,
} from '../../lib/ports';
import type { OutcomeRecorder } from '../../lib/ports/outcome-recorder';

/** One closed period of a membership, as the DynamoDB store appends it to `periods`. */
export interface FakeMembershipPeriod {
  /** Absent only if the state the deactivation started from carried none. */
  startedAt?: string;
  endedAt: string;
  endedByUpdateId: string;
}

/** A stored membership in the fake, shaped like the DynamoDB item. */
export interface FakeMembership {
  groupId: string;
  patientKey: string;
  active: boolean;
  version: number;
  lastUpdateId: string;
  startedAt?: string;
  endedAt?: string;
  /** Every closed period, oldest first. */
  periods?: FakeMembershipPeriod[];
  updatedAt: string;
}

type Operation = 'confirm' | 'transition' | 'create';
type Read = 'references' | 'memberships';

/**
 * In-memory MembershipStore with the DynamoDB adapter's conditions. `beforeWrite` runs before each
 * write operation (throw to simulate an outage, or write to simulate a concurrent writer); `calls`
 * logs the writes and `reads` the reads.
 */
export class FakeMembershipStore implements MembershipStore {
  readonly groups = new Map<string, { active: boolean }>();
  readonly patients = new Set<string>();
  readonly items = new Map<string, FakeMembership>();
  readonly calls: Operation[] = [];
  readonly reads: Read[] = [];
  beforeWrite?: (operation: Operation, key: MembershipKey) => void;

  static id(key: MembershipKey): string {
    return JSON.stringify([key.groupId, key.patientKey]);
  }

  get(groupId: string, patientKey: string): FakeMembership | undefined {
    return this.items.get(FakeMembershipStore.id({ groupId, patientKey }));
  }

  /** What the DynamoDB store reads back of an item (a failed condition's `ALL_OLD`, or a read). */
  private state(item: FakeMembership | undefined): MembershipState | undefined {
    return (
      item && {
        active: item.active,
        version: item.version,
        lastUpdateId: item.lastUpdateId,
        ...(item.startedAt === undefined ? {} : { startedAt: item.startedAt }),
      }
    );
  }

  async confirm(
    key: MembershipKey,
    active: boolean,
    stamp: MembershipStamp,
  ): Promise<ConditionalWrite> {
    this.calls.push('confirm');
    this.beforeWrite?.('confirm', key);
    const item = this.items.get(FakeMembershipStore.id(key));
    if (!item || item.active !== active || !isNewerStamp(stamp, item)) {
      return { written: false, current: this.state(item) };
    }
    Object.assign(item, {
      version: stamp.version,
      lastUpdateId: stamp.updateId,
      updatedAt: stamp.at,
    });
    return { written: true };
  }

  async transition(
    key: MembershipKey,
    active: boolean,
    stamp: MembershipStamp,
    from: MembershipState,
  ): Promise<TransitionResult> {
    this.calls.push('transition');
    this.beforeWrite?.('transition', key);
    const item = this.items.get(FakeMembershipStore.id(key));
    // The item's own condition comes first, as the DynamoDB store reads the transaction's
    // cancellation reasons: a moved item is judged again by the caller, whatever the group.
    if (
      !item ||
      item.active === active ||
      !isNewerStamp(stamp, item) ||
      // A deactivation closes the period `from` carried: its start must still be the stored one.
      (!active && item.startedAt !== from.startedAt)
    )
      return { written: false, current: this.state(item) };
    // Only then the group, which an activation needs active.
    if (active) {
      const group = this.groups.get(key.groupId);
      if (!group) return { written: false, refused: 'unknown-group' };
      if (!group.active) return { written: false, refused: 'inactive-group' };
    }
    Object.assign(item, {
      active,
      version: stamp.version,
      lastUpdateId: stamp.updateId,
      updatedAt: stamp.at,
    });
    if (active) {
      item.startedAt = stamp.at;
      delete item.endedAt;
    } else {
      item.endedAt = stamp.at;
      item.periods = [
        ...(item.periods ?? []),
        {
          ...(from.startedAt === undefined ? {} : { startedAt: from.startedAt }),
          endedAt: stamp.at,
          endedByUpdateId: stamp.updateId,
        },
      ];
    }
    return { written: true };
  }

  async create(
    key: MembershipKey,
    active: boolean,
    stamp: MembershipStamp,
  ): Promise<CreateMembershipResult> {
    this.calls.push('create');
    this.beforeWrite?.('create', key);
    const group = this.groups.get(key.groupId);
    if (!group) return 'unknown-group';
    if (active && !group.active) return 'inactive-group';
    if (!this.patients.has(key.patientKey)) return 'unknown-patient';
    const id = FakeMembershipStore.id(key);
    if (this.items.has(id)) return 'exists';
    this.items.set(id, {
      ...key,
      active,
      version: stamp.version,
      lastUpdateId: stamp.updateId,
      updatedAt: stamp.at,
      ...(active ? { startedAt: stamp.at } : {}),
    });
    return 'created';
  }

  async readReferences(groupId: string, patientKeys: readonly string[]): Promise<EntryReferences> {
    this.reads.push('references');
    const group = this.groups.get(groupId);
    return {
      group: group && { active: group.active },
      existingPatients: new Set(patientKeys.filter((key) => this.patients.has(key))),
    };
  }

  async readMemberships(
    groupId: string,
    patientKeys: readonly string[],
  ): Promise<Map<string, MembershipState>> {
    this.reads.push('memberships');
    const found = new Map<string, MembershipState>();
    for (const patientKey of patientKeys) {
      const state = this.state(this.get(groupId, patientKey));
      if (state) found.set(patientKey, state);
    }
    return found;
  }
}

/**
 * In-memory TaskStore: the whole create is atomic, like the transaction. `calls` lists the
 * operations in order; `afterRead` runs after an `exists` read (a concurrent creation landing
 * between the read and the transaction).
 */
export class FakeTaskStore implements TaskStore {
  readonly patients = new Set<string>();
  readonly tasks = new Map<string, TaskItem>();
  readonly labels = new Map<string, { name: string; active: boolean }>();
  readonly calls: ('exists' | 'create')[] = [];
  beforeWrite?: (task: TaskItem) => void;
  afterRead?: (key: TaskKey) => void;

  async exists(key: TaskKey): Promise<boolean> {
    this.calls.push('exists');
    const found = this.tasks.has(JSON.stringify([key.patientKey, key.taskId]));
    this.afterRead?.(key);
    return found;
  }

  async create(task: TaskItem, labels: readonly LabelRef[]): Promise<CreateTaskResult> {
    this.calls.push('create');
    this.beforeWrite?.(task);
    const id = JSON.stringify([task.patientKey, task.taskId]);
    if (this.tasks.has(id)) return { status: 'exists' };
    if (!this.patients.has(task.patientKey)) return { status: 'unknown-patient' };
    const inactive = labels.findIndex((l) => this.labels.get(l.nameKey)?.active === false);
    if (inactive >= 0) return { status: 'inactive-label', label: inactive };
    this.tasks.set(id, structuredClone(task));
    for (const label of labels) {
      if (!this.labels.has(label.nameKey))
        this.labels.set(label.nameKey, { name: label.name, active: true });
    }
    return { status: 'created' };
  }
}

/**
 * In-memory TaskLifecycleStore with the DynamoDB adapter's revision condition. `beforeWrite` runs
 * before each write (change a task there to simulate a concurrent writer); `conflictsLeft` makes
 * that many writes fail as a TransactionConflict would.
 */
export class FakeTaskLifecycleStore implements TaskLifecycleStore {
  readonly tasks = new Map<string, StoredTaskState & Record<string, unknown>>();
  readonly labels = new Map<string, { name: string; active: boolean }>();
  writes = 0;
  conflictsLeft = 0;
  beforeWrite?: () => void;

  static id(key: TaskKey): string {
    return JSON.stringify([key.patientKey, key.taskId]);
  }

  put(key: TaskKey, task: StoredTaskState): void {
    this.tasks.set(FakeTaskLifecycleStore.id(key), { ...structuredClone(task), ...key });
  }

  get(key: TaskKey) {
    return this.tasks.get(FakeTaskLifecycleStore.id(key));
  }

  async read(key: TaskKey): Promise<StoredTaskState | undefined> {
    const task = this.get(key);
    return task && structuredClone(task);
  }

  async write(key: TaskKey, change: TaskChange): Promise<WriteTaskChangeResult> {
    this.beforeWrite?.();
    if (this.conflictsLeft > 0) {
      this.conflictsLeft -= 1;
      return { status: 'conflict' };
    }
    const task = this.get(key);
    if (!task || task.revision !== change.expectedRevision) return { status: 'conflict' };
    const inactive = change.labelsToEnsure.findIndex(
      (l) => this.labels.get(l.nameKey)?.active === false,
    );
    if (inactive >= 0) return { status: 'inactive-label', label: inactive };
    this.writes += 1;
    Object.assign(task, structuredClone(change.values));
    if (change.labels !== undefined) {
      if (change.labels.length > 0) task.labels = [...change.labels];
      else delete task.labels;
    }
    task.fieldVersions = { ...change.fieldVersions };
    task.revision = (change.expectedRevision ?? 0) + 1;
    for (const label of change.labelsToEnsure) {
      if (!this.labels.has(label.nameKey))
        this.labels.set(label.nameKey, { name: label.name, active: true });
    }
    return { status: 'written' };
  }
}

export class FakeDeadLetterQueue implements DeadLetterQueue {
  readonly messages: DeadLetter[] = [];
  failing = false;

  async send(message: DeadLetter): Promise<void> {
    if (this.failing)
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    this.messages.push(message);
  }
}

export class FakeRecorder implements OutcomeRecorder {
  readonly results: RecordResult[] = [];
  record(result: RecordResult): void {
    this.results.push(result);
  }
}

let sequence = 0;

/** An SQS record as Lambda delivers it. */
export function sqsRecord(
  body: unknown,
  attributes: Record<string, string> = {},
  overrides: Partial<SQSRecord> = {},
): SQSRecord {
  sequence += 1;
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(attributes)) {
    messageAttributes[name] = {
      dataType: 'String',
      stringValue: value,
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: `message-${sequence}`,
    receiptHandle: `receipt-${sequence}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1700000000000',
      SenderId: 'sender',
      ApproximateFirstReceiveTimestamp: '1700000000001',
    },
    messageAttributes,
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:updates',
    awsRegion: 'us-east-1',
    ...overrides,
  };
}
