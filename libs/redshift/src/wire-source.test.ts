import { statement } from '@ferry/sql';
import { recordingSession } from './test-session';
import { wireSource } from './wire-source';

const UNLOAD = statement(`UNLOAD ($$SELECT 1$$) TO 's3://b/p/' IAM_ROLE 'r'`);

describe('the wire source', () => {
  it('unloads under the session settings, outside a transaction when nothing else reads its snapshot', async () => {
    const session = recordingSession();
    expect(await wireSource(session).unload({ statement: UNLOAD })).toBeUndefined();
    expect(session.log).toEqual([{ text: 'SET extra_float_digits TO 2' }, { text: UNLOAD.text }]);
  });

  it('runs what must read the same snapshot after the UNLOAD, in one REPEATABLE READ transaction', async () => {
    const session = recordingSession();
    const read = await wireSource(session).unload({
      statement: UNLOAD,
      inSnapshot: async (s) => (await s.query('SELECT checksum')).rowCount,
    });
    expect(read).toBe(0);
    expect(session.texts()).toEqual(['BEGIN ISOLATION LEVEL REPEATABLE READ', 'SET extra_float_digits TO 2', UNLOAD.text, 'SELECT checksum', 'COMMIT']);
  });

  it('describes a refused UNLOAD as asked, rolls back, and reads nothing after it', async () => {
    const session = recordingSession(undefined, /^UNLOAD/);
    const described = new Error('described');
    const inSnapshot = jest.fn();
    await expect(wireSource(session).unload({ statement: UNLOAD, inSnapshot, describeError: () => described })).rejects.toBe(described);
    expect(session.texts()).toEqual(['BEGIN ISOLATION LEVEL REPEATABLE READ', 'SET extra_float_digits TO 2', UNLOAD.text, 'ROLLBACK']);
    expect(inSnapshot).not.toHaveBeenCalled();
  });

  it('leaves errors of the session settings and of the snapshot reader as they are', async () => {
    const settings = recordingSession(undefined, /^SET/);
    await expect(wireSource(settings).unload({ statement: UNLOAD, describeError: () => new Error('no') })).rejects.toThrow('refused: SET');
    const reader = recordingSession(undefined, /checksum/);
    await expect(
      wireSource(reader).unload({ statement: UNLOAD, describeError: () => new Error('no'), inSnapshot: (s) => s.query('SELECT checksum') }),
    ).rejects.toThrow('refused: SELECT checksum');
    expect(reader.texts().at(-1)).toBe('ROLLBACK');
  });

  it('reads the catalog through the same session', async () => {
    const session = recordingSession((text) => ({ rows: text.includes('svv_tables') ? [{ table_name: 't' }] : [] }));
    const source = wireSource(session);
    expect(await source.listRelations('s')).toEqual(['t']);
    expect(await source.schemaExists('s')).toBe(false);
    expect(await source.readTableSizes('s')).toEqual([]);
    expect(session.log.map((l) => l.values)).toEqual([['s'], ['s'], ['s']]);
  });
});
