import type {
  GroupSummary,
  LabelSummary,
  MembershipSummary,
  OperatorDirectory,
  OutgoingMessage,
  PageReader,
  QueueAdmin,
  QueueMessageAttribute,
  ReceivedMessage,
  ResultSummary,
  TaskRecordFilter,
  TaskSummary,
} from '../../../lib/ports';
import { kitDateTimeUtc } from '../../../schemas';

/**
 * In-memory fakes of the operator's ports (lib/ports/operator-directory.ts, dead-letter-admin.ts)
 * for unit tests of the operator logic. The adapters themselves are tested against DynamoDB Local
 * and local SQS (test/integration/operator/).
 */

/**
 * Serves `items` `pageSize` at a time, with an empty page before each full one (as DynamoDB
 * returns when a filter drops a whole page), and counts the pages read.
 */
export function pagedReader<T>(
  items: readonly T[],
  pageSize = 2,
): PageReader<T> & { pagesRead: number } {
  const pages: T[][] = [];
  for (let i = 0; i < items.length; i += pageSize) {
    pages.push([]);
    pages.push(items.slice(i, i + pageSize));
  }
  if (pages.length === 0) pages.push([]);
  const reader = async (cursor?: { page?: unknown }) => {
    reader.pagesRead += 1;
    const index = cursor === undefined ? 0 : Number(cursor.page);
    return {
      items: [...(pages[index] ?? [])],
      ...(index + 1 < pages.length ? { next: { page: index + 1 } } : {}),
    };
  };
  reader.pagesRead = 0;
  return reader;
}

export interface DirectoryData {
  patients?: string[];
  groups?: GroupSummary[];
  memberships?: MembershipSummary[];
  tasks?: TaskSummary[];
  labels?: LabelSummary[];
  results?: ResultSummary[];
  /** Index partitions per status (default 3). */
  partitions?: number;
}

const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

function matchesTask(task: TaskSummary, filter: TaskRecordFilter): boolean {
  if (filter.status && task.status !== filter.status) return false;
  if (filter.assigneeKey && task.assigneeKey !== filter.assigneeKey) return false;
  if (filter.teamId && task.teamId !== filter.teamId) return false;
  if (filter.dueBefore) {
    const due = task.dueInstant ?? kitDateTimeUtc(task.due);
    if (due === undefined || !(due < filter.dueBefore)) return false;
  }
  return true;
}

/** An OperatorDirectory over arrays; `writes` records the writes made. */
export function fakeDirectory(data: DirectoryData = {}) {
  const groups = new Map((data.groups ?? []).map((g) => [g.groupId, { ...g }]));
  const labels = new Map((data.labels ?? []).map((l) => [l.nameKey, { ...l }]));
  const memberships = data.memberships ?? [];
  const tasks = data.tasks ?? [];
  const results = data.results ?? [];
  const partitions = data.partitions ?? 3;
  const writes: string[] = [];
  const directory: OperatorDirectory = {
    patients: { exists: async (key) => (data.patients ?? []).includes(key) },
    groups: {
      byName: (nameKey, { exact }) =>
        pagedReader(
          [...groups.values()]
            .filter((g) => {
              const folded = g.name.toLowerCase();
              return exact ? folded === nameKey : folded.startsWith(nameKey);
            })
            .sort(byKey((g) => g.name.toLowerCase())),
        ),
      get: async (groupId) => groups.get(groupId),
      getMany: async (ids) =>
        new Map(
          ids.flatMap((id) => (groups.has(id) ? [[id, groups.get(id) as GroupSummary]] : [])),
        ),
      async create({ groupId, name }) {
        if (groups.has(groupId)) return 'exists';
        groups.set(groupId, { groupId, name, active: true });
        writes.push(`group ${groupId}`);
        return 'created';
      },
    },
    memberships: {
      activeOf: (groupId) =>
        pagedReader(memberships.filter((m) => m.groupId === groupId && m.active)),
      allOf: (groupId) => pagedReader(memberships.filter((m) => m.groupId === groupId)),
      ofPatient: (patientKey) =>
        pagedReader(memberships.filter((m) => m.patientKey === patientKey)),
    },
    tasks: {
      ofPatient: (patientKey, filter) =>
        pagedReader(tasks.filter((t) => t.patientKey === patientKey && matchesTask(t, filter))),
      all: (filter) => pagedReader(tasks.filter((t) => matchesTask(t, filter))),
    },
    labels: {
      all: () => pagedReader([...labels.values()]),
      async deactivate(nameKey, at) {
        const label = labels.get(nameKey);
        if (!label) return { outcome: 'unknown' };
        if (!label.active) return { outcome: 'already-inactive', label: { ...label } };
        label.active = false;
        label.deactivatedAt = at;
        writes.push(`label ${nameKey}`);
        return { outcome: 'deactivated', label: { ...label } };
      },
    },
    protocolResults: {
      indexedStatuses: ['due', 'satisfied'],
      unindexedStatuses: ['not_applicable'],
      withStatus: (protocol, status) =>
        Array.from({ length: partitions }, (_, partition) =>
          pagedReader(
            results
              .filter(
                (r) =>
                  r.protocol === protocol &&
                  r.status === status &&
                  Number(r.patientKey.replace(/\D/g, '') || 0) % partitions === partition,
              )
              .sort(byKey((r) => r.patientKey)),
          ),
        ),
      ofPatient: (patientKey) =>
        pagedReader(
          results.filter((r) => r.patientKey === patientKey).sort(byKey((r) => r.protocol)),
        ),
    },
  };
  return { directory, writes };
}

