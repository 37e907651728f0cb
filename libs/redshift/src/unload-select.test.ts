import { afterMark, incrementalCondition, unloadSelect } from './unload-select';
import { queryRelation, tableRelation } from './relation';

const events = tableRelation({ schema: 'public', name: 'events' });

describe("the UNLOAD's SELECT", () => {
  it.each([
    [unloadSelect(events, '*'), 'SELECT * FROM "public"."events"'],
    [
      unloadSelect(events, [
        { name: 'id', type: { kind: 'integer' } },
        { name: 'ratio', type: { kind: 'real' } },
      ]),
      'SELECT "id", CAST("ratio" AS DOUBLE PRECISION) AS "ratio" FROM "public"."events"',
    ],
    [unloadSelect(queryRelation('SELECT 1 AS x'), '*', '"x" > 0'), 'SELECT * FROM (SELECT 1 AS x) AS ferry_source WHERE "x" > 0'],
  ])('%#: each column as the type map unloads it, FROM the relation, with its condition', (select, expected) => {
    expect(select).toBe(expected);
  });

  it.each([
    [incrementalCondition('updated_at', 'append', '<mark>'), '"updated_at" > <mark>'],
    [incrementalCondition('updated_at', 'replace', '<mark>'), '"updated_at" > <mark>'],
    [incrementalCondition('updated_at', 'upsert', '<mark>'), '"updated_at" >= <mark>'],
    [afterMark('at', 'append', "2024-01-02 03:04:05+00 it's \\"), `"at" > '2024-01-02 03:04:05+00 it''s \\\\'`],
  ])('%#: upserts take the mark again, appends only what is past it; a mark is a Redshift literal', (condition, expected) => {
    expect(condition).toBe(expected);
  });
});
