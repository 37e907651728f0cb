import type { RuntimeOptions } from '@temporalio/worker';
import { TemporalPinoLogger, type PinoLogger } from './logger';

/**
 * The Prometheus endpoint's bind address from the environment: `FERRY_METRICS_PORT` (unset or
 * empty: no endpoint) on `FERRY_METRICS_HOST` (default `0.0.0.0`, so a scraper on another host
 * reaches it). Throws on a port that is not a number in 1–65535.
 */
export function metricsBindAddress(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const port = env.FERRY_METRICS_PORT?.trim();
  if (!port) return undefined;
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new Error(`FERRY_METRICS_PORT must be a port number (1-65535), not ${JSON.stringify(port)}`);
  }
  const host = env.FERRY_METRICS_HOST?.trim() || '0.0.0.0';
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

export interface FerryRuntimeOptions {
  logger: PinoLogger;
  /** `host:port` for the Prometheus endpoint (`/metrics`); none when unset. */
  metricsBindAddress?: string;
}

/**
 * Options for `Runtime.install` in a ferry worker process: every log line — the SDK's, Core's
 * (forwarded, WARN and up) and the activities' — through pino as JSON, and the SDK's metrics
 * plus ferry's counters on a Prometheus endpoint when an address is given.
 */
export function ferryRuntimeOptions(options: FerryRuntimeOptions): RuntimeOptions {
  return {
    logger: new TemporalPinoLogger(options.logger),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(options.metricsBindAddress && { metrics: { prometheus: { bindAddress: options.metricsBindAddress } } }),
    },
  };
}
