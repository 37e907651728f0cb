import type { TwinIndex } from '@ferry/contract';
import { RowsRefused } from './refusals';
import { recordingSession } from './test-session';
import { buildTwinIndex, buildTwinIndexes, commentTwinIndex, createTwin, createTwinTable } from './twin';

const target = { schema: 'public', name: 'orders' };
const twin = { schema: 'ferry_staging', name: 'public__orders' };
const pkey: TwinIndex = {
  name: 'orders_pkey',
  temp: 'public__orders_i0',
  constraint: 'PRIMARY KEY (id)',
  definition: 'UNIQUE USING btree (id)',
  comment: 'by id',
  constraintComment: "the key's",
};
const byNote: TwinIndex = {
  name: 'orders_note',
  temp: 'public__orders_i1',
  constraint: null,
  definition: 'USING btree (note) WHERE (note IS NOT NULL)',
  comment: null,
  constraintComment: null,
};

describe("the target's twin, as statements", () => {
  it('is made LIKE the target without its indexes, replacing a leftover', () => {
    expect(createTwinTable(target, twin)).toEqual([
      { text: 'DROP TABLE IF EXISTS "ferry_staging"."public__orders"' },
      { text: 'CREATE TABLE "ferry_staging"."public__orders" (LIKE "public"."orders" INCLUDING ALL EXCLUDING INDEXES)' },
    ]);
  });

  it("builds each index under its temporary name, behind its constraint where it has one, with the target's comments", () => {
    expect(buildTwinIndex(twin, pkey)).toEqual({ text: 'ALTER TABLE "ferry_staging"."public__orders" ADD CONSTRAINT "public__orders_i0" PRIMARY KEY (id)' });
    expect(buildTwinIndex(twin, byNote)).toEqual({
      text: 'CREATE INDEX "public__orders_i1" ON "ferry_staging"."public__orders" USING btree (note) WHERE (note IS NOT NULL)',
    });
    expect(buildTwinIndex(twin, { ...byNote, definition: 'UNIQUE USING btree (note)' }).text).toBe(
      'CREATE UNIQUE INDEX "public__orders_i1" ON "ferry_staging"."public__orders" USING btree (note)',
    );
    expect(commentTwinIndex(twin, pkey)).toEqual([
      { text: `COMMENT ON INDEX "ferry_staging"."public__orders_i0" IS 'by id'` },
      { text: `COMMENT ON CONSTRAINT "public__orders_i0" ON "ferry_staging"."public__orders" IS 'the key''s'` },
    ]);
    expect(commentTwinIndex(twin, byNote)).toEqual([]);
  });

  it("starts the twin's identity sequences where the target's are, then reads the target's indexes with temporary names", async () => {
    const session = recordingSession((text) => {
      if (text.includes('AS twin_name'))
        return [
          {
            column: 'id',
            target_seq: 'public.orders_id_seq',
            twin_seq: 'ferry_staging.public__orders_id_seq',
            target_name: 'orders_id_seq',
            twin_name: 'public__orders_id_seq',
          },
        ];
      if (text.includes('AS "constraintComment"'))
        return [{ name: 'orders_pkey', constraint: 'PRIMARY KEY (id)', definition: 'UNIQUE USING btree (id)', comment: null, constraintComment: null }];
      return undefined;
    });
    expect(await createTwin(session, target, twin)).toEqual([{ ...pkey, comment: null, constraintComment: null }]);
    expect(session.log.map((l) => l.text.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'DROP TABLE IF',
      'CREATE TABLE "ferry_staging"."public__orders"',
      'SELECT a.attname AS',
      'SELECT setval($1::regclass, v)',
      'SELECT ic.relname AS',
    ]);
    expect(session.log[3].values).toEqual(['ferry_staging.public__orders_id_seq', 'public.orders_id_seq']);
  });

  it('keeps an index a retry finds built, and names a violated unique index as the user knows it', async () => {
    const session = recordingSession((text) => (text.startsWith('SELECT to_regclass') ? [{ present: session.log.length === 1 }] : undefined), {
      match: /^CREATE INDEX/,
      error: { code: '23505', constraint: 'public__orders_i1' },
    });
    const err = await buildTwinIndexes(session, twin, [pkey, byNote]).catch((e: unknown) => e);
    expect(session.log.map((l) => l.text.split(' ')[0])).toEqual(['SELECT', 'SELECT', 'CREATE']);
    expect(session.log[0].values).toEqual(['"ferry_staging"."public__orders_i0"']);
    expect(err).toBeInstanceOf(RowsRefused);
    expect((err as RowsRefused).error.constraint).toBe('orders_note');
  });
});
