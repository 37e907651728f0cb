// Records workflow histories of representative runs into tests/histories/, for the replay
// test that makes determinism-breaking workflow changes fail CI. Rerun (on the local stack:
// `bash tools/with-stack.sh tsx tools/test/record-histories.ts [name…]`) only when a workflow
// change is meant to be incompatible, and version the workflow instead where runs may be in
// flight. Names (success, retry, cancel, pipeline, pipeline-continued, checksum, sync, discovery,
// verify, overlap, overlap-retry, registry, registry-retry, tiny, pipeline-small) record only
// those; registry also records its first child range as registry-range.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { installRedshiftTypes } from '@ferry/redshift-local';
import { connect, createDatabase } from '../../tests/support/databases';
import { gatedSource } from '../../tests/support/unload-gate';
import { startFerry, testConfig } from '../../tests/support/ferry';
import { waitFor } from '../../tests/support/wait';

const out = path.resolve(__dirname, '../../tests/histories');
const only = process.argv.slice(2);
const wanted = (name: string) => only.length === 0 || only.includes(name);

async function main() {
  const source = await createDatabase('ferry_rec_src');
  const target = await createDatabase('ferry_rec_dst');
  await installRedshiftTypes(source.name);
  const src = await connect(source.name);
  const dst = await connect(target.name);
  const ferry = await startFerry(testConfig(source.name, target.name));
  const save = async (name: string, workflowId: string, runId?: string) => {
    const history = await ferry.client.workflow.getHandle(workflowId, runId).fetchHistory();
    writeFileSync(path.join(out, `${name}.json`), historyToJSON(history) + '\n');
    console.log(`recorded ${name}`);
  };
  try {
    await src.query(`CREATE TABLE t AS SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 20000) g`);
    await dst.query(`CREATE TABLE t (id int, h text)`);
    const input = { source: { connection: 'redshift', table: 't' }, target: { connection: 'postgres', table: 't' }, load: { maxParallelLoads: 2 } };

    if (wanted('success')) {
      await ferry.client.workflow.execute('tableTransfer', { taskQueue: ferry.taskQueue, workflowId: 'replay-success', args: [input] });
      await save('success', 'replay-success');
    }

    // A tiny table with the parts registry: its parts load inside finalize, no loadPart.
    if (wanted('tiny')) {
      await ferry.client.workflow.execute('tableTransfer', { taskQueue: ferry.taskQueue, workflowId: 'replay-tiny', args: [input] });
      await save('tiny', 'replay-tiny');
    }

    if (wanted('checksum')) {
      // The checksum gate: the unload returns the source's checksum, finalize compares staging with it.
      await dst.query(`CREATE TABLE tc (id int PRIMARY KEY, h text)`);
      const checked = { ...input, target: { connection: 'postgres', table: 'tc' }, verify: 'checksum' };
      await ferry.client.workflow.execute('tableTransfer', { taskQueue: ferry.taskQueue, workflowId: 'replay-checksum', args: [checked] });
      await save('checksum', 'replay-checksum');
    }

    if (wanted('sync') || wanted('sync-full')) {
      // mode sync: a first sync copies every row; the next compares segments and moves the differing ones.
      await dst.query(`CREATE TABLE ts (id int PRIMARY KEY, h text)`);
      const synced = { ...input, target: { connection: 'postgres', table: 'ts', mode: 'sync' } };
      await ferry.client.workflow.execute('tableTransfer', { taskQueue: ferry.taskQueue, workflowId: 'replay-sync-full', args: [synced] });
      await save('sync-full', 'replay-sync-full');
      await src.query(`UPDATE t SET h = 'changed' WHERE id % 1000 = 0`);
      await ferry.client.workflow.execute('tableTransfer', { taskQueue: ferry.taskQueue, workflowId: 'replay-sync', args: [synced] });
      await save('sync', 'replay-sync');
      await src.query(`UPDATE t SET h = md5(id::text) WHERE id % 1000 = 0`);
    }

    if (wanted('discovery')) {
      // A schema entry: discoverTables, then one child per table found (created from the catalog).
      await src.query(
        `CREATE SCHEMA disc; CREATE TABLE disc.a AS SELECT g AS id FROM generate_series(1, 10) g; CREATE TABLE disc.b AS SELECT g AS id FROM generate_series(1, 5) g`,
      );
      const pipeline = {
        name: 'replay-discovery',
        defaults: { source: { connection: 'redshift' }, target: { connection: 'postgres', create: 'ifMissing' } },
        tables: [{ name: 'disc', source: { schema: 'disc' }, target: { schema: 'disc_copy' } }],
      };
      await ferry.client.workflow.execute('pipelineRun', { taskQueue: ferry.taskQueue, workflowId: 'replay-discovery', args: [pipeline] });
      await save('discovery', 'replay-discovery');
    }

    if (wanted('verify')) {
      await ferry.client.workflow.execute('tableVerify', {
        taskQueue: ferry.taskQueue,
        workflowId: 'replay-verify',
        args: [{ source: { connection: 'redshift', table: 't' }, target: { connection: 'postgres', table: 't' } }],
      });
      await save('verify', 'replay-verify');
    }

    const overlapping = ['overlap', 'overlap-retry', 'registry', 'registry-retry'].filter(wanted);
    if (overlapping.length > 0) {
      // Parts loaded while the UNLOAD waits at a gate (tests/support/unload-gate.ts); for
      // *-retry the first unload attempt then fails, superseding the loaded parts. overlap and
      // overlap-retry load every part in the table's workflow; registry and registry-retry load
      // one part there and each other in a child range (partsPerWorkflow 1).
      const holder = await connect(source.name);
      const gate = await gatedSource(src, holder, 'big');
      await dst.query(`CREATE TABLE big (id int, h text, pad text)`);
      const overlapInput = {
        source: { connection: 'redshift', query: gate.query },
        target: { connection: 'postgres', table: 'big' },
        unload: { maxFileSizeMb: 5, compression: 'none' },
        load: { maxParallelLoads: 2 },
      };
      for (const name of overlapping) {
        await gate.close();
        const args = name.startsWith('registry') ? [{ ...overlapInput, load: { ...overlapInput.load, partsPerWorkflow: 1 } }] : [overlapInput];
        const handle = await ferry.client.workflow.start('tableTransfer', { taskQueue: ferry.taskQueue, workflowId: `replay-${name}`, args });
        await waitFor('a part loaded during the UNLOAD', async () => (await handle.query<{ partsDone: number }>('progress')).partsDone > 0);
        if (name.endsWith('-retry')) {
          const unloads = await src.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE 'COPY%'`,
            [source.name],
          );
          if (unloads.rowCount !== 1) throw new Error(`expected one UNLOAD on the source, found ${unloads.rowCount}`);
        }
        await gate.open();
        await handle.result();
        await save(name, `replay-${name}`);
        if (name === 'registry') {
          const events = (await handle.fetchHistory()).events ?? [];
          const child = events.find((e) => e.childWorkflowExecutionCompletedEventAttributes)?.childWorkflowExecutionCompletedEventAttributes?.workflowExecution;
          if (!child) throw new Error('the registry run started no child range');
          await save('registry-range', child.workflowId!, child.runId!);
        }
      }
      await holder.end();
    }

    if (wanted('pipeline')) {
      // Two tables in order, and one that fails and skips its dependent.
      await dst.query(`CREATE TABLE u (id int, h text)`);
      const table = (name: string, from: string, to: string, dependsOn?: string[]) => ({ name, source: { table: from }, target: { table: to }, dependsOn });
      const pipeline = {
        name: 'replay',
        maxParallelTables: 2,
        defaults: { source: { connection: 'redshift' }, target: { connection: 'postgres' } },
        tables: [table('t', 't', 't'), table('u', 't', 'u', ['t']), table('broken', 'missing', 's'), table('after-broken', 't', 's', ['broken'])],
      };
      await dst.query(`CREATE TABLE s (id int, h text)`);
      await ferry.client.workflow
        .execute('pipelineRun', { taskQueue: ferry.taskQueue, workflowId: 'replay-pipeline', args: [pipeline] })
        .catch(() => undefined);
      await save('pipeline', 'replay-pipeline');
      await dst.query(`DROP TABLE s, u`);
    }
    if (wanted('pipeline-continued')) {
      // Five tables under a 25-event limit: the first run continues as new, the last finishes.
      const targets = ['c1', 'c2', 'c3', 'c4', 'c5'];
      for (const name of targets) await dst.query(`CREATE TABLE ${name} (id int, h text)`);
      const pipeline = {
        name: 'continued',
        maxParallelTables: 2,
        historyLimit: { events: 25, bytes: 1024 * 1024 },
        defaults: { source: { connection: 'redshift' }, target: { connection: 'postgres' } },
        tables: targets.map((name) => ({ name, source: { table: 't' }, target: { table: name } })),
      };
      const handle = await ferry.client.workflow.start('pipelineRun', {
        taskQueue: ferry.taskQueue,
        workflowId: 'replay-pipeline-continued',
        args: [pipeline],
      });
      await handle.result();
      await save('pipeline-continued', 'replay-pipeline-continued', handle.firstExecutionRunId);
      // The run that finished: its input carries what the first one handed on.
      await save('pipeline-continued.2', 'replay-pipeline-continued');
      await dst.query(`DROP TABLE ${targets.join(', ')}`);
    }
    if (wanted('pipeline-small')) {
      // Small tables in one activity each (one of them failing, its dependent skipped), a view handed on to its child workflow.
      await src.query(`CREATE VIEW tv AS SELECT * FROM t`);
      for (const name of ['s1', 's2', 'sv']) await dst.query(`CREATE TABLE ${name} (id int, h text)`);
      const pipeline = {
        name: 'small',
        maxParallelTables: 2,
        defaults: { source: { connection: 'redshift' }, target: { connection: 'postgres' } },
        tables: [
          { name: 's1', source: { table: 't' }, target: { table: 's1' } },
          { name: 'sv', source: { table: 'tv' }, target: { table: 'sv' } },
          { name: 'missing', source: { table: 't' }, target: { table: 'no_such_target' } },
          { name: 's2', source: { table: 't' }, target: { table: 's2' }, dependsOn: ['s1'] },
          { name: 'after-missing', source: { table: 't' }, target: { table: 's3' }, dependsOn: ['missing'] },
        ],
      };
      await ferry.client.workflow
        .execute('pipelineRun', { taskQueue: ferry.taskQueue, workflowId: 'replay-pipeline-small', args: [pipeline] })
        .catch((err: Error) => console.log(`replay-pipeline-small failed as meant: ${err.message}`));
      await save('pipeline-small', 'replay-pipeline-small');
      await dst.query(`DROP TABLE s1, s2, sv`);
      await src.query(`DROP VIEW tv`);
    }
    if (!wanted('retry') && !wanted('cancel')) return;

    // The first COPY fails with a retryable error; the retry loads the part.
    await dst.query(`CREATE SEQUENCE flaky`);
    await dst.query(`CREATE FUNCTION flaky() RETURNS int LANGUAGE plpgsql AS $$
      BEGIN IF nextval('flaky') = 1 THEN RAISE EXCEPTION 'transient failure' USING ERRCODE = '57P01'; END IF; RETURN 1; END $$`);
    await dst.query(`TRUNCATE t`); // ADD COLUMN would evaluate the default on existing rows
    await dst.query(`ALTER TABLE t ADD COLUMN f int DEFAULT flaky()`);
    if (wanted('retry')) {
      await ferry.client.workflow.execute('tableTransfer', { taskQueue: ferry.taskQueue, workflowId: 'replay-retry', args: [input] });
      await save('retry', 'replay-retry');
    }
    if (!wanted('cancel')) return;

    await dst.query(`CREATE TABLE s (x text)`);
    const handle = await ferry.client.workflow.start('tableTransfer', {
      taskQueue: ferry.taskQueue,
      workflowId: 'replay-cancel',
      args: [{ source: { connection: 'redshift', query: 'select pg_sleep(600)::text as x' }, target: { connection: 'postgres', table: 's' } }],
    });
    await waitFor('the unload to start', async () => (await handle.fetchHistory()).events?.some((e) => e.activityTaskStartedEventAttributes));
    await handle.cancel();
    await handle.result().catch(() => undefined);
    await save('cancel', 'replay-cancel');
  } finally {
    await ferry.stop();
    await Promise.all([src.end(), dst.end()]);
    await source.drop();
    await target.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