interface StoredMessage {
  messageId: string;
  body: string;
  attributes: Record<string, QueueMessageAttribute>;
  receiveCount: number;
  /** The receipt of the receive that hides it; absent while visible. */
  receipt?: string;
}

/**
 * Queues by name (URL `url:<name>`): received messages stay hidden until released or deleted (no
 * clock). `fail` makes the next calls of a method on a queue throw; `calls` records each call.
 */
export function fakeQueues(names: readonly string[]) {
  const queues = new Map<string, StoredMessage[]>(names.map((n) => [`url:${n}`, []]));
  const calls: string[] = [];
  const failures: { method: string; url: string; times: number }[] = [];
  let ids = 0;
  let receipts = 0;
  const queueAt = (url: string) => {
    const queue = queues.get(url);
    if (!queue) throw new Error(`no queue ${url}`);
    return queue;
  };
  const maybeFail = (method: string, url: string) => {
    calls.push(`${method} ${url}`);
    const failure = failures.find((f) => f.method === method && f.url === url && f.times > 0);
    if (failure) {
      failure.times -= 1;
      throw new Error(`${method} failed`);
    }
  };
  const byReceipt = (url: string, receipt: string) =>
    queueAt(url).find((m) => m.receipt === receipt);

  const admin: QueueAdmin = {
    urlOf: async (name) => (queues.has(`url:${name}`) ? `url:${name}` : undefined),
    async depth(url) {
      const queue = queueAt(url);
      const inFlight = queue.filter((m) => m.receipt !== undefined).length;
      return { visible: queue.length - inFlight, inFlight };
    },
    async receive(url, { max }) {
      maybeFail('receive', url);
      const visible = queueAt(url).filter((m) => m.receipt === undefined);
      return visible.slice(0, Math.min(10, max)).map((m): ReceivedMessage => {
        m.receiveCount += 1;
        receipts += 1;
        m.receipt = `r${receipts}`;
        return {
          messageId: m.messageId,
          receiptHandle: m.receipt,
          body: m.body,
          attributes: structuredClone(m.attributes),
          receiveCount: m.receiveCount,
          sentTimestamp: 1_700_000_000_000,
        };
      });
    },
    async release(url, handles) {
      maybeFail('release', url);
      for (const handle of handles) {
        const message = byReceipt(url, handle);
        if (message) message.receipt = undefined;
      }
    },
    async send(url, message: OutgoingMessage) {
      maybeFail('send', url);
      ids += 1;
      const messageId = `m${ids}`;
      queueAt(url).push({ messageId, ...structuredClone(message), receiveCount: 0 });
      return messageId;
    },
    async delete(url, handle) {
      maybeFail('delete', url);
      const queue = queueAt(url);
      const index = queue.findIndex((m) => m.receipt === handle);
      if (index >= 0) queue.splice(index, 1);
    },
    async deleteMany(url, handles) {
      maybeFail('deleteMany', url);
      let deleted = 0;
      for (const handle of handles) {
        const queue = queueAt(url);
        const index = queue.findIndex((m) => m.receipt === handle);
        if (index >= 0) {
          queue.splice(index, 1);
          deleted += 1;
        }
      }
      return deleted;
    },
  };
  return {
    admin,
    calls,
    /** The next `times` calls of `method` on the queue `name` throw. */
    fail(method: string, name: string, times = 1) {
      failures.push({ method, url: `url:${name}`, times });
    },
    /** Puts a message on a queue directly (a producer's or an applier's send). */
    put(name: string, body: string, attributes: Record<string, string> = {}) {
      ids += 1;
      queueAt(`url:${name}`).push({
        messageId: `m${ids}`,
        body,
        attributes: Object.fromEntries(
          Object.entries(attributes).map(([k, v]) => [k, { dataType: 'String', stringValue: v }]),
        ),
        receiveCount: 0,
      });
    },
    messages: (name: string) => queueAt(`url:${name}`),
  };
}
