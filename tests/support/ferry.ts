import { Client, Connection, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { localStackConfig, temporalSettings, type FerryConfig } from '@ferry/config';
import { ferryDataConverter } from '@ferry/codec';
import { createFerryWorker, type FerryWorker } from '@ferry/worker';
import { installAwsS3Local } from '../../tools/aws-s3-local/install';
import { installRedshiftTypes } from '@ferry/redshift-local';
import type { Client as PgClient } from 'pg';
import { connect, createDatabase, uniqueName } from './databases';

let runtimeInstalled = false;

/** The local stack's config with `redshift`, `redshift-data` (the Data API) and `postgres` pointed at a test's own databases. */
export function testConfig(sourceDb: string, targetDb: string): FerryConfig {
  const config = localStackConfig();
  config.connections.redshift = { ...config.connections.redshift, database: sourceDb } as FerryConfig['connections'][string];
  config.connections['redshift-data'] = { ...config.connections['redshift-data'], database: sourceDb } as FerryConfig['connections'][string];
  config.connections.postgres = { ...config.connections.postgres, database: targetDb } as FerryConfig['connections'][string];
  return config;
}

export interface FerryHarness {
  client: Client;
  taskQueue: string;
  worker: FerryWorker;
  /** Starts a workflow on this worker's task queue with a unique id that begins with `idPrefix`. */
  start(workflowType: string, input: unknown, idPrefix: string): Promise<WorkflowHandleWithFirstExecutionRunId>;
  /** start(), then its result. */
  execute<R = any>(workflowType: string, input: unknown, idPrefix: string): Promise<R>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(): Promise<void>;
}

/**
 * A real worker on its own task queue against the real Temporal dev server, and a client,
 * both with the Temporal settings and codec that `env` gives (the worker app's).
 */
export async function startFerry(config: FerryConfig, env: NodeJS.ProcessEnv = process.env): Promise<FerryHarness> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  const taskQueue = uniqueName('ferry-test');
  const temporal = temporalSettings(env);
  const dataConverter = ferryDataConverter(env);
  const nativeConnection = await NativeConnection.connect(temporal.connection);
  const worker = await createFerryWorker({ connection: nativeConnection, namespace: temporal.namespace, taskQueue, config, dataConverter });
  const running = worker.run();
  const connection = await Connection.connect(temporal.connection);
  const client = new Client({ connection, namespace: temporal.namespace, dataConverter });
  const start = (workflowType: string, input: unknown, idPrefix: string) =>
    client.workflow.start(workflowType, { taskQueue, workflowId: uniqueName(idPrefix), args: [input] });
  return {
    client,
    taskQueue,
    worker,
    start,
    execute: async (workflowType, input, idPrefix) => (await start(workflowType, input, idPrefix)).result(),
    async stop() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
    },
  };
}

export interface FixtureOptions {
  /** The RDS aws_s3 stand-in in the target. */
  awsS3Local?: boolean;
  /** PostGIS in the target, as a user with GEOMETRY columns would have it. */
  targetPostgis?: boolean;
}

/**
 * A test file's own source and target databases with a worker over them, set up before and
 * torn down after the enclosing describe block.
 */
export function transferFixture(name: string, options: FixtureOptions = {}) {
  const fixture = {} as { sourceDb: string; targetDb: string; src: PgClient; dst: PgClient; ferry: FerryHarness };
  let dbs: Awaited<ReturnType<typeof createDatabase>>[] = [];
  beforeAll(async () => {
    dbs = [await createDatabase(`ferry_${name}_src`), await createDatabase(`ferry_${name}_dst`)];
    fixture.sourceDb = dbs[0].name;
    fixture.targetDb = dbs[1].name;
    if (options.awsS3Local) await installAwsS3Local(fixture.targetDb);
    // What every Redshift has: its types, functions and catalog views (setup does the same for ferry_source).
    await installRedshiftTypes(fixture.sourceDb);
    fixture.src = await connect(fixture.sourceDb);
    fixture.dst = await connect(fixture.targetDb);
    if (options.targetPostgis) await fixture.dst.query('CREATE EXTENSION postgis');
    fixture.ferry = await startFerry(testConfig(fixture.sourceDb, fixture.targetDb));
  });
  afterAll(async () => {
    await fixture.ferry?.stop();
    await Promise.all([fixture.src?.end(), fixture.dst?.end()]);
    for (const db of dbs) await db.drop();
  });
  return fixture;
}
