import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { localStackConfig } from '@ferry/config';
import { seedZipcodes, ZIPCODE_COLUMNS } from '../tools/demo/zipcodes';
import { connect, createDatabase, fingerprint, uniqueName } from './support/databases';
import { stack } from './support/env';
import { repoRoot, spawnWorker, temporalCli } from './support/processes';
import { waitFor } from './support/wait';

/** The JSON of the README's `temporal workflow start --input '…'`, so the docs cannot drift. */
function readmeInput(): unknown {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const match = /temporal workflow start --type tableTransfer --task-queue ferry \\\n[^\n]*\n\s*--input '([^']+)'/.exec(readme);
  if (!match) throw new Error('README.md has no `temporal workflow start --type tableTransfer --task-queue ferry` command');
  return JSON.parse(match[1]);
}

describe('the README transfer, started with the Temporal CLI on the worker app', () => {
  let source: Awaited<ReturnType<typeof createDatabase>>;
  let target: Awaited<ReturnType<typeof createDatabase>>;
  let worker: ReturnType<typeof spawnWorker>;
  const taskQueue = uniqueName('ferry-cli');

  beforeAll(async () => {
    source = await createDatabase('ferry_cli_src');
    target = await createDatabase('ferry_cli_dst');
    // Seed through redshift-local, as a Redshift user would.
    const viaRedshift = new PgClient({ host: stack.redshift.host, port: stack.redshift.port, user: stack.pg.user, database: source.name });
    await viaRedshift.connect();
    await seedZipcodes(viaRedshift);
    await viaRedshift.end();
    const dst = await connect(target.name);
    await dst.query(`CREATE TABLE public.zipcode_us (${ZIPCODE_COLUMNS})`);
    await dst.end();

    // The worker gets its connections from a config file, as in production.
    const config = localStackConfig();
    config.connections.redshift.database = source.name;
    config.connections.postgres.database = target.name;
    const dir = mkdtempSync(path.join(tmpdir(), 'ferry-cli-'));
    writeFileSync(path.join(dir, 'ferry.json'), JSON.stringify(config));
    worker = spawnWorker({ FERRY_CONFIG: path.join(dir, 'ferry.json'), FERRY_TASK_QUEUE: taskQueue });
    await waitFor('the worker to start', async () => worker.output().includes(`task queue ${taskQueue}`) || worker.child.exitCode !== null);
    expect(worker.child.exitCode).toBeNull();
  });

  afterAll(async () => {
    await worker?.stop();
    await source?.drop();
    await target?.drop();
  });

  it('completes, and `temporal workflow show` lists the activities with their summaries', async () => {
    const workflowId = uniqueName('transfer-public.zipcode_us');
    await temporalCli(['workflow', 'start', '--type', 'tableTransfer', '--task-queue', taskQueue, '--workflow-id', workflowId, '--input', JSON.stringify(readmeInput())]);

    const result = JSON.parse(await temporalCli(['workflow', 'result', '--workflow-id', workflowId, '--output', 'json']));
    expect(result.status).toBe('COMPLETED');
    expect(result.result.rows).toBe(42555);

    const progress = JSON.parse(await temporalCli(['workflow', 'query', '--workflow-id', workflowId, '--name', 'progress', '--output', 'json']));
    expect(progress.queryResult[0]).toMatchObject({ phase: 'done', rowsLoaded: 42555 });

    const history = await temporalCli(['workflow', 'show', '--workflow-id', workflowId, '--detailed']);
    expect(history).toMatch(/unload public\.zipcode_us/);
    expect(history).toMatch(/load 0000_part_00\.gz \([\d.]+ KB, [\d,]+ rows\)/);
    expect(history).toMatch(/replace public\.zipcode_us \(42,555 rows\)/);

    const [src, dst] = await Promise.all([connect(source.name), connect(target.name)]);
    expect(await fingerprint(dst, 'public.zipcode_us', 'zip')).toEqual(await fingerprint(src, 'public.zipcode_us', 'zip'));
    await Promise.all([src.end(), dst.end()]);
  });
});
