import { selectSchema } from '@ferry/sql';
import { listRelations, schemaExists, selectRelations } from './relations';
import { recordingSession } from './test-session';

describe('the schema reader for discovery', () => {
  it('asks by the schema as a parameter', () => {
    expect(selectSchema('sales')).toEqual({ text: 'SELECT 1 FROM pg_namespace WHERE nspname = $1', values: ['sales'] });
    expect(selectRelations('sales')).toEqual({
      text: `SELECT table_name FROM svv_tables WHERE table_schema = $1 AND table_type IN ('BASE TABLE', 'VIEW') ORDER BY table_name`,
      values: ['sales'],
    });
  });

  it('says whether the schema exists and names its tables and views in the order read', async () => {
    expect(
      await schemaExists(
        recordingSession(() => ({ rows: [{ '?column?': 1 }] })),
        'sales',
      ),
    ).toBe(true);
    expect(await schemaExists(recordingSession(), 'gone')).toBe(false);
    expect(
      await listRelations(
        recordingSession(() => ({ rows: [{ table_name: 'a' }, { table_name: 'b' }] })),
        'sales',
      ),
    ).toEqual(['a', 'b']);
  });
});
