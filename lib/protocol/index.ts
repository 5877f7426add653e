export * from './change';
export * from './compute-protocols';
export * from './datetime';
export * from './find-protocol-class';
export * from './impacted-by-changes';
export * from './protocol';
export * from './protocol-result';
