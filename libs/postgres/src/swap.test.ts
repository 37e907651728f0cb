import type { TwinIndex } from '@ferry/contract';
import type { Carried } from './carried';
import { swapIn, swapStatements } from './swap';
import { recordingSession } from './test-session';

const target = { schema: 'public', name: 'orders' };
const twin = { schema: 'ferry_staging', name: 'public__orders' };
const indexes: TwinIndex[] = [
  {
    name: 'orders_pkey',
    temp: 'public__orders_i0',
    constraint: 'PRIMARY KEY (id)',
    definition: 'UNIQUE USING btree (id)',
    comment: null,
    constraintComment: null,
  },
];
const identity = {
  column: 'id',
  targetSeq: 'public.orders_id_seq',
  twinSeq: 'ferry_staging.public__orders_id_seq',
  targetName: 'orders_id_seq',
  twinName: 'public__orders_id_seq',
};

const everything: Carried = {
  properties: { owner: 'app', comment: "the orders' table", rls: true, forceRls: true, reloptions: ['fillfactor=70'], replicaIdentity: 'f' },
  grants: [
    { grantee: 'reader', privilege: 'SELECT', grantable: false, column: null },
    { grantee: null, privilege: 'SELECT', grantable: true, column: 'total' },
    { grantee: 'reader', privilege: 'MAINTAIN', grantable: false, column: null },
  ],
  policies: [{ name: 'mine', cmd: 'r', permissive: true, roles: ['reader', null], qual: '(owner = CURRENT_USER)', check: null }],
  identities: [identity],
  ownedSequences: [{ schema: 'public', name: 'orders_n_seq', column: 'n' }],
};

describe('the swap, as statements', () => {
  it('carries over what belongs to the table, drops it, moves the twin in and gives back the old names, in this order', () => {
    expect(swapStatements(target, twin, indexes, everything)).toEqual([
      { text: 'GRANT SELECT ON "ferry_staging"."public__orders" TO "reader"' },
      { text: 'GRANT SELECT ("total") ON "ferry_staging"."public__orders" TO PUBLIC WITH GRANT OPTION' },
      { text: `COMMENT ON TABLE "ferry_staging"."public__orders" IS 'the orders'' table'` },
      { text: 'ALTER TABLE "ferry_staging"."public__orders" ENABLE ROW LEVEL SECURITY' },
      { text: 'ALTER TABLE "ferry_staging"."public__orders" FORCE ROW LEVEL SECURITY' },
      { text: 'CREATE POLICY "mine" ON "ferry_staging"."public__orders" AS PERMISSIVE FOR SELECT TO "reader", PUBLIC USING ((owner = CURRENT_USER))' },
      { text: `ALTER TABLE "ferry_staging"."public__orders" SET (fillfactor = '70')` },
      { text: 'ALTER TABLE "ferry_staging"."public__orders" REPLICA IDENTITY FULL' },
      {
        text: expect.stringMatching(/^SELECT setval\(\$2::regclass, v\) FROM \(SELECT pg_sequence_last_value\(\$1::regclass\) AS v, /),
        values: ['public.orders_id_seq', 'ferry_staging.public__orders_id_seq'],
      },
      { text: 'ALTER SEQUENCE "public"."orders_n_seq" OWNED BY NONE' },
      { text: 'DROP TABLE "public"."orders"' },
      { text: 'ALTER TABLE "ferry_staging"."public__orders" SET SCHEMA "public"' },
      { text: 'ALTER TABLE "public"."public__orders" RENAME TO "orders"' },
      { text: 'ALTER TABLE "public"."orders" OWNER TO "app"' },
      { text: 'ALTER INDEX "public"."public__orders_i0" RENAME TO "orders_pkey"' },
      { text: 'ALTER SEQUENCE "public"."public__orders_id_seq" RENAME TO "orders_id_seq"' },
      { text: 'ALTER SEQUENCE "public"."orders_n_seq" OWNED BY "public"."orders"."n"' },
    ]);
  });

  it('a plain table swaps with the drop, the move, the owner and the index names only', () => {
    const plain: Carried = {
      properties: { owner: 'app', comment: null, rls: false, forceRls: false, reloptions: [], replicaIdentity: 'd' },
      grants: [],
      policies: [],
      identities: [],
      ownedSequences: [],
    };
    expect(swapStatements(target, twin, indexes, plain).map((s) => s.text)).toEqual([
      'DROP TABLE "public"."orders"',
      'ALTER TABLE "ferry_staging"."public__orders" SET SCHEMA "public"',
      'ALTER TABLE "public"."public__orders" RENAME TO "orders"',
      'ALTER TABLE "public"."orders" OWNER TO "app"',
      'ALTER INDEX "public"."public__orders_i0" RENAME TO "orders_pkey"',
    ]);
    expect(swapStatements(target, twin, [], { ...plain, properties: { ...plain.properties, replicaIdentity: 'n' } })[0].text).toBe(
      'ALTER TABLE "ferry_staging"."public__orders" REPLICA IDENTITY NOTHING',
    );
  });

  it('refuses a storage option whose name it cannot vouch for, before running anything', () => {
    const odd: Carried = { ...everything, properties: { ...everything.properties, reloptions: ['x);DROP TABLE y;--=1'] } };
    expect(() => swapStatements(target, twin, [], odd)).toThrow('unexpected storage option "x);DROP TABLE y;--=1" on the target');
  });

  it('reads what it carries from the target first, then runs the whole plan', async () => {
    const session = recordingSession((text) =>
      text.includes('pg_get_userbyid(relowner) AS owner')
        ? [{ owner: 'app', comment: null, rls: false, force_rls: false, reloptions: null, replident: 'd' }]
        : [],
    );
    await swapIn(session, target, twin, []);
    expect(session.texts().map((t) => t.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'SELECT pg_get_userbyid(relowner) AS',
      'SELECT CASE WHEN',
      'SELECT p.polname AS',
      'SELECT a.attname AS',
      'SELECT n.nspname AS',
      'DROP TABLE "public"."orders"',
      'ALTER TABLE "ferry_staging"."public__orders"',
      'ALTER TABLE "public"."public__orders"',
      'ALTER TABLE "public"."orders"',
    ]);
    expect(session.log[0].values).toEqual(['"public"."orders"']);
    expect(session.log[3].values).toEqual(['"public"."orders"', '"ferry_staging"."public__orders"']);
  });
});
