import { readDefinition, selectAttributes, selectColumnFacts, selectKeyConstraints, selectSortKey, selectTableComment, setSearchPath } from './definition';
import { queryRelation, tableRelation } from './relation';
import { recordingSession } from './test-session';

const table = { schema: 'Sales', name: 'order "items"' };
const columns = [
  { name: 'id', type: { kind: 'bigint' as const } },
  { name: 'note', type: { kind: 'varchar' as const, length: 20 } },
  { name: 'at', type: { kind: 'timestamp' as const } },
];

describe('the source definition reader', () => {
  it.each([
    [selectColumnFacts(table), `SELECT column_name, is_nullable, column_default, remarks FROM svv_columns WHERE table_schema = $1 AND table_name = $2`],
    [
      selectKeyConstraints(table),
      `SELECT c.contype, c.conkey FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
      WHERE n.nspname = $1 AND r.relname = $2 AND c.contype IN ('p', 'u') ORDER BY c.contype, c.conname`,
    ],
    [
      selectAttributes(table),
      `SELECT a.attnum, a.attname FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid JOIN pg_namespace n ON n.oid = r.relnamespace
      WHERE n.nspname = $1 AND r.relname = $2 AND a.attnum > 0`,
    ],
    [selectSortKey(table), `SELECT "column" FROM pg_table_def WHERE schemaname = $1 AND tablename = $2 AND sortkey <> 0 ORDER BY abs(sortkey)`],
    [
      selectTableComment(table),
      `SELECT d.description FROM pg_description d JOIN pg_class r ON r.oid = d.objoid JOIN pg_namespace n ON n.oid = r.relnamespace
      WHERE n.nspname = $1 AND r.relname = $2 AND d.objsubid = 0`,
    ],
  ])('%#: looks the table up by schema and name as parameters', (planned, text) => {
    expect(planned).toEqual({ text, values: ['Sales', 'order "items"'] });
  });

  it('puts the schema, quoted, on the search_path for PG_TABLE_DEF', () => {
    expect(setSearchPath('My "Schema"')).toEqual({ text: 'SET search_path TO "My ""Schema"""' });
  });

  it('reads the catalog in order and names NOT NULL, defaults, comments, keys by column name, and the sort key', async () => {
    const answers: Record<string, object[]> = {
      svv_columns: [
        { column_name: 'id', is_nullable: 'NO', column_default: '"identity"(1, 0, \'1,1\'::text)', remarks: 'the key' },
        { column_name: 'note', is_nullable: 'YES', column_default: null, remarks: null },
        { column_name: 'at', is_nullable: 'NO', column_default: 'getdate()', remarks: '' },
      ],
      pg_constraint: [
        { contype: 'p', conkey: [1] },
        { contype: 'u', conkey: [2, 3] },
      ],
      pg_attribute: [
        { attnum: 1, attname: 'id' },
        { attnum: 2, attname: 'note' },
        { attnum: 3, attname: 'at' },
      ],
      pg_table_def: [{ column: 'at' }, { column: 'id' }],
      pg_description: [{ description: 'orders, one row per item' }],
    };
    const session = recordingSession((text) => ({ rows: Object.entries(answers).find(([from]) => text.includes(`FROM ${from}`))?.[1] ?? [] }));
    expect(await readDefinition(session, tableRelation(table), columns)).toEqual({
      columns: [
        { name: 'id', type: { kind: 'bigint' }, notNull: true, default: '"identity"(1, 0, \'1,1\'::text)', comment: 'the key' },
        { name: 'note', type: { kind: 'varchar', length: 20 }, notNull: false },
        { name: 'at', type: { kind: 'timestamp' }, notNull: true, default: 'getdate()' },
      ],
      primaryKey: ['id'],
      unique: [['note', 'at']],
      sortKey: ['at', 'id'],
      comment: 'orders, one row per item',
    });
    expect(session.texts().map((t) => t.split(/\s+/).slice(0, 4).join(' '))).toEqual([
      'SELECT column_name, is_nullable, column_default,',
      'SELECT c.contype, c.conkey FROM',
      'SELECT a.attnum, a.attname FROM',
      'SET search_path TO "Sales"',
      'SELECT "column" FROM pg_table_def',
      'SELECT d.description FROM pg_description',
    ]);
  });

  it('knows only the columns of a query, and asks the catalog nothing', async () => {
    const session = recordingSession();
    expect(await readDefinition(session, queryRelation('SELECT 1 AS id'), columns.slice(0, 1))).toEqual({
      columns: [{ name: 'id', type: { kind: 'bigint' }, notNull: false }],
      unique: [],
      sortKey: [],
    });
    expect(session.log).toEqual([]);
  });
});
