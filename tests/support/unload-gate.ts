import type { Client } from 'pg';
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * A source table whose UNLOAD stops at row `gateAt` until the test lets it go: the query waits
 * on an advisory lock the test holds. With ~100 bytes a row, 250,000 rows before the gate fill
 * more than 5 MB on each of redshift-local's 4 slices, so parts complete while the UNLOAD waits.
 */
export async function gatedSource(src: Client, holder: Client, table: string, rows = 260_000, gateAt = 250_000) {
  const lock = 4242;
  await src.query(`CREATE TABLE ${table} AS SELECT g AS id, md5(g::text) AS h, repeat(chr(65 + g % 26), 60) AS pad FROM generate_series(1, ${rows}) g`);
  await src.query(
    `CREATE OR REPLACE FUNCTION unload_gate() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_lock(${lock}); PERFORM pg_advisory_unlock(${lock}); RETURN true; END $$`,
  );
  return {
    query: `select id, h, pad from ${table} where case when id = ${gateAt} then unload_gate() else true end`,
    close: () => holder.query(`SELECT pg_advisory_lock(${lock})`),
    open: () => holder.query(`SELECT pg_advisory_unlock(${lock})`),
  };
}

/** An activity's scheduled, started and closed events, with its decoded input (plain JSON payloads: no encryption keys in tests). */
export function activities(events: HistoryEvent[]) {
  const out: { type: string; input: any; scheduled: number; closed?: number; result?: any }[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  const byScheduled = new Map<string, (typeof out)[number]>();
  events.forEach((e, index) => {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) {
      const a = { type: s.activityType!.name!, input: decode(s.input?.payloads?.[0]), scheduled: index };
      out.push(a);
      byScheduled.set(String(e.eventId), a);
    }
    const done = e.activityTaskCompletedEventAttributes;
    const closed = done ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
    if (closed) {
      const a = byScheduled.get(String(closed.scheduledEventId))!;
      a.closed = index;
      if (done) a.result = decode(done.result?.payloads?.[0]);
    }
  });
  return out;
}

export function signals(events: HistoryEvent[]) {
  return events
    .map((e, index) => ({ index, s: e.workflowExecutionSignaledEventAttributes }))
    .filter((x) => x.s)
    .map(({ index, s }) => ({ index, name: s!.signalName!, input: decode(s!.input?.payloads?.[0]) }));
}

function decode(p: temporal.api.common.v1.IPayload | undefined | null): unknown {
  if (!p?.data) return undefined;
  return JSON.parse(Buffer.from(p.data).toString('utf8'));
}

/** The registered parts' numbers that loadPart activities were given (one part, or a run of them), sorted. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function loadedOrdinals(loads: { input: any }[]): number[] {
  return loads
    .flatMap((l) => {
      const run = l.input.registeredRun as { from: number; to: number } | undefined;
      return run ? Array.from({ length: run.to - run.from }, (_, i) => run.from + i) : [l.input.registered.ordinal as number];
    })
    .sort((a, b) => a - b);
}
