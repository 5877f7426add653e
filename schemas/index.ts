export * from './change-event';
export * from './compute-job';
export * from './create-task-update';
export * from './group-membership-update';
export * from './message-attributes';
export * from './patient';
export * from './primitives';
export * from './update';
