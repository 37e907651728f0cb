import { Command, InvalidArgumentError, Option } from 'commander';
import { PipelineFileError } from '@ferry/pipeline/file';
import { codecServer, TOKEN_VARIABLE } from './commands/codec-server';
import { ddl } from './commands/ddl';
import { doctorCommand } from './commands/doctor';
import { init } from './commands/init';
import { jsonSchema } from './commands/json-schema';
import { plan } from './commands/plan';
import { run } from './commands/run';
import { overlapPolicies, scheduleCreate, scheduleDelete, scheduleList } from './commands/schedule';
import { status } from './commands/status';
import { validate } from './commands/validate';
import { verify } from './commands/verify';
import { type TemporalOptions } from './temporal';
import { ferryTaskQueue } from '@ferry/config';

// Wiring only: parse arguments, call a command, turn its outcome into an exit code.

// `ferry status | head` closes stdout early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command('ferry')
  .description('Move Redshift tables into PostgreSQL through S3 with Temporal: run, plan and schedule pipeline files')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'ferry: ')) });

// No defaults here: Temporal's settings come from the profile and TEMPORAL_* variables when a
// command connects (temporalSettings), and a flag overrides its variable.
const temporalOptions = (cmd: Command) =>
  cmd
    .addOption(new Option('--address <host:port>', 'Temporal frontend (env TEMPORAL_ADDRESS, else the profile, else 127.0.0.1:7233)'))
    .addOption(new Option('--namespace <name>', 'Temporal namespace (env TEMPORAL_NAMESPACE, else the profile, else default)'))
    .addOption(
      new Option('--profile <name>', 'profile of the Temporal config file, as for the temporal CLI (env TEMPORAL_PROFILE; file: TEMPORAL_CONFIG_FILE)'),
    )
    .addOption(new Option('--task-queue <name>', "the ferry worker's task queue (env FERRY_TASK_QUEUE)").default(ferryTaskQueue()));
function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('give a whole number of 1 or more');
  return n;
}
const temporal = (o: TemporalOptions): TemporalOptions => ({ address: o.address, namespace: o.namespace, profile: o.profile, taskQueue: o.taskQueue });

program
  .command('validate')
  .description('check a pipeline file: schema, connections, dependsOn; prints the order it runs in')
  .argument('<file>', 'pipeline file (YAML or JSON)')
  .action((file: string) => validate(file));

temporalOptions(
  program.command('plan').description("print each table's UNLOAD statement and load plan; touches nothing").argument('<file>', 'pipeline file'),
).action((file: string, o: TemporalOptions) => plan(file, o.taskQueue ?? ferryTaskQueue()));

program
  .command('ddl')
  .description('print the CREATE TABLE statements a run would execute (create: ifMissing); reads the catalogs, changes nothing')
  .argument('<file>', 'pipeline file')
  .option('--table <name...>', 'only these tables')
  .action((file: string, o: { table?: string[] }) => ddl(file, o.table));

program
  .command('init')
  .description('write a pipeline file for every table of a source schema (estimated rows and size, largest first)')
  .requiredOption('--connection <name>', 'the redshift connection (worker config, FERRY_CONFIG)')
  .requiredOption('--schema <name>', 'the source schema')
  .option('--include <pattern...>', "only tables matching one of these ('*' any characters, '?' one)")
  .option('--exclude <pattern...>', 'leave out tables matching one of these')
  .option('--target-connection <name>', 'the postgres connection', 'postgres')
  .option('--target-schema <name>', 'the target schema (default: the source schema)')
  .option('--out <file>', 'write the file here (default: print it)')
  .action((o: { connection: string; schema: string; include?: string[]; exclude?: string[]; targetConnection: string; targetSchema?: string; out?: string }) =>
    init(o),
  );

temporalOptions(
  program
    .command('run')
    .description('start a pipelineRun workflow for the file (or some of its tables)')
    .argument('<file>', 'pipeline file')
    .option('--table <name...>', 'only these tables (their dependencies on tables left out are dropped)')
    .option('--wait', 'follow the run until it ends; exit 1 if it fails'),
).action(async (file: string, o: TemporalOptions & { table?: string[]; wait?: boolean }) => {
  process.exitCode = await run(file, o, temporal(o));
});

