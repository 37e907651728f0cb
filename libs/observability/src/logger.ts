import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { Logger as TemporalLogger, LogLevel, LogMetadata } from '@temporalio/common';

/** The SDK's per-line timestamp (@temporalio/worker's LogTimestamp: nanoseconds as a bigint). */
const LOG_TIMESTAMP = Symbol.for('log_timestamp');

export type { PinoLogger };

/** Field names that never reach a log line, wherever they appear (defense in depth: no input carries them). */
const REDACTED = ['password', 'secretAccessKey', 'sessionToken', 'accessKeyId', 'taskToken', 'authorization'];

export interface CreateLoggerOptions {
  /** pino level: trace, debug, info (default), warn, error, fatal or silent. */
  level?: string;
  /** Where lines go; stdout by default. */
  destination?: DestinationStream;
}

/**
 * ferry's JSON logger: one JSON object per line, `level` as a word, ISO `time`, `name:
 * "ferry-worker"`, errors under `err` with type, message and stack.
 */
export function createLogger(options: CreateLoggerOptions = {}): PinoLogger {
  return pino(
    {
      name: 'ferry-worker',
      level: options.level ?? 'info',
      // `time` as ISO text; TemporalPinoLogger sets it from the SDK's own timestamp (the SDK
      // buffers forwarded lines for 100 ms to sort them), other lines get the time of logging.
      timestamp: false,
      mixin: () => ({ time: new Date().toISOString() }),
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      redact: { paths: REDACTED.flatMap((k) => [k, `*.${k}`]), censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The Temporal SDK's Logger interface over pino, for `Runtime.install({ logger })`: the SDK's own
 * lines, forwarded Core lines and every `log.*` of workflows and activities become JSON lines.
 * Metadata becomes top-level fields; an `error` becomes pino's `err`; the SDK's timestamp
 * becomes `time`; other symbol keys are dropped.
 */
export class TemporalPinoLogger implements TemporalLogger {
  constructor(readonly pino: PinoLogger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const method = LEVELS[level] ?? 'info';
    if (!this.pino.isLevelEnabled(method)) return;
    const fields: Record<string, unknown> = {};
    const nanos: unknown = meta?.[LOG_TIMESTAMP];
    if (typeof nanos === 'bigint') fields.time = new Date(Number(nanos / 1_000_000n)).toISOString();
    for (const [key, value] of Object.entries(meta ?? {})) {
      if (key === 'error' || (key === 'err' && value instanceof Error)) fields.err = value;
      else fields[key] = value;
    }
    this.pino[method](fields, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
