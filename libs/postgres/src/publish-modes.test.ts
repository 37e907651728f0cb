import { appendRows, repeatedKey, replaceRows, selectRepeatedKey, upsertRows, type PublishTarget } from './publish-modes';
import { recordingSession } from './test-session';

const target: PublishTarget = {
  table: { schema: 'public', name: 'orders' },
  staging: { schema: 'ferry_staging', name: 'public__orders' },
  columns: ['id', 'note', 'payload'],
  conversions: { payload: 'hex' },
  key: ['id'],
};

const INSERT =
  'INSERT INTO "public"."orders" ("id", "note", "payload") OVERRIDING SYSTEM VALUE SELECT s."id", s."note", decode(s."payload", \'hex\') FROM "ferry_staging"."public__orders" AS s';

describe('publishing by the load mode, as statements', () => {
  it('append: one INSERT … SELECT from staging, converting the columns staged as text', () => {
    expect(appendRows(target)).toEqual({ text: INSERT });
  });

  it('replace: TRUNCATE, or DELETE where another table references the target, then the INSERT', () => {
    expect(replaceRows(target, false)).toEqual([{ text: 'TRUNCATE "public"."orders"' }, { text: INSERT }]);
    expect(replaceRows(target, true)).toEqual([{ text: 'DELETE FROM "public"."orders"' }, { text: INSERT }]);
  });

  it('upsert: the lock that keeps writers out, UPDATE of matching keys, INSERT of the others', () => {
    expect(upsertRows(target)).toEqual([
      { text: 'LOCK TABLE "public"."orders" IN SHARE ROW EXCLUSIVE MODE' },
      {
        text: 'UPDATE "public"."orders" AS t SET "note" = s."note", "payload" = decode(s."payload", \'hex\') FROM "ferry_staging"."public__orders" AS s WHERE t."id" = s."id"',
      },
      {
        text:
          'INSERT INTO "public"."orders" ("id", "note", "payload") OVERRIDING SYSTEM VALUE SELECT s."id", s."note", decode(s."payload", \'hex\') FROM "ferry_staging"."public__orders" AS s' +
          ' WHERE NOT EXISTS (SELECT 1 FROM "public"."orders" AS t WHERE t."id" = s."id")',
      },
    ]);
  });

  it('upsert of key columns only: no UPDATE', () => {
    expect(upsertRows({ ...target, columns: ['id'], conversions: undefined }).map((s) => s.text.split(' ')[0])).toEqual(['LOCK', 'INSERT']);
  });

  it('finds a key the staged rows repeat or hold a NULL in, with the staged values in key order', async () => {
    const two = { ...target, key: ['id', 'note'] };
    expect(selectRepeatedKey(two)).toEqual({
      text: 'SELECT "id", "note", count(*) AS n FROM "ferry_staging"."public__orders" GROUP BY "id", "note" HAVING count(*) > 1 OR "id" IS NULL OR "note" IS NULL LIMIT 1',
    });
    expect(
      await repeatedKey(
        recordingSession(() => [{ id: '7', note: null, n: '3' }]),
        two,
      ),
    ).toEqual({
      values: [
        { column: 'id', value: '7' },
        { column: 'note', value: null },
      ],
      rows: 3,
    });
    expect(await repeatedKey(recordingSession(), two)).toBeUndefined();
  });
});