temporalOptions(
  program
    .command('verify')
    .description('compare each target with its source, value by value (a tableVerify workflow per table); exit 1 on any difference')
    .argument('<file>', 'pipeline file')
    .option('--table <name...>', 'only these tables')
    .option('--key <column...>', "match rows on these columns (default: the target's primary key)"),
).action(async (file: string, o: TemporalOptions & { table?: string[]; key?: string[] }) => {
  process.exitCode = await verify(file, o, temporal(o));
});

const schedule = program.command('schedule').description('Temporal Schedules that run a pipeline');
temporalOptions(
  schedule
    .command('create')
    .description('create a schedule that runs the pipeline file on a cron spec')
    .argument('<file>', 'pipeline file')
    .requiredOption('--cron <spec...>', 'cron expression(s), e.g. "0 2 * * *"')
    .addOption(new Option('--overlap <policy>', 'what happens when a run is still going at the next time').choices(overlapPolicies).default('skip'))
    .option('--timezone <tz>', 'IANA time zone of the cron spec (default UTC)')
    .option('--paused', 'create it paused'),
).action((file: string, o: TemporalOptions & { cron: string[]; overlap: 'skip'; timezone?: string; paused?: boolean }) => scheduleCreate(file, o, temporal(o)));
temporalOptions(schedule.command('list').description("list ferry's schedules")).action((o: TemporalOptions) => scheduleList(temporal(o)));
temporalOptions(
  schedule.command('delete').description('delete a schedule (runs already started go on)').argument('<file-or-id>', 'the pipeline file, or the schedule id'),
).action((target: string, o: TemporalOptions) => scheduleDelete(target, temporal(o)));

temporalOptions(
  program
    .command('status')
    .description('recent ferry runs, or one run (progress, result or failure)')
    .argument('[workflow-id]', 'a pipelineRun or tableTransfer workflow id')
    .option('--limit <n>', 'how many recent runs', positiveInteger, 20),
).action((id: string | undefined, o: TemporalOptions & { limit: number }) => status(id, o, temporal(o)));

temporalOptions(
  program
    .command('doctor')
    .description(
      "check a deployment before the first run: Temporal, the bucket, every connection's login, catalog, UNLOAD, TLS, staging and aws_s3; exit 1 if any check fails",
    )
    .argument('[file]', "pipeline file whose connections to check (default: the worker config's, FERRY_CONFIG)")
    .option('--json', 'print the checks as JSON'),
).action(async (file: string | undefined, o: TemporalOptions & { json?: boolean }) => {
  process.exitCode = await doctorCommand(file, o);
});

program
  .command('json-schema')
  .description("print the pipeline file's JSON Schema (for editor completion)")
  .option('--out <file>', 'write it to a file')
  .action((o: { out?: string }) => jsonSchema(o.out));

const uiOrigin = new URL(process.env.FERRY_TEMPORAL_UI_URL ?? `http://127.0.0.1:${process.env.FERRY_TEMPORAL_UI_PORT ?? '8233'}`).origin;
program
  .command('codec-server')
  .description(
    `decrypt payloads for the Temporal Web UI and \`temporal --codec-endpoint\` (keys: FERRY_ENCRYPTION_KEYS; optional bearer token: ${TOKEN_VARIABLE})`,
  )
  .requiredOption('--port <n>', 'port to listen on', positiveInteger)
  .option('--host <address>', 'address to bind (keep it private: whoever reaches it can decrypt)', '127.0.0.1')
  .option('--origin <url...>', "browser origins allowed (the Web UI's, e.g. https://cloud.temporal.io)", [uiOrigin])
  .action((o: { port: number; host: string; origin: string[] }) => codecServer(o));

program.parseAsync(process.argv).catch((err: Error) => {
  console.error(err instanceof PipelineFileError ? err.message : `ferry: ${err.message}`);
  process.exitCode = 1;
});
