import type { TwinIndex } from '@ferry/contract';
import { publishStaged, twinToSwapIn, type TargetPlan } from './publish';
import { RowsRefused, UpsertKeyRepeated } from './refusals';
import { SyncProofFailed } from './sync-publish';
import { recordingSession } from './test-session';

const indexes: TwinIndex[] = [];
const base: TargetPlan = {
  connection: 'warehouse',
  table: { schema: 'public', name: 'orders' },
  staging: { schema: 'ferry_staging', name: 'public__orders' },
  columns: ['id', 'note'],
  mode: 'replace',
  loadMethod: 'copy',
  loadTaskQueue: 'ferry-load-warehouse',
  publish: { path: 'insert', reason: 'view public.v depends on it' },
};

/** Each statement as its first words: enough to read the transaction's order. */
const head = (text: string) => text.replace(/\s+/g, ' ').split(' ').slice(0, 4).join(' ');

/** Answers the catalog reads the transaction makes; `blockers` are swap blockers found under the lock. */
function target(options: { blockers?: string[]; rows?: boolean; repeated?: boolean } = {}) {
  return (text: string): object[] | undefined => {
    if (text.includes('AS why ORDER BY reason')) return (options.blockers ?? []).map((reason) => ({ reason }));
    if (text.includes('pg_get_userbyid(relowner) AS owner'))
      return [{ owner: 'app', comment: null, rls: false, force_rls: false, reloptions: null, replident: 'd' }];
    if (text.startsWith('SELECT 1 FROM "public"."orders"')) return options.rows ? [{}] : [];
    if (text.includes('count(*) AS n FROM "ferry_staging"')) return options.repeated ? [{ id: '1', n: '2' }] : [];
    return undefined;
  };
}

const TAIL = [
  'SELECT a.attname, pg_get_serial_sequence($1, a.attname)',
  'INSERT INTO "ferry_staging"."ferry_loaded_columns" (target,',
  'INSERT INTO "ferry_staging"."ferry_published" (target,',
  'COMMIT',
];

