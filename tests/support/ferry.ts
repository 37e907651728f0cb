import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { localStackConfig, type FerryConfig } from '@ferry/config';
import { createFerryWorker, type FerryWorker } from '../../apps/worker/src/worker';
import { stack } from './env';
import { uniqueName } from './databases';

let runtimeInstalled = false;

/** The local stack's config with `redshift` and `postgres` pointed at a test's own databases. */
export function testConfig(sourceDb: string, targetDb: string): FerryConfig {
  const config = localStackConfig();
  config.connections.redshift = { ...config.connections.redshift, database: sourceDb } as FerryConfig['connections'][string];
  config.connections.postgres = { ...config.connections.postgres, database: targetDb } as FerryConfig['connections'][string];
  return config;
}

export interface FerryHarness {
  client: Client;
  taskQueue: string;
  worker: FerryWorker;
  stop(): Promise<void>;
}

/** A real worker on its own task queue against the real Temporal dev server. */
export async function startFerry(config: FerryConfig): Promise<FerryHarness> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  const taskQueue = uniqueName('ferry-test');
  const nativeConnection = await NativeConnection.connect({ address: stack.temporalAddress });
  const worker = await createFerryWorker({ connection: nativeConnection, namespace: stack.namespace, taskQueue, config });
  const running = worker.run();
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection, namespace: stack.namespace });
  return {
    client,
    taskQueue,
    worker,
    async stop() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
    },
  };
}
