import type { BackingTypes } from './oids';

/**
 * Finds the OIDs of the types standing for Redshift's in the client's database: ours in
 * pg_catalog (sql/redshift-types.sql), PostGIS's wherever it was installed. A database
 * without them yields none, and only bytea/jsonb/interval are mapped.
 */
export const BACKING_TYPES_QUERY = `SELECT t.oid::int4, t.typname::text FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'b' AND ((n.nspname = 'pg_catalog' AND t.typname IN ('varbyte', 'super', 'hllsketch')) OR t.typname IN ('geometry', 'geography'))`;

export function backingTypes(rows: (string | null)[][]): BackingTypes {
  const out: BackingTypes = { geometry: [], geography: [] };
  for (const [oid, name] of rows) {
    const n = Number(oid);
    if (name === 'varbyte' || name === 'super' || name === 'hllsketch') out[name] = n;
    else if (name === 'geometry' || name === 'geography') out[name].push(n);
  }
  return out;
}
