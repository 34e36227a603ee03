export { startEmulator, DEFAULTS, type Emulator, type EmulatorOptions } from './emulator';
export { FAULT_KINDS, faultConfigSchema, type FaultConfig, type FaultKind } from './faults';
export { validationRuleSchema, type ValidationRule } from './validation-rules';
export type { EmulatorLogger } from './logger';
export type { RequestLogEntry } from './request-log';
export { DEFAULT_METADATA_DIR } from './metadata';
export { INTEGRATION_USER_ID, INTEGRATION_USERNAME, SEED_IDS, LEAD_STATUSES, TASK_STATUSES } from './standard-objects';
export { CONTROL_ROUTES } from './routes/control';
export { emulatorSeedSchema, seedQueueSchema, seedUserSchema, type EmulatorSeed, type SeedQueue, type SeedUser } from './owners';
