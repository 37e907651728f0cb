import { faultHarness, type FaultHarness } from './harness';
import { connect, fingerprint } from '../support/databases';
import { activities, gatedSource, loadedOrdinals } from '../support/unload-gate';
import { waitFor } from '../support/wait';

// Faults while parts load during the UNLOAD (ARCHITECTURE.md, "Where each guarantee comes
// from"). The source's UNLOAD waits at a gate the test holds, so parts are complete and
// loading while the statement still runs. Only this harness's own worker is killed.
describe('overlapped loads survive', () => {
  let h: FaultHarness;
  let holder: Awaited<ReturnType<typeof connect>>;
  beforeEach(async () => {
    h = await faultHarness('overlap');
    holder = await connect(h.source.name);
    await h.startWorker();
  });
  afterEach(async () => {
    await holder?.end();
    await h?.close();
  });

  const input = (query: string, load: Record<string, number> = {}) => ({
    source: { connection: 'redshift', query },
    // A table name of its own: a finished run of the same target elsewhere deletes the target's S3 folder.
    target: { connection: 'postgres', table: 'overlap_t' },
    unload: { maxFileSizeMb: 5, compression: 'none' },
    load: { maxParallelLoads: 2, ...load },
  });
  /** Target equals source row by row (count and md5 over every value), and this target's staging table is gone. */
  const expectIdentical = async () => {
    const view = '(SELECT id, h, pad FROM overlap_t)';
    expect(await fingerprint(h.dst, view, 'id')).toEqual(await fingerprint(h.src, view, 'id'));
    expect((await h.dst.query(`SELECT to_regclass('ferry_staging.public__overlap_t') AS staging`)).rows[0].staging).toBeNull();
  };
  /** Parts are loaded by their number in the registry; each of `registered` once, from 0. */
  const everyPart = (registered: number) => Array.from({ length: registered }, (_, i) => i);
  const ordinals = loadedOrdinals;
  const attemptOf = (l: { input: any }) => (l.input.registered ?? l.input.registeredRun).attempt as number; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Every part ran but a slow one on the target: each COPY takes about a second, long enough to be killed in. */
  const slowTarget = async () => {
    await h.dst.query(`CREATE SEQUENCE slow_rows`);
    await h.dst.query(
      `CREATE FUNCTION slow_one() RETURNS int LANGUAGE sql AS $$ SELECT CASE WHEN nextval('slow_rows') % 5000 = 0 THEN (SELECT 1 FROM pg_sleep(0.1)) ELSE 1 END $$`,
    );
    await h.dst.query(`CREATE TABLE overlap_t (id int PRIMARY KEY, h text, pad text, slow int DEFAULT slow_one())`);
  };

  it('kill -9 of the worker while parts load during the UNLOAD', async () => {
    const gate = await gatedSource(h.src, holder, 'overlap_t');
    await slowTarget();
    await gate.close();
    const handle = await h.start(input(gate.query));
    await waitFor('a COPY on the target while the UNLOAD waits', async () => (await h.active('target', 'COPY "ferry_staging"%')).length > 0);
    expect((await h.active('source', 'COPY%')).length).toBe(1);
    await h.killWorker();
    await h.startWorker();
    await gate.open();
    await h.result(handle);
    await expectIdentical();

    // The dead worker's unload was retried into a new folder; staging was reset before its parts loaded.
    const acts = activities((await handle.fetchHistory()).events!);
    const unload = acts.find((a) => a.type === 'unload')!;
    const reset = acts.find((a) => a.type === 'resetStaging')!;
    expect(unload.result.attempt).toBeGreaterThan(1);
    expect(reset).toBeDefined();
    const afterReset = acts.filter((a) => a.type === 'loadPart' && a.scheduled > reset.closed!);
    expect(afterReset.every((l) => attemptOf(l) === unload.result.attempt)).toBe(true);
    expect(ordinals(afterReset)).toEqual(everyPart(unload.result.partsRegistered));
  });

  it('kill -9 of the worker while a child workflow loads a range during the UNLOAD: the unload retried across the boundary, every part of its attempt once', async () => {
    const gate = await gatedSource(h.src, holder, 'overlap_t');
    await slowTarget();
    await gate.close();
    // One part in the table's own history, every other in a child of its own.
    const handle = await h.start(input(gate.query, { partsPerWorkflow: 1 }));
    await waitFor('a child range loading on the target while the UNLOAD waits', async () => {
      const events = (await handle.fetchHistory()).events!;
      const childRunning = events.some((e) => e.childWorkflowExecutionStartedEventAttributes);
      return childRunning && (await h.active('target', 'COPY "ferry_staging"%')).length > 0;
    });
    await h.killWorker();
    await h.startWorker();
    await gate.open();
    await h.result(handle);
    await expectIdentical();

    const events = (await handle.fetchHistory()).events!;
    const acts = activities(events);
    const unload = acts.find((a) => a.type === 'unload')!;
    expect(unload.result.attempt).toBeGreaterThan(1);
    expect(acts.filter((a) => a.type === 'resetStaging')).toHaveLength(1);
    // The final attempt's parts, across the table's own loads and its children's, each loaded once.
    const children = events.flatMap((e) => {
      const done = e.childWorkflowExecutionCompletedEventAttributes;
      return done ? [done.workflowExecution!] : [];
    });
    const childLoads = await Promise.all(
      children.map(async (c) => activities((await (await h.client()).workflow.getHandle(c.workflowId!, c.runId!).fetchHistory()).events!)),
    );
    const finalLoads = [...acts, ...childLoads.flat()].filter((a) => a.type === 'loadPart' && attemptOf(a) === unload.result.attempt);
    expect(ordinals(finalLoads)).toEqual(everyPart(unload.result.partsRegistered));
    expect(children.some((c) => c.workflowId!.includes(`/parts-a${unload.result.attempt}-e1-`))).toBe(true);
  });

  it('a part that shows up in an earlier attempt’s folder only: loaded, superseded, reset away', async () => {
    const gate = await gatedSource(h.src, holder, 'overlap_t');
    await h.dst.query(`CREATE TABLE overlap_t (id int PRIMARY KEY, h text, pad text)`);
    await gate.close();
    const handle = await h.start(input(gate.query));
    await waitFor('a part of attempt 1 loaded while the UNLOAD waits', async () => (await handle.query<{ partsDone: number }>('progress')).partsDone > 0);
    // The first unload attempt fails after its parts were signalled and loaded; Temporal retries it into attempt-2/.
    const [pid] = await h.active('source', 'COPY%');
    await h.terminate(pid);
    await gate.open();
    await h.result(handle);
    await expectIdentical();

    const acts = activities((await handle.fetchHistory()).events!);
    const unload = acts.find((a) => a.type === 'unload')!;
    expect(unload.result.attempt).toBe(2);
    const loads = acts.filter((a) => a.type === 'loadPart');
    const reset = acts.find((a) => a.type === 'resetStaging')!;
    expect(loads.filter((l) => attemptOf(l) === 1 && l.result).length).toBeGreaterThan(0);
    // Every load of attempt 1 ended before the reset started; the reset emptied staging before any part of attempt 2 loaded.
    expect(loads.filter((l) => attemptOf(l) === 1).every((l) => l.closed! < reset.scheduled)).toBe(true);
    expect(loads.filter((l) => attemptOf(l) === 2).every((l) => l.scheduled > reset.closed!)).toBe(true);
    // After the reset staging received exactly attempt 2's parts, each once (its proof and finalize's count check agreed).
    const afterReset = loads.filter((l) => l.scheduled > reset.closed!);
    expect(afterReset.every((l) => attemptOf(l) === 2)).toBe(true);
    expect(ordinals(afterReset)).toEqual(everyPart(unload.result.partsRegistered));
  });
});
