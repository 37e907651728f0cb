import { displayName } from '@ferry/sql';

/**
 * What a log line or metric says about the transfer an activity works for, read from the
 * activity's input. ferry's activities take one argument, one of:
 * - `PrepareInput` / `CleanupTargetInput`: `{ workflowId, runId, target: { connection, table } }`
 * - a `TransferPlan`: `{ runId, target: { connection, table: { schema, name } }, … }` (unload, cleanup)
 * - `{ plan: TransferPlan, … }` (finalize)
 * - `{ prepare: PrepareInput, … }` (transferSmallTable)
 * - `{ load: LoadTarget, part?: Part | registered?: RegisteredPart | registeredRun?: RegisteredRun, … }` (loadPart, resetStaging): `{ runId, connection, table: { schema, name }, … }`
 * The shapes are read structurally, so this library does not depend on @ferry/activities; an
 * argument of another shape yields no fields. Inputs carry no secrets by design, and only
 * these names are copied out.
 */
export interface TransferFields {
  /** The transfer's run: the tableTransfer workflow run id its plan was made in. */
  run?: string;
  /** The target table, `schema.table` (quoted where PostgreSQL would need it). */
  table?: string;
  /** The target connection's name in the worker's config. */
  connection?: string;
  /**
   * The part's object name relative to the run's folder, e.g. `0002_part_00.gz`; `#12 of attempt 1`
   * when the input names it by number only; `0000_part_00.gz … 0003_part_00.gz` for a run of small parts (loadPart only).
   */
  part?: string;
}

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function showName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (!isObj(v) || typeof v.schema !== 'string' || typeof v.name !== 'string') return undefined;
  return displayName({ schema: v.schema, name: v.name });
}

function fromRunAndTarget(v: Obj): TransferFields {
  const target = isObj(v.target) ? v.target : {};
  return { run: str(v.runId), table: showName(target.table), connection: str(target.connection) };
}

function fromLoad(v: Obj): TransferFields {
  return { run: str(v.runId), table: showName(v.table), connection: str(v.connection) };
}

export function transferFields(args: readonly unknown[]): TransferFields {
  const input = args[0];
  if (!isObj(input)) return {};
  const fields = isObj(input.plan)
    ? fromRunAndTarget(input.plan)
    : isObj(input.prepare)
      ? fromRunAndTarget(input.prepare)
      : isObj(input.load)
        ? fromLoad(input.load)
        : fromRunAndTarget(input);
  if (isObj(input.registered))
    fields.part = str(input.registered.name) ?? `#${String(input.registered.ordinal)} of attempt ${String(input.registered.attempt)}`;
  else if (isObj(input.registeredRun)) fields.part = partsOfRun(input.registeredRun);
  // Drop what is unknown, so log lines carry no `"part": undefined` noise.
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as TransferFields;
}

function partsOfRun(run: Obj): string {
  const names = Array.isArray(run.names) ? run.names.map(str) : [];
  if (names[0] && names[1]) return `${names[0]} … ${names[1]}`;
  return `#${String(run.from)}–${Number(run.to) - 1} of attempt ${String(run.attempt)}`;
}
