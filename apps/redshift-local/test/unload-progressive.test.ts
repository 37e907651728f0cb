import { listObjects } from '@ferry/s3';
import { bucket, redshiftLocal, s3, text, uniquePrefix } from './support';
import { waitFor } from '../../../tests/support/wait';

// Redshift closes a file when it reaches MAXFILESIZE and goes on writing the next one while
// the query runs; ferry loads each file as soon as it is listed (ARCHITECTURE.md,
// "Parallelism"). The UNLOAD's query waits on an advisory lock the test holds, so "listed
// before the statement returned" is an order of events, not a race.
describe('UNLOAD writes parts progressively', () => {
  let rl: Awaited<ReturnType<typeof redshiftLocal>>;
  beforeAll(async () => {
    rl = await redshiftLocal();
  });
  afterAll(async () => {
    await rl?.close();
  });

  it('completes a part at MAXFILESIZE, listed in S3 before the UNLOAD statement returns', async () => {
    const db = await rl.connect();
    const holder = await rl.connect();
    // ~100 bytes a row: rows before the gate fill more than 5 MB on each of the 4 slices.
    await db.query(`CREATE TABLE big AS SELECT g AS id, repeat(md5(g::text), 3) AS s FROM generate_series(1, 260000) g`);
    await db.query(
      `CREATE FUNCTION gate() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_lock(4242); PERFORM pg_advisory_unlock(4242); RETURN true; END $$`,
    );
    await holder.query('SELECT pg_advisory_lock(4242)');

    const p = uniquePrefix('progressive');
    let returned = false;
    const statement = db
      .query(
        `UNLOAD ('select id, s from big where case when id = 250000 then gate() else true end') TO 's3://${bucket}/${p}' IAM_ROLE 'arn:aws:iam::1:role/r' MANIFEST VERBOSE MAXFILESIZE 5 MB`,
      )
      .finally(() => (returned = true));

    const early = await waitFor('a part to be listed while the UNLOAD waits', async () => {
      const listed = [];
      for await (const o of listObjects(s3, bucket, p)) listed.push(o);
      return listed.length > 0 ? listed : undefined;
    });
    expect(returned).toBe(false);
    expect(early.map((o) => o.key)).not.toContain(`${p}manifest`);
    // A listed part is complete: its size is the one the manifest gives once the UNLOAD ends.
    const [first] = early;
    expect(first.size).toBeGreaterThan(4 * 1024 * 1024);
    expect(first.size).toBeLessThanOrEqual(5 * 1024 * 1024);

    await holder.query('SELECT pg_advisory_unlock(4242)');
    await statement;
    const manifest = JSON.parse(await text(`${p}manifest`)) as { entries: { url: string; meta: { content_length: number } }[] };
    const entry = manifest.entries.find((e) => e.url === `s3://${bucket}/${first.key}`);
    expect(entry?.meta.content_length).toBe(first.size);
    expect(manifest.entries.length).toBeGreaterThan(4);
    expect((await text(first.key)).length).toBe(first.size);
  });
});
