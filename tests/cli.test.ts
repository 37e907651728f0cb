import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { fingerprint, uniqueName } from './support/databases';
import { testConfig, transferFixture } from './support/ferry';
import { ferryCli } from './support/processes';
import { waitFor } from './support/wait';

describe('the ferry CLI on the real stack', () => {
  const env = transferFixture('fcli');
  const dir = mkdtempSync(path.join(tmpdir(), 'ferry-cli-'));
  const name = uniqueName('cli').replace(/_/g, '-');
  const file = path.join(dir, 'pipeline.yaml');
  const ferry = (...args: string[]) => ferryCli(args, { FERRY_TASK_QUEUE: env.ferry.taskQueue });

  beforeAll(async () => {
    for (const t of ['accounts', 'payments', 'broken_dst']) {
      await env.src.query(`CREATE TABLE ${t} (id int PRIMARY KEY, note text)`);
      await env.src.query(`INSERT INTO ${t} SELECT g, 'row ' || g FROM generate_series(1, 300) g`);
      await env.dst.query(`CREATE TABLE ${t} (id int PRIMARY KEY, note text)`);
    }
    writeFileSync(
      file,
      [
        `name: ${name}`,
        'defaults:',
        '  source: { connection: redshift }',
        '  target: { connection: postgres }',
        'tables:',
        '  - name: accounts',
        '    source: { table: public.accounts }',
        '    target: { table: public.accounts }',
        '  - name: payments',
        '    source: { table: public.payments }',
        '    target: { table: public.payments }',
        '    dependsOn: [accounts]',
        '',
      ].join('\n'),
    );
  });

  it('has --help on every command', async () => {
    for (const cmd of [
      [],
      ['validate'],
      ['plan'],
      ['run'],
      ['schedule'],
      ['schedule', 'create'],
      ['schedule', 'list'],
      ['schedule', 'delete'],
      ['status'],
      ['json-schema'],
      ['ddl'],
      ['init'],
      ['doctor'],
    ]) {
      const r = await ferry(...cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: ferry${cmd.length ? ` ${cmd.join(' ')}` : ''} `);
    }
  });

  it('validate: prints the run order, or every problem with its place and exit code 1', async () => {
    const ok = await ferry('validate', file);
    expect(ok).toMatchObject({ code: 0, stdout: `${file}: pipeline ${name} is valid: 2 table(s) in 2 wave(s)\n  wave 1: accounts\n  wave 2: payments\n` });

    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      `name: bad\ntables:\n  - source: { connection: redshift, table: public.a }\n    target: { connection: postgres, table: public.a, mode: merge }\n    dependson: [x]\n`,
    );
    const r = await ferry('validate', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `${bad} is not a valid ferry pipeline:\n` +
        `  ${bad}:4:60: tables[0].target.mode: Invalid option: expected one of "replace"|"append"|"upsert"|"sync"\n` +
        `  ${bad}:3:5: tables[0]: unknown key "dependson": check the spelling (docs/pipeline.schema.json lists every key)\n`,
    );
  });

  it('plan: prints each UNLOAD statement and the load plan, and starts nothing', async () => {
    const r = await ferry('plan', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `UNLOAD ($$SELECT * FROM "public"."accounts"$$) TO 's3://ferry-staging/ferry/public.accounts/<run-id>/attempt-1/' IAM_ROLE 'arn:aws:iam::000000000000:role/ferry-local-unload' DELIMITER AS '|' NULL AS '\\\\N' ESCAPE GZIP MANIFEST VERBOSE MAXFILESIZE 64 MB PARALLEL ON`,
    );
    expect(r.stdout).toContain(
      `load:   each part with copy into ferry_staging.public__payments, 4 at a time (task queue ${env.ferry.taskQueue}-load-postgres)`,
    );
    expect(r.stdout).toMatch(/wave 2\n {2}payments: redshift public\.payments → postgres public\.payments \(replace\), after accounts/);
    const runs = env.ferry.client.workflow.list({ query: `FerryPipeline = '${name}'` });
    for await (const w of runs) throw new Error(`plan started ${w.workflowId}`);
  });

  it('run --wait: plain progress lines off a terminal, the targets loaded, exit 0', async () => {
    const r = await ferry('run', file, '--wait');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^started pipeline-${name}-\\d{8}T\\d{6}Z \\(2 table\\(s\\)\\): http://127.0.0.1:8233/namespaces/default/workflows/pipeline-${name}-`),
    );
    expect(r.stdout).toContain('accounts: succeeded: 300 rows in ');
    expect(r.stdout).toContain('payments: succeeded: 300 rows in ');
    expect(r.stdout).toMatch(/pipeline .* succeeded: 2 table\(s\), 600 rows in [\d.]+ s\n$/);
    // (The order itself is tested in pipeline-run.test.ts from the server's times; the view
    // polls once a second and may not see a short state.)
    for (const t of ['accounts', 'payments']) expect(await fingerprint(env.dst, t, 'id')).toEqual(await fingerprint(env.src, t, 'id'));
  });

  it('run --table runs only that table; a failing run exits 1 with the reason', async () => {
    const only = await ferry('run', file, '--table', 'payments', '--wait');
    expect(only.code).toBe(0);
    expect(only.stdout).toContain('(1 table(s))');
    expect(only.stdout).not.toContain('accounts:');

    const failing = path.join(dir, 'failing.yaml');
    writeFileSync(
      failing,
      `name: ${name}-failing\ntables:\n  - source: { connection: redshift, table: public.no_such_table }\n    target: { connection: postgres, table: public.broken_dst }\n`,
    );
    const before = await fingerprint(env.dst, 'broken_dst', 'id');
    const r = await ferry('run', failing, '--wait');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('public.broken_dst: failed: source table public.no_such_table does not exist');
    expect(r.stderr).toMatch(/^ferry: pipeline .*-failing: 1 table\(s\) failed: public\.broken_dst \(source table public\.no_such_table does not exist/);
    expect(await fingerprint(env.dst, 'broken_dst', 'id')).toEqual(before);
  });

  it('doctor: every check of the local stack passes (exit 0, --json); a missing bucket fails with its fix (exit 1)', async () => {
    // The worker config of the fixture's worker (which polls the task queue), as a file.
    const config = path.join(dir, 'worker.json');
    writeFileSync(config, JSON.stringify(testConfig(env.sourceDb, env.targetDb)));
    const good = await ferryCli(['doctor', '--json', '--task-queue', env.ferry.taskQueue], { FERRY_CONFIG: config });
    const report = JSON.parse(good.stdout) as { ok: boolean; checks: { subject: string; check: string; ok: boolean }[] };
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(good.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.subject)).toEqual(expect.arrayContaining(['temporal', 's3', 'redshift', 'redshift-data', 'postgres']));

    writeFileSync(config, JSON.stringify({ ...testConfig(env.sourceDb, env.targetDb), s3: { bucket: 'ferry-cli-no-such-bucket', prefix: 'ferry/' } }));
    const bad = await ferryCli(['doctor', '--task-queue', env.ferry.taskQueue], { FERRY_CONFIG: config });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/✗ s3: bucket ferry-cli-no-such-bucket exists\n {4}no bucket named ferry-cli-no-such-bucket.*\n {4}fix: create the bucket/);
  });

  it('status: lists recent runs, and shows one run with its result', async () => {
    const list = await ferry('status', '--limit', '50');
    expect(list.code).toBe(0);
    const id = new RegExp(`COMPLETED +pipelineRun +\\S+ +(pipeline-${name}-\\d{8}T\\d{6}Z) +\\(${name}\\)`).exec(list.stdout)?.[1];
    expect(id).toBeDefined();
    const one = await ferry('status', id!);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain(`pipelineRun ${id}: COMPLETED`);
    expect(one.stdout).toMatch(/result: \{"name":"cli-[^"]+","succeeded":\d/);
    expect((await ferry('status', 'no-such-workflow')).stderr).toBe(
      'ferry: no workflow no-such-workflow in namespace default: `ferry status` lists recent runs\n',
    );
    const badLimit = await ferry('status', '--limit', 'many');
    expect(badLimit.code).toBe(1);
    expect(badLimit.stderr).toMatch(/^ferry: option '--limit <n>' argument 'many' is invalid\. give a whole number of 1 or more\n/);
  });

  it('schedule create/list/delete: a Temporal Schedule with overlap Skip that runs the pipeline', async () => {
    const created = await ferry('schedule', 'create', file, '--cron', '0 3 * * *');
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(
      new RegExp(`^created schedule pipeline-${name}: 0 3 \\* \\* \\* \\(UTC\\), overlap skip; next run \\d{4}-\\d\\d-\\d\\dT03:00:00.000Z\n$`),
    );
    const handle = env.ferry.client.schedule.getHandle(`pipeline-${name}`);
    const described = await handle.describe();
    expect(described.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'pipelineRun', taskQueue: env.ferry.taskQueue });

    expect((await ferry('schedule', 'create', file, '--cron', '0 3 * * *')).stderr).toBe(
      `ferry: schedule pipeline-${name} already exists: run \`ferry schedule delete pipeline-${name}\` first to replace it\n`,
    );
    expect((await ferry('schedule', 'list')).stdout).toMatch(new RegExp(`pipeline-${name}  0 3 \\* \\* \\*  active  next `));

    // A triggered run is a real pipelineRun, findable by the FerryPipeline search attribute.
    await handle.trigger();
    const run = await waitFor('the scheduled run', async () => (await handle.describe()).info.recentActions[0]?.action.workflow);
    const result = await env.ferry.client.workflow.getHandle(run.workflowId, run.firstExecutionRunId).result();
    expect(result).toMatchObject({ succeeded: 2, failed: 0 });

    expect((await ferry('schedule', 'delete', file)).stdout).toBe(`deleted schedule pipeline-${name}\n`);
    await expect(handle.describe()).rejects.toThrow();
    expect((await ferry('schedule', 'delete', `pipeline-${name}`)).stderr).toBe(
      `ferry: no schedule pipeline-${name}: \`ferry schedule list\` shows the existing ones\n`,
    );
  });
});
