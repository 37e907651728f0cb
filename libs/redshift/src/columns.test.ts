import { describeFields, readColumns, selectNoRows } from './columns';
import { queryRelation, tableRelation } from './relation';
import { recordingSession } from './test-session';

const INT4 = 23;
const VARCHAR = 1043;

describe('the source columns reader', () => {
  it('asks for no rows, only the description of the SELECT that will be unloaded', () => {
    expect(selectNoRows(tableRelation({ schema: 'public', name: 't' }))).toEqual({ text: 'SELECT * FROM "public"."t" LIMIT 0' });
    expect(selectNoRows(queryRelation('SELECT 1 AS one'))).toEqual({ text: 'SELECT * FROM (SELECT 1 AS one) AS ferry_source LIMIT 0' });
  });

  it('types each column from its OID and modifier, with no parameters', async () => {
    const session = recordingSession(() => ({
      fields: [
        { name: 'id', dataTypeID: INT4, dataTypeModifier: -1 },
        { name: 'name', dataTypeID: VARCHAR, dataTypeModifier: 204 },
      ],
    }));
    expect(await readColumns(session, tableRelation({ schema: 'public', name: 't' }))).toEqual({
      columns: [
        { name: 'id', type: { kind: 'integer' } },
        { name: 'name', type: { kind: 'varchar', length: 200 } },
      ],
      repeated: [],
      unknown: [],
    });
    expect(session.log).toEqual([{ text: 'SELECT * FROM "public"."t" LIMIT 0' }]);
  });

  it('reports names that repeat (each once) and types outside the type map, leaving the verdict to the caller', () => {
    const described = describeFields([
      { name: 'a', dataTypeID: INT4, dataTypeModifier: -1 },
      { name: 'b', dataTypeID: 600, dataTypeModifier: -1 },
      { name: 'a', dataTypeID: INT4, dataTypeModifier: -1 },
      { name: 'a', dataTypeID: INT4, dataTypeModifier: -1 },
    ]);
    expect(described.repeated).toEqual(['a']);
    expect(described.unknown).toEqual([{ name: 'b', oid: 600 }]);
    expect(described.columns.map((c) => c.name)).toEqual(['a', 'a', 'a']);
  });
});
