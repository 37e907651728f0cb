import { createStaging } from './staged-publish';
import { createInsertStaging } from './staging';
import { recordingSession } from './test-session';

const target = { schema: 'public', name: 'orders' };
const staging = { schema: 'ferry_staging', name: 'public__orders' };

describe('the staging table prepare creates', () => {
  it("on the insert path: the target's columns and defaults, converted columns as text, added columns", () => {
    expect(
      createInsertStaging(target, staging, { payload: 'jsonHex', blob: 'hex' }, [
        { name: 'blob', type: 'bytea' },
        { name: 'n', type: 'integer' },
      ]),
    ).toEqual([
      { text: 'DROP TABLE IF EXISTS "ferry_staging"."public__orders"' },
      { text: 'CREATE TABLE "ferry_staging"."public__orders" (LIKE "public"."orders" INCLUDING DEFAULTS)' },
      {
        text: 'ALTER TABLE "ferry_staging"."public__orders" ADD COLUMN "blob" text, ADD COLUMN "n" integer, ALTER COLUMN "payload" DROP DEFAULT, ALTER COLUMN "payload" TYPE text USING NULL',
      },
    ]);
    expect(createInsertStaging(target, staging, {}, [])).toHaveLength(2);
  });

  it('a replace with nothing in the way is staged as the twin', async () => {
    const session = recordingSession();
    expect(await createStaging(session, { mode: 'replace', target, staging, conversions: {}, added: [] })).toEqual({ path: 'swap', indexes: [] });
    expect(session.texts()[0]).toMatch(/^WITH t AS/);
    expect(session.texts()[2]).toMatch(/^CREATE TABLE .* INCLUDING ALL EXCLUDING INDEXES\)$/);
  });

  it('says why it publishes by insert: an upsert or an append into rows means to; conversions, added columns and blockers prevent the swap', async () => {
    const plan = (over: object) => ({ mode: 'replace' as const, target, staging, conversions: {}, added: [], ...over });
    expect(await createStaging(recordingSession(), plan({ mode: 'upsert' }))).toEqual({ path: 'insert' });
    expect(
      await createStaging(
        recordingSession(() => [{}]),
        plan({ mode: 'append' }),
      ),
    ).toEqual({ path: 'insert' });
    expect(await createStaging(recordingSession(), plan({ conversions: { payload: 'jsonHex' } }))).toEqual({
      path: 'insert',
      reason: 'column "payload" is staged as text and converted while publishing (VARBYTE and SUPER)',
    });
    expect(await createStaging(recordingSession(), plan({ added: [{ name: 'n', type: 'integer' }] }))).toEqual({
      path: 'insert',
      reason: 'columns are added to the target while publishing (onSchemaChange: addColumns)',
    });
    const blocked = recordingSession((text) =>
      text.startsWith('WITH t AS') ? [{ reason: 'trigger audit fires for each published row' }, { reason: 'view public.v depends on it' }] : undefined,
    );
    expect(await createStaging(blocked, plan({}))).toEqual({
      path: 'insert',
      reason: 'trigger audit fires for each published row; view public.v depends on it',
    });
    expect(blocked.texts().at(-1)).toMatch(/^CREATE TABLE .* INCLUDING DEFAULTS\)$/);
  });
});
