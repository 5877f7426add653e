/**
 * Credentials and region for the embedded local stack. DynamoDB Local accepts only letters and
 * digits in access key ids; it runs with -sharedDb, so any key sees the same tables.
 */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
