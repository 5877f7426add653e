/** An SQS message attribute, in the shape Lambda's event and SendMessage share in spirit. */
export interface QueueMessageAttribute {
  dataType: string;
  stringValue?: string;
  binaryValue?: string;
}

/** A message for a type's DLQ: the original body unchanged, attributes extended. */
export interface DeadLetter {
  body: string;
  attributes: Record<string, QueueMessageAttribute>;
}

export interface DeadLetterQueue {
  /** Resolves once the DLQ holds the message; rejects otherwise (the record is then retried). */
  send(message: DeadLetter): Promise<void>;
}