describe("finalize's publishing transaction", () => {
  it('replace by insert: TRUNCATE and INSERT, the identities moved, the loaded columns and the run recorded, in one transaction', async () => {
    const session = recordingSession(target());
    expect(await publishStaged(session, { target: base, runId: 'r1', rows: 2 })).toEqual({ path: { path: 'insert', reason: 'view public.v depends on it' } });
    expect(session.texts().map(head)).toEqual([
      'BEGIN',
      'SELECT 1 FROM pg_constraint',
      'TRUNCATE "public"."orders"',
      'INSERT INTO "public"."orders" ("id",',
      ...TAIL,
    ]);
    expect(session.log.at(-2)!.values).toEqual(['"public"."orders"', 'r1', 2, 'insert', 'view public.v depends on it', null, null]);
  });

  it('addColumns: the ALTER TABLEs come first, inside the transaction', async () => {
    const session = recordingSession(target());
    await publishStaged(session, { target: { ...base, mode: 'append', addColumns: [{ name: 'added', type: 'text' }] }, runId: 'r1', rows: 2 });
    expect(session.texts().slice(0, 3)).toEqual([
      'BEGIN',
      'ALTER TABLE "public"."orders" ADD COLUMN IF NOT EXISTS "added" text',
      expect.stringMatching(/^INSERT INTO "public"."orders"/),
    ]);
  });

  it('swap: the lock, the checks under it, what the swap carries, the swap itself', async () => {
    const session = recordingSession(target());
    const plan = { ...base, publish: { path: 'swap' as const, indexes } };
    expect(await publishStaged(session, { target: plan, runId: 'r1', rows: 2, twin: indexes })).toEqual({ path: { path: 'swap' } });
    expect(session.texts().map(head)).toEqual([
      'BEGIN',
      'LOCK TABLE "public"."orders" IN',
      'WITH t AS (SELECT',
      ...Array(2)
        .fill(['SELECT a.attname, format_type(a.atttypid, a.atttypmod)', 'SELECT conname, pg_get_constraintdef(oid) AS', 'SELECT ic.relname AS name,'])
        .flat(),
      'SELECT pg_get_userbyid(relowner) AS owner,',
      'SELECT CASE WHEN x.grantee',
      'SELECT p.polname AS name,',
      'SELECT a.attname AS column,',
      'SELECT n.nspname AS schema,',
      'DROP TABLE "public"."orders"',
      'ALTER TABLE "ferry_staging"."public__orders" SET',
      'ALTER TABLE "public"."public__orders" RENAME',
      'ALTER TABLE "public"."orders" OWNER',
      ...TAIL,
    ]);
  });

  it('a swap that became unsafe under the lock publishes by insert and says why', async () => {
    const session = recordingSession(target({ blockers: ['view public.v depends on it'] }));
    const plan = { ...base, publish: { path: 'swap' as const, indexes } };
    expect(await publishStaged(session, { target: plan, runId: 'r1', rows: 2, twin: indexes })).toEqual({
      path: { path: 'insert', reason: "view public.v depends on it (found under finalize's lock)" },
    });
    expect(session.texts().map(head).slice(1, 6)).toEqual([
      'LOCK TABLE "public"."orders" IN',
      'WITH t AS (SELECT',
      'SELECT 1 FROM pg_constraint',
      'TRUNCATE "public"."orders"',
      'INSERT INTO "public"."orders" ("id",',
    ]);
  });

  it('an append swaps only into an empty target: checked before the index builds and again under the lock', async () => {
    const plan: TargetPlan = { ...base, mode: 'append', publish: { path: 'swap', indexes } };
    expect(await twinToSwapIn(recordingSession(target()), plan)).toEqual(indexes);
    expect(await twinToSwapIn(recordingSession(target({ rows: true })), plan)).toBeUndefined();
    expect(await twinToSwapIn(recordingSession(), base)).toBeUndefined();

    const session = recordingSession(target({ rows: true }));
    expect(await publishStaged(session, { target: plan, runId: 'r1', rows: 2, twin: indexes })).toEqual({
      path: { path: 'insert', reason: 'the target is no longer empty' },
    });
    expect(session.texts().map(head).slice(1, 4)).toEqual([
      'LOCK TABLE "public"."orders" IN',
      'SELECT 1 FROM "public"."orders"',
      'INSERT INTO "public"."orders" ("id",',
    ]);
    expect(await publishStaged(recordingSession(target({ rows: true })), { target: plan, runId: 'r1', rows: 2 })).toEqual({
      path: { path: 'insert', reason: 'the target is no longer empty' },
    });
  });

  it('rows the target refuses fail as RowsRefused and roll back; other errors pass unchanged', async () => {
    const refused = recordingSession(target(), { match: /^INSERT INTO "public"/, error: { code: '23505', constraint: 'orders_pkey' } });
    const err = await publishStaged(refused, { target: base, runId: 'r1', rows: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RowsRefused);
    expect((err as RowsRefused).error.constraint).toBe('orders_pkey');
    expect(refused.texts().at(-1)).toBe('ROLLBACK');

    const lost = recordingSession(target(), { match: /^TRUNCATE/, error: { code: '57P01' } });
    expect(await publishStaged(lost, { target: base, runId: 'r1', rows: 2 }).catch((e: unknown) => e)).not.toBeInstanceOf(RowsRefused);
    // An identity that cannot move is not the rows' fault: retried like any other error.
    const identity = recordingSession(
      (text) => (text.includes('AS ascending') ? [{ attname: 'id', seq: 'public.orders_id_seq', ascending: true }] : target()(text)),
      {
        match: /^SELECT setval/,
        error: { code: '22003' },
      },
    );
    expect(await publishStaged(identity, { target: base, runId: 'r1', rows: 2 }).catch((e: unknown) => e)).not.toBeInstanceOf(RowsRefused);
  });

  it('an upsert whose staged rows repeat a key fails before it locks the target', async () => {
    const session = recordingSession(target({ repeated: true }));
    const err = await publishStaged(session, { target: { ...base, mode: 'upsert', key: ['id'] }, runId: 'r1', rows: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpsertKeyRepeated);
    expect((err as UpsertKeyRepeated).key).toEqual({ values: [{ column: 'id', value: '1' }], rows: 2 });
    expect(session.texts().map(head)).toEqual(['BEGIN', 'SELECT "id", count(*) AS', 'ROLLBACK']);
  });
});

describe('a sync, in the publishing transaction', () => {
  const plan: TargetPlan = { ...base, mode: 'sync', key: ['id'], publish: { path: 'insert', reason: '' } };
  const sync = {
    runId: 'r1',
    attempt: 2,
    sourceRows: 10,
    carried: 'ferry_row_hash',
    hashes: { segmentOf: 'SEG', rowHashOf: 'HASH', segmentSums: (where: string) => `SELECT bucket, rows, sum FROM sums WHERE ${where}` },
  };
  const answers =
    (o: { differing?: object[]; total?: string; repeated?: boolean } = {}) =>
    (text: string) => {
      if (text.includes('count(*) AS n FROM "ferry_staging"')) return o.repeated ? [{ id: '1', n: '2' }] : [];
      if (text.startsWith('SELECT g.segment')) return o.differing ?? [];
      if (text.startsWith('SELECT count(*) AS rows')) return [{ rows: o.total ?? '10' }];
      return undefined;
    };

  it("locks writers out, collects the differing segments' keys, deletes the keys the source lost, updates changed rows in place, inserts new keys, proves the segments and the count", async () => {
    const session = recordingSession(answers());
    expect(await publishStaged(session, { target: plan, runId: 'r1', rows: 4, sync })).toEqual({
      path: { path: 'insert' },
      sync: { rowsWritten: 0, rowsDeleted: 0 },
    });
    expect(session.texts().map(head).slice(0, 11)).toEqual([
      'BEGIN',
      'LOCK TABLE "public"."orders" IN',
      'SELECT "id", count(*) AS',
      'CREATE TEMPORARY TABLE ferry_sync_keys',
      'ANALYZE ferry_sync_keys',
      'DELETE FROM "public"."orders" AS',
      'UPDATE "public"."orders" AS t',
      'INSERT INTO "public"."orders" ("id",',
      'SELECT g.segment, g.rows AS',
      'SELECT count(*) AS rows',
      'SELECT a.attname, pg_get_serial_sequence($1, a.attname)',
    ]);
    const collect = session.log[3];
    expect(collect.text).toBe(
      'CREATE TEMPORARY TABLE ferry_sync_keys ON COMMIT DROP AS SELECT "id", HASH AS "ferry_row_hash" FROM "public"."orders" WHERE SEG IN (SELECT segment FROM (SELECT segment, rows, sum FROM "ferry_staging"."ferry_sync_segments" WHERE target = $1 AND run_id = $2 AND attempt = $3) AS g)',
    );
    expect(collect.values).toEqual(['"public"."orders"', 'r1', 2]);
    expect(session.log[5].text).toBe(
      'DELETE FROM "public"."orders" AS t USING ferry_sync_keys AS k WHERE t."id" = k."id" AND NOT EXISTS (SELECT 1 FROM "ferry_staging"."public__orders" AS s WHERE k."id" = s."id")',
    );
    expect(session.log[6].text).toBe(
      'UPDATE "public"."orders" AS t SET "note" = s."note" FROM ferry_sync_keys AS k, "ferry_staging"."public__orders" AS s WHERE t."id" = k."id" AND k."id" = s."id" AND k."ferry_row_hash" IS DISTINCT FROM s."ferry_row_hash"',
    );
  });

  it('a key the staged rows repeat fails before anything is written', async () => {
    const session = recordingSession(answers({ repeated: true }));
    expect(await publishStaged(session, { target: plan, runId: 'r1', rows: 4, sync }).catch((e: unknown) => e)).toBeInstanceOf(UpsertKeyRepeated);
    expect(session.texts().at(-1)).toBe('ROLLBACK');
  });

  it('a segment that did not come out equal, or another row count, rolls everything back', async () => {
    const wrong = recordingSession(answers({ differing: [{ segment: '0a', source_rows: '2', target_rows: '1' }] }));
    const err = await publishStaged(wrong, { target: plan, runId: 'r1', rows: 4, sync }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyncProofFailed);
    expect((err as SyncProofFailed).segments).toEqual([{ segment: '0a', sourceRows: 2, targetRows: 1 }]);
    expect(wrong.texts().at(-1)).toBe('ROLLBACK');
    const count = recordingSession(answers({ total: '11' }));
    expect(await publishStaged(count, { target: plan, runId: 'r1', rows: 4, sync }).catch((e: unknown) => e)).toMatchObject({
      rows: { source: 10, target: 11 },
    });
    expect(count.texts().at(-1)).toBe('ROLLBACK');
  });

  it('a sync that copied every row publishes as a replace, counting what the target had', async () => {
    const session = recordingSession((text) => (text.startsWith('SELECT count(*) AS rows') ? [{ rows: '7' }] : undefined));
    expect(await publishStaged(session, { target: plan, runId: 'r1', rows: 4, sync: { full: true } })).toEqual({
      path: { path: 'insert' },
      sync: { rowsWritten: 4, rowsDeleted: 7 },
    });
    expect(session.texts().map(head)).toContain('TRUNCATE "public"."orders"');
  });
});
