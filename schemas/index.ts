export * from './create-task-update';
export * from './group-membership-update';
export * from './primitives';
export * from './update';
