export * from './dead-letter-queue';
export * from './membership-store';
export * from './names';
export * from './task-store';
