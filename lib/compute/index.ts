export * from './compute-counts';
export * from './compute-patient-updates';
export * from './plan-recomputation';
export * from './ports';
export * from './recompute-on-change';
export * from './recompute-segment';
export * from './update-id';
