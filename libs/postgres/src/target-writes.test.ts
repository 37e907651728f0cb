import type { SourceTableDefinition } from '@ferry/type-map';
import { createTarget } from './create-target';
import { readHighWaterMark } from './high-water-mark';
import { moveIdentityPastLoaded, selectLoadedIdentities } from './identity-moves';
import { recordingSession } from './test-session';

const table = { schema: 'public', name: 'orders' };

describe('identity moves, target creation and the incremental mark', () => {
  it('moves an identity past the loaded values: above the largest, or below the smallest for a descending one', () => {
    expect(selectLoadedIdentities(table, ['id', 'note']).values).toEqual(['"public"."orders"', ['id', 'note']]);
    expect(moveIdentityPastLoaded(table, { column: 'id', sequence: 'public.orders_id_seq', ascending: true })).toEqual({
      text: `SELECT setval($1, m) FROM (SELECT max("id") AS m FROM "public"."orders") AS loaded
        WHERE m IS NOT NULL AND m >= coalesce(pg_sequence_last_value($1::regclass), m)`,
      values: ['public.orders_id_seq'],
    });
    expect(moveIdentityPastLoaded(table, { column: 'id', sequence: 's', ascending: false }).text).toContain('SELECT min("id") AS m');
    expect(moveIdentityPastLoaded(table, { column: 'id', sequence: 's', ascending: false }).text).toContain('m <= coalesce');
  });

  const definition: SourceTableDefinition = {
    columns: [{ name: 'id', type: { kind: 'integer' }, notNull: true }],
    primaryKey: ['id'],
    unique: [],
    sortKey: [],
  };

  it('creates a missing target once, under the creation lock, in one transaction', async () => {
    const session = recordingSession((text) => (text.startsWith('SELECT to_regclass') ? [{ present: false }] : undefined));
    expect(await createTarget(session, table, definition, { indexes: 'none' })).toEqual({ created: true, droppedDefaults: [] });
    const texts = session.texts();
    expect(texts.slice(0, 3)).toEqual([
      'BEGIN',
      `SELECT pg_advisory_xact_lock(hashtext('ferry create target'))`,
      'SELECT to_regclass($1) IS NOT NULL AS present',
    ]);
    expect(texts.some((t) => t.startsWith('CREATE TABLE "public"."orders"'))).toBe(true);
    expect(texts.at(-1)).toBe('COMMIT');
  });

  it('finds a target another run created, and creates nothing', async () => {
    const session = recordingSession((text) => (text.startsWith('SELECT to_regclass') ? [{ present: true }] : undefined));
    expect(await createTarget(session, table, definition, { indexes: 'none' })).toEqual({ created: false, droppedDefaults: [] });
    expect(session.texts()).toEqual([
      'BEGIN',
      `SELECT pg_advisory_xact_lock(hashtext('ferry create target'))`,
      'SELECT to_regclass($1) IS NOT NULL AS present',
      'COMMIT',
    ]);
  });

  it('reads the mark as text under settings the source reads back exactly', async () => {
    const session = recordingSession((text) => (text.startsWith('SELECT max') ? [{ after: '2024-01-02 03:04:05+00' }] : undefined));
    expect(await readHighWaterMark(session, table, 'updated at')).toBe('2024-01-02 03:04:05+00');
    expect(session.texts()).toEqual([
      `SET DateStyle = 'ISO'; SET TimeZone = 'UTC'; SET extra_float_digits = 1`,
      'SELECT max("updated at")::text AS after FROM "public"."orders"',
    ]);
  });
});
