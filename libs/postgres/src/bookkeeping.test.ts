import { createBookkeeping } from './bookkeeping';
import { insertLedgerRow, selectLedgerRow } from './ledger';
import { insertFreeLease, releaseLeaseAndLedger, takeOverLease } from './lease';
import { bookkeepingTables, stagingTableFor, twinIndexName } from './names';
import { upsertPublished } from './published';
import { recordRunColumns, selectRunColumns } from './run-columns';

const target = { schema: 'sales', name: 'Orders' };

describe("the target's bookkeeping, as statements", () => {
  it('created under an advisory lock, the newest table last (its presence says the rest is there)', () => {
    const texts = createBookkeeping('ferry staging').map((s) => s.text.split('\n')[0]);
    expect(texts).toEqual([
      `SELECT pg_advisory_xact_lock(hashtext('ferry bookkeeping'))`,
      'CREATE SCHEMA IF NOT EXISTS "ferry staging"',
      'CREATE TABLE IF NOT EXISTS "ferry staging"."ferry_runs" (',
      'CREATE TABLE IF NOT EXISTS "ferry staging"."ferry_loaded_columns" (target text PRIMARY KEY, columns text[] NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())',
      'CREATE TABLE IF NOT EXISTS "ferry staging"."ferry_ledger" (',
      'CREATE TABLE IF NOT EXISTS "ferry staging"."ferry_published" (',
      'CREATE TABLE IF NOT EXISTS "ferry staging"."ferry_run_columns" (target text PRIMARY KEY, run_id text NOT NULL, columns text[] NOT NULL)',
      'CREATE TABLE IF NOT EXISTS "ferry staging"."ferry_parts" (',
      'ALTER TABLE "ferry staging"."ferry_published" ADD COLUMN IF NOT EXISTS rows_written bigint, ADD COLUMN IF NOT EXISTS rows_deleted bigint',
      'CREATE TABLE IF NOT EXISTS "ferry staging"."ferry_sync_segments" (',
    ]);
  });

  it('leaves an existing staging schema alone: CREATE SCHEMA, even IF NOT EXISTS, needs CREATE on the database', () => {
    const texts = createBookkeeping('ferry_staging', { schemaExists: true }).map((s) => s.text);
    expect(texts.some((t) => t.startsWith('CREATE SCHEMA'))).toBe(false);
    expect(texts.filter((t) => t.startsWith('CREATE TABLE'))).toHaveLength(7);
  });

  it('bookkeepingTables names every table createBookkeeping creates (what may stay in the staging schema)', () => {
    const created = createBookkeeping('s').flatMap((st) => /^CREATE TABLE IF NOT EXISTS "s"\."(\w+)"/.exec(st.text)?.[1] ?? []);
    expect(
      bookkeepingTables('s')
        .map((t) => t.name)
        .sort(),
    ).toEqual(created.sort());
  });

  it("a run's columns: recorded per target, read back only by the run that recorded them", () => {
    expect(recordRunColumns('ferry_staging', target, 'r1', ['id', 'Note'])).toEqual({
      text: 'INSERT INTO "ferry_staging"."ferry_run_columns" (target, run_id, columns) VALUES ($1, $2, $3) ON CONFLICT (target) DO UPDATE SET run_id = $2, columns = $3',
      values: ['"sales"."Orders"', 'r1', ['id', 'Note']],
    });
    expect(selectRunColumns('ferry_staging', target, 'r1')).toEqual({
      text: 'SELECT columns FROM "ferry_staging"."ferry_run_columns" WHERE target = $1 AND run_id = $2',
      values: ['"sales"."Orders"', 'r1'],
    });
  });

  it('values are parameters, identifiers quoted: the ledger, the lease, the publish record', () => {
    expect(selectLedgerRow('ferry_staging', 'run-1', 'p/0001_part_00#1')).toEqual({
      text: 'SELECT rows, etag FROM "ferry_staging"."ferry_ledger" WHERE run_id = $1 AND part = $2',
      values: ['run-1', 'p/0001_part_00#1'],
    });
    expect(insertLedgerRow('ferry_staging', { runId: 'r', part: 'p', target, etag: 'e', rows: 3 }).values).toEqual(['r', 'p', '"sales"."Orders"', 'e', 3]);
    expect(insertFreeLease('ferry_staging', target, { workflowId: 'w', runId: 'r' })).toEqual({
      text: 'INSERT INTO "ferry_staging"."ferry_runs" (target, workflow_id, run_id) VALUES ($1, $2, $3) ON CONFLICT (target) DO NOTHING',
      values: ['"sales"."Orders"', 'w', 'r'],
    });
    expect(takeOverLease('ferry_staging', target, { workflowId: 'w2', runId: 'r2' }).text).toBe(
      'UPDATE "ferry_staging"."ferry_runs" SET workflow_id = $2, run_id = $3, started_at = now() WHERE target = $1',
    );
    expect(releaseLeaseAndLedger('ferry_staging', target, 'r')).toEqual({
      text: 'WITH ledger AS (DELETE FROM "ferry_staging"."ferry_ledger" WHERE target = $1), parts AS (DELETE FROM "ferry_staging"."ferry_parts" WHERE target = $1), segments AS (DELETE FROM "ferry_staging"."ferry_sync_segments" WHERE target = $1) DELETE FROM "ferry_staging"."ferry_runs" WHERE target = $1 AND run_id = $2',
      values: ['"sales"."Orders"', 'r'],
    });
    expect(upsertPublished('ferry_staging', target, 'r', { rows: 5, publish: { path: 'insert', reason: 'a view depends on it' } }).values).toEqual([
      '"sales"."Orders"',
      'r',
      5,
      'insert',
      'a view depends on it',
      null,
      null,
    ]);
  });

  it("names stay within PostgreSQL's 63 bytes and unique", () => {
    const long = { schema: 's', name: 'x'.repeat(80) };
    const staging = stagingTableFor(long, 'ferry_staging');
    expect(Buffer.byteLength(staging.name)).toBeLessThanOrEqual(63);
    expect(staging.name).not.toBe(stagingTableFor({ schema: 's', name: `${'x'.repeat(79)}y` }, 'ferry_staging').name);
    expect(twinIndexName(staging, 2)).toMatch(/_[0-9a-f]{12}$/);
  });
});
