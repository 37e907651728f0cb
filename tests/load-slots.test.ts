import { PutObjectCommand } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { Client as PgClient } from 'pg';
import { createActivities } from '@ferry/activities';
import type { LoadTarget } from '@ferry/contract';
import { ensureBookkeeping, LOAD_SLOT_KEY, registerManifestParts, unloadSlots } from '@ferry/postgres';
import { run } from '@ferry/sql';
import { createS3Client, s3SettingsFromEnv } from '@ferry/s3';
import { connect, createDatabase, fingerprint, uniqueName } from './support/databases';
import { stack } from './support/env';
import { testConfig, transferFixture } from './support/ferry';
import { waitFor } from './support/wait';

// The target's load cap holds over every worker: loads called side by side, as six workers'
// would be, never run more COPYs at once than maxConcurrentLoads, and a slot whose session
// died is free again.
describe('load slots on the target', () => {
  const s3 = createS3Client(s3SettingsFromEnv());
  let target: Awaited<ReturnType<typeof createDatabase>>;
  let db: PgClient;
  let activities: ReturnType<typeof createActivities>;

  beforeAll(async () => {
    target = await createDatabase('ferry_slots_dst');
    db = await connect(target.name);
    const config = testConfig('unused', target.name);
    config.connections.postgres = { ...config.connections.postgres, maxConcurrentLoads: 2 } as typeof config.connections.postgres;
    activities = createActivities({ config, s3 });
    await ensureBookkeeping(db, 'ferry_staging');
  });
  afterAll(async () => {
    await db?.end();
    await target?.drop();
  });

  /** A staging table whose every row takes 50 ms to insert, and `count` ten-row parts for it, registered. */
  async function slowParts(count: number) {
    const name = uniqueName('slots');
    await db.query(`CREATE TABLE ferry_staging.${name} (id int)`);
    await db.query(`CREATE FUNCTION ferry_staging.${name}_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.05); RETURN NEW; END $$`);
    await db.query(`CREATE TRIGGER slow BEFORE INSERT ON ferry_staging.${name} FOR EACH ROW EXECUTE FUNCTION ferry_staging.${name}_slow()`);
    const prefix = `tests/${name}/`;
    const parts = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const key = `${prefix}000${i}_part_00`;
        const body = Array.from({ length: 10 }, (__, r) => `${i * 10 + r}\n`).join('');
        const put = await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body }));
        return { key, name: key.slice(prefix.length), bytes: body.length, etag: put.ETag!.replace(/"/g, ''), rows: 10 };
      }),
    );
    const load: LoadTarget = {
      runId: uniqueName('run'),
      connection: 'postgres',
      table: { schema: 'public', name },
      staging: { schema: 'ferry_staging', name },
      columns: ['id'],
      loadMethod: 'copy',
      bucket: stack.bucket,
      compression: 'none',
    };
    await run(db, registerManifestParts('ferry_staging', { runId: load.runId, attempt: 1, target: load.table }, parts));
    return { name, load, parts: parts.map((_, ordinal) => ({ attempt: 1, ordinal })) };
  }

  /** Loads copying into the staging table right now, sampled every 20 ms until `until` settles. */
  async function peakCopies(name: string, until: Promise<unknown>): Promise<number> {
    let peak = 0;
    let done = false;
    void until.finally(() => (done = true));
    while (!done) {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1`, [
        `COPY "ferry_staging"."${name}"%`,
      ]);
      peak = Math.max(peak, rows[0].n);
      await new Promise((r) => setTimeout(r, 20));
    }
    return peak;
  }

  const call = <I, O>(fn: (input: I) => Promise<O>, input: I, heartbeats: unknown[] = []) => {
    const env = new MockActivityEnvironment({ taskQueue: 'load-slots-test' }, { logger: new DefaultLogger('WARN') });
    env.on('heartbeat', (d: unknown) => heartbeats.push(d));
    return env.run(fn, input) as Promise<O>;
  };

  it('six loads at once run at most two COPYs (maxConcurrentLoads 2), and every part loads once', async () => {
    const { name, load, parts } = await slowParts(6);
    const loads = Promise.all(parts.map((registered) => call(activities.loadPart, { load, registered })));
    const peak = await peakCopies(name, loads);
    expect((await loads).map((r) => r.rows)).toEqual([10, 10, 10, 10, 10, 10]);
    expect(peak).toBe(2);
    const staged = await db.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM ferry_staging.${name}`);
    expect(staged.rows[0]).toEqual({ n: 60, d: 60 });
    // Every slot was given back.
    const held = await db.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::oid`, [LOAD_SLOT_KEY]);
    expect(held.rows[0].n).toBe(0);
  });

  it('a load finding every slot held waits, saying so, and goes on once the holding session dies', async () => {
    const { name, load, parts } = await slowParts(1);
    // Another worker's loads hold both slots; then that worker dies.
    const other = await connect(target.name);
    other.on('error', () => undefined); // its death is the point
    await other.query(`SELECT pg_advisory_lock($1, 0), pg_advisory_lock($1, 1)`, [LOAD_SLOT_KEY]);
    const otherPid = (await other.query(`SELECT pg_backend_pid() AS pid`)).rows[0].pid;
    const heartbeats: { waiting?: string }[] = [];
    const loading = call(activities.loadPart, { load, registered: parts[0] }, heartbeats);
    await waitFor('the load to say it waits', async () => heartbeats.some((h) => h.waiting));
    expect(heartbeats.find((h) => h.waiting)!.waiting).toBe('waiting for a load slot on postgres: 2 of 2 held (maxConcurrentLoads, over every worker)');
    expect((await db.query(`SELECT count(*)::int AS n FROM ferry_staging.${name}`)).rows[0].n).toBe(0);
    await db.query(`SELECT pg_terminate_backend($1)`, [otherPid]);
    await other.end().catch(() => undefined);
    expect(await loading).toMatchObject({ rows: 10, alreadyLoaded: false });
    expect((await db.query(`SELECT count(*)::int AS n FROM ferry_staging.${name}`)).rows[0].n).toBe(10);
  });

  describe('UNLOAD slots of the source, held in the target database', () => {
    const env = transferFixture('slots');

    it('a transfer finding every UNLOAD slot held waits, saying so in its heartbeats, and moves every value once they are free', async () => {
      await env.src.query(`CREATE TABLE waits AS SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 500) g`);
      await env.dst.query(`CREATE TABLE waits (id int, h text)`);
      // Another worker's UNLOADs on this cluster hold every slot (maxConcurrentUnloads, default 8).
      const redshift = testConfig(env.sourceDb, env.targetDb).connections.redshift as {
        host: string;
        port?: number;
        database: string;
        maxConcurrentUnloads?: number;
      };
      const slots = unloadSlots(`${redshift.host}:${redshift.port ?? 5439}/${redshift.database}`, 8);
      const other = await connect(env.targetDb);
      other.on('error', () => undefined); // its death is the point
      for (let slot = 0; slot < 8; slot++) await other.query(`SELECT pg_advisory_lock($1, $2)`, [slots.key, slots.base + slot]);
      const otherPid = (await other.query(`SELECT pg_backend_pid() AS pid`)).rows[0].pid;

      const handle = await env.ferry.start(
        'tableTransfer',
        { source: { connection: 'redshift', table: 'waits' }, target: { connection: 'postgres', table: 'waits' } },
        'unload-slots',
      );
      const phase = await waitFor('the unload to say it waits', async () => {
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        const details = pending[0]?.heartbeatDetails?.payloads?.[0]?.data;
        const said = details && (JSON.parse(Buffer.from(details).toString('utf8')) as { phase?: string }).phase;
        return said?.startsWith('waiting') ? said : undefined;
      });
      expect(phase).toBe('waiting for an UNLOAD slot on redshift: 8 of 8 held (maxConcurrentUnloads, over every worker)');
      expect((await env.src.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'COPY%waits%'`)).rows[0].n).toBe(0);
      await env.dst.query(`SELECT pg_terminate_backend($1)`, [otherPid]);
      await other.end().catch(() => undefined);
      expect(await handle.result()).toMatchObject({ rows: 500 });
      expect(await fingerprint(env.dst, 'waits', 'id')).toEqual(await fingerprint(env.src, 'waits', 'id'));
    });
  });
});
