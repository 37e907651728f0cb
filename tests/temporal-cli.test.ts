import { Client as PgClient } from 'pg';
import { seedZipcodes, ZIPCODE_COLUMNS } from '../tools/demo/zipcodes';
import { installRedshiftTypes } from '@ferry/redshift-local';
import { installAwsS3Local } from '../tools/aws-s3-local/install';
import { connect, createDatabase, fingerprint, uniqueName } from './support/databases';
import { stack } from './support/env';
import { ferryCli, productionLikeWorker, spawnWorker, temporalCli, temporalCliOutcome } from './support/processes';
import { readmeCommand, withFlags } from './support/readme';
import { waitFor } from './support/wait';

// Every Temporal CLI command of the README runs here as written, on the worker app, with only
// the task queue and the ids made unique to this test run.
describe('the README commands, run with the Temporal CLI on the worker app', () => {
  let source: Awaited<ReturnType<typeof createDatabase>>;
  let target: Awaited<ReturnType<typeof createDatabase>>;
  let worker: ReturnType<typeof spawnWorker>;
  const taskQueue = uniqueName('ferry-cli');
  const json = async (args: string[]) => JSON.parse(await temporalCli([...args, '--output', 'json']));
  const sameAsSource = async (table: string) => {
    const [src, dst] = await Promise.all([connect(source.name), connect(target.name)]);
    expect(await fingerprint(dst, table, 'zip')).toEqual(await fingerprint(src, 'public.zipcode_us', 'zip'));
    await Promise.all([src.end(), dst.end()]);
  };

  beforeAll(async () => {
    source = await createDatabase('ferry_cli_src');
    target = await createDatabase('ferry_cli_dst');
    // What every Redshift has: its types and catalog views (SVV_TABLE_INFO tells a pipeline a small table).
    await installRedshiftTypes(source.name);
    // Seed through redshift-local, as a Redshift user would.
    const viaRedshift = new PgClient({ host: stack.redshift.host, port: stack.redshift.port, user: stack.pg.user, database: source.name });
    await viaRedshift.connect();
    await seedZipcodes(viaRedshift);
    await viaRedshift.end();
    await installAwsS3Local(target.name);
    const dst = await connect(target.name);
    for (const t of ['public.zipcode_us', 'public.zipcode_us_aws_s3']) await dst.query(`CREATE TABLE ${t} (${ZIPCODE_COLUMNS})`);
    await dst.query(`CREATE TABLE public.zipcode_narrow (${ZIPCODE_COLUMNS.replace('city varchar(100)', 'city varchar(5)')})`);
    await dst.end();

    // The worker gets its connections from a config file and its workflows from a prebuilt
    // bundle (npm run build:workflows), as in production.
    worker = spawnWorker({ ...(await productionLikeWorker(source.name, target.name)), FERRY_TASK_QUEUE: taskQueue });
    await waitFor('the worker to start', async () => worker.output().includes(taskQueue) || worker.child.exitCode !== null);
    expect(worker.child.exitCode).toBeNull();
  });

  afterAll(async () => {
    await worker?.stop();
    await source?.drop();
    await target?.drop();
  });

  it('tableTransfer: start, result, progress, the activity summaries, the static summary and FerryTable', async () => {
    const workflowId = uniqueName('transfer-public.zipcode_us');
    const start = readmeCommand('workflow', 'start', '--type', 'tableTransfer');
    expect(start).toEqual(expect.arrayContaining(['--search-attribute', 'FerryTable="public.zipcode_us"', '--static-summary']));
    await temporalCli(withFlags(start, { '--task-queue': taskQueue, '--workflow-id': workflowId }));

    const result = await json(withFlags(readmeCommand('workflow', 'result', '--workflow-id', 'transfer-public.zipcode_us'), { '--workflow-id': workflowId }));
    expect(result.status).toBe('COMPLETED');
    expect(result.result.rows).toBe(42555);

    const progress = await json(withFlags(readmeCommand('workflow', 'query', '--workflow-id', 'transfer-public.zipcode_us'), { '--workflow-id': workflowId }));
    expect(progress.queryResult[0]).toMatchObject({ phase: 'done', rowsLoaded: 42555 });

    const history = await temporalCli([
      ...withFlags(readmeCommand('workflow', 'show', '--workflow-id', 'transfer-public.zipcode_us'), { '--workflow-id': workflowId }),
      '--detailed',
    ]);
    expect(history).toMatch(/unload public\.zipcode_us/);
    // A tiny table (its parts under 8 MB in all) loads inside finalize: no loadPart of its own.
    expect(history).not.toMatch(/loadPart/);
    expect(history).toMatch(/replace public\.zipcode_us \(42,555 rows\)/);

    const described = await json(['workflow', 'describe', '--workflow-id', workflowId]);
    expect(described.executionConfig.userMetadata.summary).toBe(start[start.indexOf('--static-summary') + 1]);

    const runs = await temporalCli(readmeCommand('workflow', 'list', '--query', 'FerryTable="public.zipcode_us"'));
    expect(runs).toContain(workflowId);
    await sameAsSource('public.zipcode_us');
  });

  it("pipelineRun from --input-file: both tables loaded, progress at the pipeline level, each small table one activity in the pipeline's history", async () => {
    const workflowId = uniqueName('pipeline-zipcodes');
    const start = readmeCommand('workflow', 'start', '--type', 'pipelineRun');
    expect(start).toContain('--input-file');
    await temporalCli(withFlags(start, { '--task-queue': taskQueue, '--workflow-id': workflowId }));

    const result = await json(withFlags(readmeCommand('workflow', 'result', '--workflow-id', 'pipeline-zipcodes'), { '--workflow-id': workflowId }));
    expect(result.status).toBe('COMPLETED');
    expect(result.result).toMatchObject({ name: 'zipcodes', succeeded: 2, failed: 0, skipped: 0 });
    expect(result.result.tables.map((t: { name: string; rows: number }) => [t.name, t.rows])).toEqual([
      ['zipcodes', 42555],
      ['zipcodes-via-aws_s3', 42555],
    ]);

    const progress = await json(withFlags(readmeCommand('workflow', 'query', '--workflow-id', 'pipeline-zipcodes'), { '--workflow-id': workflowId }));
    expect(progress.queryResult[0]).toMatchObject({ succeeded: 2, running: 0, pending: 0 });

    // 42,555 rows each, under smallTables.maxRows: no child workflows, one summarized activity each.
    expect(result.result.tables.map((t: { ranAs?: string }) => t.ranAs)).toEqual(['activity', 'activity']);
    const history = await temporalCli(['workflow', 'show', '--workflow-id', workflowId, '--detailed']);
    expect(history).toMatch(/public\.zipcode_us → public\.zipcode_us_aws_s3 \(replace\), if small/);
    expect(history).not.toMatch(/StartChildWorkflowExecution/);
    await sameAsSource('public.zipcode_us');
    await sameAsSource('public.zipcode_us_aws_s3');
  });

  it('schedule: created with overlap Skip, triggered into a real run found by FerryPipeline, deleted', async () => {
    const scheduleId = uniqueName('pipeline-zipcodes-nightly');
    const workflowId = uniqueName('pipeline-zipcodes-scheduled');
    const ids = { '--schedule-id': scheduleId };
    const create = readmeCommand('schedule', 'create');
    expect(create).toEqual(expect.arrayContaining(['--overlap-policy', 'Skip', '--cron']));
    await temporalCli(withFlags(create, { ...ids, '--task-queue': taskQueue, '--workflow-id': workflowId }));
    try {
      const described = await json(['schedule', 'describe', '--schedule-id', scheduleId]);
      expect(JSON.stringify(described.schedule.policies)).toMatch(/SKIP/i);
      expect(described.schedule.action.startWorkflow.workflowType.name).toBe('pipelineRun');

      await temporalCli(withFlags(readmeCommand('schedule', 'trigger'), ids));
      // Its children carry FerryPipeline too; the run itself is `<workflow-id>-<start time>`.
      const list = readmeCommand('workflow', 'list', '--query', 'FerryPipeline="zipcodes"');
      const runId = await waitFor(
        'the triggered run',
        async () => new RegExp(`${workflowId}-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ(?=\\s)`).exec(await temporalCli(list))?.[0],
      );
      const result = await json(['workflow', 'result', '--workflow-id', runId]);
      expect(result.status).toBe('COMPLETED');
      expect(result.result).toMatchObject({ succeeded: 2 });
    } finally {
      await temporalCli(withFlags(readmeCommand('schedule', 'delete'), ids));
    }
    await expect(temporalCli(['schedule', 'describe', '--schedule-id', scheduleId])).rejects.toThrow(/not found/i);
  });

  // The Temporal CLI does not decode a failure's encodedAttributes: a run that failed must keep
  // its message where the CLI reads it (tests/encryption.test.ts: with keys, through the codec).
  it.each([
    ['a missing target', 'public.zipcode_nowhere', /TargetNotFound|does not exist/],
    [
      'a target column that would lose values',
      'public.zipcode_narrow',
      /column "city" is VARCHAR\(100\) in the source and character varying\(5\) in the target.*ALTER TABLE/,
    ],
  ])('a run into %s fails with the cause and fix that `ferry status` shows, in execute, describe and result', async (_what, table, expected) => {
    const workflowId = uniqueName('transfer-failing');
    const start = readmeCommand('workflow', 'start', '--type', 'tableTransfer');
    const input = JSON.stringify({ source: { connection: 'redshift', table: 'public.zipcode_us' }, target: { connection: 'postgres', table } });
    const execute = await temporalCliOutcome([
      'workflow',
      'execute',
      ...withFlags(start.slice(2), { '--task-queue': taskQueue, '--workflow-id': workflowId, '--input': input }),
    ]);
    expect(execute.code).not.toBe(0);

    const status = await ferryCli(['status', workflowId]);
    const message = /^ {2}failure: (.*)$/m.exec(status.stdout)?.[1];
    expect(message).toMatch(expected);
    const oneLine = (text: string) => text.replace(/\s+/g, ' ');
    expect(oneLine(execute.stdout + execute.stderr)).toContain(oneLine(message!));
    expect(execute.stdout + execute.stderr).not.toContain('Encoded failure');

    const described = await temporalCli(['workflow', 'describe', '--workflow-id', workflowId]);
    expect(oneLine(described)).toContain(oneLine(message!));
    expect(described).not.toContain('Encoded failure');
    const result = await temporalCliOutcome(
      withFlags(readmeCommand('workflow', 'result', '--workflow-id', 'transfer-public.zipcode_us'), { '--workflow-id': workflowId }),
    );
    expect(oneLine(result.stdout + result.stderr)).toContain(oneLine(message!));
    const resultJson = await temporalCliOutcome(['workflow', 'result', '--workflow-id', workflowId, '--output', 'json']);
    expect(JSON.parse(resultJson.stdout).closeEvent.workflowExecutionFailedEventAttributes.failure.message).toBe(message);
  });
});
