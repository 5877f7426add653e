export * from './compute';
export * from './dead-letter-queue';
export * from './membership-store';
export * from './names';
export * from './task-comment-store';
export * from './task-lifecycle-store';
export * from './task-metadata-store';
export * from './task-store';
