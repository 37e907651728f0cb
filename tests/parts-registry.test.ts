import type { Client } from 'pg';
import {
  confirmParts,
  createBookkeeping,
  insertLedgerRow,
  lockAttemptParts,
  markNotInManifest,
  proveParts,
  readRegisteredPart,
  registerListedParts,
  registerManifestParts,
  releaseLeaseAndLedger,
  selectAttemptParts,
  type ListedPartRow,
  type Registry,
} from '@ferry/postgres';
import { inTransaction, run, runAll } from '@ferry/sql';
import { connect, createDatabase } from './support/databases';

// The parts registry and its manifest proof (@ferry/postgres parts-registry.ts) on a real
// PostgreSQL: every way staging can disagree with the manifest is named, each once.
describe('the parts registry and its proof', () => {
  const schema = 'ferry_staging';
  const target = { schema: 'public', name: 't' };
  let db: Awaited<ReturnType<typeof createDatabase>>;
  let pg: Client;

  beforeAll(async () => {
    db = await createDatabase('registry');
    pg = await connect(db.name);
    await inTransaction(pg, (tx) => runAll(tx, createBookkeeping(schema)));
  });
  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  const listed = (n: number, bytes = 100): ListedPartRow => ({ key: `run/attempt-1/000${n}_part_00`, name: `000${n}_part_00`, bytes, etag: `e${n}` });
  const loaded = (r: Registry, n: number, rows: number, etag = `e${n}`, epoch = 0) =>
    run(pg, insertLedgerRow(schema, { runId: r.runId, part: `${listed(n).key}${epoch ? `#${epoch}` : ''}`, target, etag, rows }));

  it('numbers parts as listed, keeps the ETag first listed, adds the manifest’s others after them, and proves a run loaded exactly as the manifest says', async () => {
    const r: Registry = { runId: 'good', attempt: 1, target };
    await run(pg, registerListedParts(schema, r, [listed(1), listed(2)]));
    // Listed again (a retried statement), and since marked gzip with a new ETag: the first stays.
    await run(pg, registerListedParts(schema, r, [listed(1), { ...listed(2), etag: 'marked' }]));
    await run(
      pg,
      confirmParts(schema, r, [
        { ...listed(1), rows: 10 },
        { ...listed(2), etag: 'marked', rows: 20 },
      ]),
    );
    await run(
      pg,
      registerManifestParts(schema, r, [
        { ...listed(3), rows: 30 },
        { ...listed(4, 0), rows: 0 },
      ]),
    );
    await run(pg, markNotInManifest(schema, r));
    expect(await readRegisteredPart(pg, schema, 'good', 1, 1)).toEqual({ key: listed(2).key, name: '0002_part_00', bytes: 100, rows: 20, inManifest: true });
    expect(await readRegisteredPart(pg, schema, 'good', 1, 3)).toEqual({ key: listed(4).key, name: '0004_part_00', bytes: 0, rows: 0, inManifest: true });
    expect(await readRegisteredPart(pg, schema, 'good', 1, 4)).toBeUndefined();

    await loaded(r, 1, 10);
    await loaded(r, 2, 20);
    await loaded(r, 3, 30);
    expect(await proveParts(pg, schema, 'good', 1, 0)).toEqual({
      parts: 4,
      skipped: 1,
      loadedParts: 3,
      loadedRows: 60,
      manifestRows: 60,
      problemCount: 0,
      problems: [],
    });
  });

  it('names each disagreement: a part not loaded, another row count, another object, a stray part loaded, a part grown since listed', async () => {
    const r: Registry = { runId: 'bad', attempt: 1, target };
    await run(pg, registerListedParts(schema, r, [listed(1), listed(2), listed(3), listed(5), listed(6)]));
    await run(
      pg,
      confirmParts(schema, r, [
        { ...listed(1), rows: 10 },
        { ...listed(2), rows: 20 },
        { ...listed(3), rows: 30 },
        { ...listed(6, 150), rows: 60 },
      ]),
    );
    await run(pg, registerManifestParts(schema, r, [{ ...listed(4), rows: 40 }]));
    await run(pg, markNotInManifest(schema, r));
    await loaded(r, 1, 10);
    await loaded(r, 2, 19);
    await loaded(r, 3, 30, 'other');
    await loaded(r, 5, 5);
    await loaded(r, 6, 60);
    const proof = await proveParts(pg, schema, 'bad', 1, 0);
    expect(proof.problems).toEqual([
      '0002_part_00: loaded 19 rows, the manifest says 20',
      '0003_part_00: loaded ETag other, listed as e3',
      '0004_part_00 is in the manifest but was not loaded',
      '0005_part_00 was loaded but the manifest does not list it',
      '0006_part_00: listed with 100 bytes, the manifest says 150',
    ]);
    expect(proof.problemCount).toBe(5);
    // The stray part is never loaded again.
    expect((await readRegisteredPart(pg, schema, 'bad', 1, 3))?.inManifest).toBe(false);
  });

  it('after a reset, only the loads of the new epoch count; another attempt of the run is another set of parts', async () => {
    const r: Registry = { runId: 'epochs', attempt: 2, target };
    await run(pg, registerManifestParts(schema, r, [{ ...listed(1), rows: 10 }]));
    await loaded(r, 1, 10);
    expect((await proveParts(pg, schema, 'epochs', 2, 1)).problems).toEqual(['0001_part_00 is in the manifest but was not loaded']);
    await loaded(r, 1, 10, 'e1', 1);
    expect(await proveParts(pg, schema, 'epochs', 2, 1)).toMatchObject({ problemCount: 0, loadedRows: 10 });
    expect(await proveParts(pg, schema, 'epochs', 1, 1)).toMatchObject({ parts: 0, problemCount: 0 });
  });

  it('two unloads registering parts of one attempt at once number them 0..n-1, each part once, none dropped', async () => {
    const r: Registry = { runId: 'twice', attempt: 1, target };
    const other = await connect(db.name);
    const register = (session: Client, parts: ListedPartRow[]) =>
      inTransaction(session, async (tx) => {
        await run(tx, lockAttemptParts(r));
        await run(tx, registerListedParts(schema, r, parts));
        return (await run<{ ordinal: number; key: string }>(tx, selectAttemptParts(schema, r, { keys: parts.map((p) => p.key) }))).rows;
      });
    try {
      // The one that took the attempt over and the one the server timed out, listing the same folder.
      const [a, b] = await Promise.all([register(pg, [listed(1), listed(2), listed(3)]), register(other, [listed(2), listed(3), listed(4), listed(5)])]);
      const all = (await run<{ ordinal: number; key: string }>(pg, selectAttemptParts(schema, r))).rows;
      expect(all.map((p) => p.ordinal)).toEqual([0, 1, 2, 3, 4]);
      expect(new Set(all.map((p) => p.key))).toEqual(new Set([1, 2, 3, 4, 5].map((n) => listed(n).key)));
      // Each side reads back the numbers the registry gave its parts, whoever registered them.
      for (const row of [...a, ...b]) expect(all).toContainEqual(row);
    } finally {
      await other.end();
    }
  });

  it("the lease's release removes the target's registered parts with its ledger rows", async () => {
    await run(pg, releaseLeaseAndLedger(schema, target, 'whoever'));
    const left = await pg.query(
      `SELECT (SELECT count(*) FROM ferry_staging.ferry_parts)::int AS parts, (SELECT count(*) FROM ferry_staging.ferry_ledger)::int AS ledger`,
    );
    expect(left.rows[0]).toEqual({ parts: 0, ledger: 0 });
  });
});
