import { hash } from 'node:crypto';

/** Hex characters kept from the sha256: 128 bits, far from any collision among our updates. */
const UPDATE_ID_HEX_LENGTH = 32;

export interface UpdateIdInput {
  /** What caused the computation: `run:<runId>` or `change:<message id>`. */
  origin: string;
  protocol: string;
  patientKey: string;
  /** The update's index in the protocol's list for this patient. */
  position: number;
}

/**
 * A deterministic update id: a retried job or redelivered change yields the same ids, so the
 * appliers (idempotent on `update-id`) apply each update once however often it is enqueued.
 */
/** The framing's start for the last (origin, protocol): the same for every update of a run. */
let lastPrefix = { origin: '', protocol: '', json: '["",""' };

function framingPrefix(origin: string, protocol: string): string {
  if (lastPrefix.origin !== origin || lastPrefix.protocol !== protocol)
    lastPrefix = {
      origin,
      protocol,
      json: `[${JSON.stringify(origin)},${JSON.stringify(protocol)}`,
    };
  return lastPrefix.json;
}

export function updateIdFor(input: UpdateIdInput): string {
  // JSON framing keeps the parts apart: ('a:b', 'c') and ('a', 'b:c') hash differently. It is
  // JSON.stringify([origin, protocol, patientKey, position]), written in parts so the first two,
  // constant over a run, are written once.
  const { origin, protocol, patientKey, position } = input;
  const framed =
    typeof origin === 'string' &&
    typeof protocol === 'string' &&
    typeof patientKey === 'string' &&
    typeof position === 'number'
      ? `${framingPrefix(origin, protocol)},${JSON.stringify(patientKey)},${JSON.stringify(position)}]`
      : JSON.stringify([origin, protocol, patientKey, position]);
  // One-shot `hash` (no Hash object per update): the same sha256 hex as createHash's.
  return hash('sha256', framed, 'hex').slice(0, UPDATE_ID_HEX_LENGTH);
}

export function runOrigin(runId: string): string {
  return `run:${runId}`;
}

export function changeOrigin(changeId: string): string {
  return `change:${changeId}`;
}
