export { createLogger, TemporalPinoLogger, type CreateLoggerOptions, type PinoLogger } from './logger';
export { transferFields, type TransferFields } from './transfer-fields';
export { transferActivityInterceptors, METRICS } from './activity-interceptors';
export { ferryRuntimeOptions, metricsBindAddress, type FerryRuntimeOptions } from './runtime';
