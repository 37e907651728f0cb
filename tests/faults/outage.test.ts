import { faultHarness, sleep, slowLoadTables, stackService, type FaultHarness } from './harness';
import { waitFor } from '../support/wait';

// A shared service stops in the middle of a real run; the target ends exactly equal to the
// source. These stop what every other test uses, so they run alone (tests/faults/jest.outage.config.js).
describe('a run survives an outage', () => {
  let h: FaultHarness;
  beforeEach(async () => {
    h = await faultHarness('outage');
    await h.startWorker();
  });
  afterEach(async () => {
    await h?.close();
  });

  const input = (extra: object = {}) => ({ source: { connection: 'redshift', table: 't' }, target: { connection: 'postgres', table: 't' }, ...extra });

  it('MinIO stopped for 20 s in the middle of the loads', async () => {
    await slowLoadTables(h, 4000, 1);
    const handle = await h.start(input({ load: { maxParallelLoads: 1 } }));
    await waitFor('a COPY on the target', async () => (await h.active('target', 'COPY "ferry_staging"%')).length > 0);
    await stackService('down', 'minio');
    try {
      await sleep(20_000);
    } finally {
      await stackService('up', 'minio');
    }
    await h.result(handle);
    await h.expectIdentical('t', 'id, h, pad', 'id');
  });

  it('a restart of the Temporal server in the middle of a run', async () => {
    await slowLoadTables(h, 4000, 1);
    const handle = await h.start(input({ load: { maxParallelLoads: 1 } }));
    await waitFor('a COPY on the target', async () => (await h.active('target', 'COPY "ferry_staging"%')).length > 0);
    await stackService('down', 'temporal');
    await stackService('up', 'temporal');
    await h.result(handle);
    await h.expectIdentical('t', 'id, h, pad', 'id');
  });
});
