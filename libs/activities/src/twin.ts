import type { Client } from 'pg';
import { quoteIdent, quoteLiteral, quoteQualified, type QualifiedName } from '@ferry/sql';
import type { TwinIndex } from '@ferry/contract';
import { twinIndexName } from '@ferry/postgres';

// A `replace` can publish without copying the rows a second time: the parts are loaded into
// a twin of the target (same columns, defaults, identity, checks), its indexes are built
// after the load, and finalize's transaction swaps it in for the target. This file knows
// how to build the twin and what would make the swap unsafe; swap.ts does the swap.

/**
 * Why the target cannot be swapped (empty: it can). Anything outside the table that refers
 * to it by its identity — a view, a foreign key, a publication, a rule, a function over its
 * row type — would keep pointing at the old table, or block its drop, so those publish by
 * INSERT … SELECT instead. Triggers too: today they fire for each published row, and a swap
 * would fire none.
 */
export async function swapBlockers(client: Client, table: QualifiedName): Promise<string[]> {
  const res = await client.query<{ reason: string }>(
    `WITH t AS (SELECT c.* FROM pg_class c WHERE c.oid = to_regclass($1))
     SELECT DISTINCT reason FROM (
       SELECT format('ferry''s role %s does not own it (owner %s)', current_user, pg_get_userbyid(relowner)) AS reason FROM t WHERE NOT pg_has_role(current_user, relowner, 'USAGE')
       UNION ALL SELECT format('ferry''s role %s may not create tables in schema %s', current_user, relnamespace::regnamespace) FROM t WHERE NOT has_schema_privilege(current_user, relnamespace, 'CREATE')
       UNION ALL SELECT format('its owner %s may not create tables in schema %s', pg_get_userbyid(relowner), relnamespace::regnamespace) FROM t WHERE NOT has_schema_privilege(relowner, relnamespace, 'CREATE')
       UNION ALL SELECT 'it is partitioned or a partition' FROM t WHERE relkind = 'p' OR relispartition
       UNION ALL SELECT 'it is unlogged or temporary' FROM t WHERE relpersistence <> 'p'
       UNION ALL SELECT 'it lives in a tablespace of its own' FROM t WHERE reltablespace <> 0
       UNION ALL SELECT 'its replica identity is an index' FROM t WHERE relreplident = 'i'
       UNION ALL SELECT format('index %s lives in a tablespace of its own', quote_ident(ic.relname)) FROM t JOIN pg_index i ON i.indrelid = t.oid JOIN pg_class ic ON ic.oid = i.indexrelid WHERE ic.reltablespace <> 0
       UNION ALL SELECT 'it takes part in table inheritance' FROM t JOIN pg_inherits i ON i.inhrelid = t.oid OR i.inhparent = t.oid
       UNION ALL SELECT format('trigger %s fires for each published row', quote_ident(tgname)) FROM t JOIN pg_trigger g ON g.tgrelid = t.oid WHERE NOT g.tgisinternal
       UNION ALL SELECT format('rule %s is defined on it', quote_ident(rulename)) FROM t JOIN pg_rewrite r ON r.ev_class = t.oid
       UNION ALL SELECT format('foreign key %s of %s references it', quote_ident(conname), conrelid::regclass) FROM t JOIN pg_constraint k ON k.confrelid = t.oid WHERE k.contype = 'f' AND k.conrelid <> t.oid
       UNION ALL SELECT format('its foreign key %s would be checked again under the lock', quote_ident(conname)) FROM t JOIN pg_constraint k ON k.conrelid = t.oid WHERE k.contype = 'f'
       UNION ALL SELECT format('publication %s lists it', quote_ident(p.pubname)) FROM t JOIN pg_publication_rel pr ON pr.prrelid = t.oid JOIN pg_publication p ON p.oid = pr.prpubid
       UNION ALL SELECT 'it has extended statistics' FROM t JOIN pg_statistic_ext s ON s.stxrelid = t.oid
       UNION ALL SELECT 'it has security labels' FROM t JOIN pg_seclabel l ON l.objoid = t.oid AND l.classoid = 'pg_class'::regclass
       UNION ALL
       -- Everything else that depends on the table or its row type, named as PostgreSQL names it.
       SELECT format('%s depends on it', CASE WHEN d.classid = 'pg_rewrite'::regclass
                                               THEN (SELECT format('view %s', r.ev_class::regclass) FROM pg_rewrite r WHERE r.oid = d.objid)
                                               ELSE pg_describe_object(d.classid, d.objid, d.objsubid) END)
         FROM t JOIN pg_depend d ON d.deptype = 'n'
          AND ((d.refclassid = 'pg_class'::regclass AND d.refobjid = t.oid) OR (d.refclassid = 'pg_type'::regclass AND d.refobjid = t.reltype))
        WHERE NOT (d.classid = 'pg_attrdef'::regclass AND EXISTS (SELECT 1 FROM pg_attrdef a WHERE a.oid = d.objid AND a.adrelid = t.oid))
          AND NOT (d.classid = 'pg_constraint'::regclass AND EXISTS (SELECT 1 FROM pg_constraint k WHERE k.oid = d.objid AND (k.conrelid = t.oid OR k.contype = 'f')))
          AND NOT (d.classid = 'pg_policy'::regclass AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.oid = d.objid AND p.polrelid = t.oid))
          AND NOT (d.classid = 'pg_class'::regclass AND d.objid = t.oid)
          AND NOT (d.classid = 'pg_rewrite'::regclass AND EXISTS (SELECT 1 FROM pg_rewrite r WHERE r.oid = d.objid AND r.ev_class = t.oid))
          AND NOT (d.classid = 'pg_trigger'::regclass)
     ) AS why ORDER BY reason`,
    [quoteQualified(table)],
  );
  return res.rows.map((r) => r.reason);
}

/**
 * (Re)creates the twin, empty and without indexes (they are built after the load, which is
 * much faster than maintaining them row by row). Its identity sequences start where the
 * target's are, so rows that take a generated value get the same ones an INSERT would.
 */
export async function createTwin(client: Client, target: QualifiedName, twin: QualifiedName): Promise<TwinIndex[]> {
  await client.query(`DROP TABLE IF EXISTS ${quoteQualified(twin)}`);
  await client.query(`CREATE TABLE ${quoteQualified(twin)} (LIKE ${quoteQualified(target)} INCLUDING ALL EXCLUDING INDEXES)`);
  for (const s of await identitySequences(client, target, twin)) {
    await client.query(`SELECT setval($1::regclass, v) FROM (SELECT pg_sequence_last_value($2::regclass) AS v) AS s WHERE v IS NOT NULL`, [
      s.twinSeq,
      s.targetSeq,
    ]);
  }
  const res = await client.query<{ name: string; constraint: string | null; definition: string; comment: string | null; constraintComment: string | null }>(
    `SELECT ic.relname AS name,
            CASE WHEN k.contype IN ('p', 'u', 'x') THEN pg_get_constraintdef(k.oid) END AS "constraint",
            CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || substring(pg_get_indexdef(i.indexrelid) FROM ' USING .*$') AS definition,
            obj_description(i.indexrelid, 'pg_class') AS comment, obj_description(k.oid, 'pg_constraint') AS "constraintComment"
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')
      WHERE i.indrelid = to_regclass($1)
      ORDER BY ic.relname`,
    [quoteQualified(target)],
  );
  return res.rows.map((r, n) => ({ ...r, temp: twinIndexName(twin, n) }));
}

/** Builds the twin's indexes once its rows are in; an index a retry finds built is kept. */
export async function buildTwinIndexes(client: Client, twin: QualifiedName, indexes: TwinIndex[]): Promise<void> {
  for (const index of indexes) {
    const temp: QualifiedName = { schema: twin.schema, name: index.temp };
    const built = await client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [quoteQualified(temp)]);
    if (built.rows[0].present) continue;
    const sql = index.constraint
      ? `ALTER TABLE ${quoteQualified(twin)} ADD CONSTRAINT ${quoteIdent(index.temp)} ${index.constraint}`
      : `CREATE ${index.definition.startsWith('UNIQUE ') ? 'UNIQUE ' : ''}INDEX ${quoteIdent(index.temp)} ON ${quoteQualified(twin)} ${index.definition.replace(/^UNIQUE /, '')}`;
    await client.query(sql).catch((err: { constraint?: string }) => {
      // A unique index the rows violate: name it as the user knows it, not by its temporary name.
      err.constraint = index.name;
      throw err;
    });
    if (index.comment !== null) await client.query(commentSql({ kind: 'INDEX', name: temp }, index.comment));
    if (index.constraintComment !== null) await client.query(commentSql({ kind: 'CONSTRAINT', name: index.temp, on: twin }, index.constraintComment));
  }
}

/**
 * The target's shape — columns, defaults, identity, checks, indexes — against the twin's, read
 * under finalize's lock: a target altered during the run must not be swapped for the older shape.
 */
export async function twinMatchesTarget(client: Client, target: QualifiedName, twin: QualifiedName, indexes: TwinIndex[]): Promise<boolean> {
  const tempToName = Object.fromEntries(indexes.map((i) => [i.temp, i.name]));
  const [a, b] = await Promise.all([shape(client, target, {}), shape(client, twin, tempToName)]);
  return a === b;
}

async function shape(client: Client, table: QualifiedName, renames: Record<string, string>): Promise<string> {
  const rel = quoteQualified(table);
  const columns = await client.query(
    `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull, a.attidentity, a.attgenerated, a.attcollation,
            pg_get_expr(d.adbin, d.adrelid) AS default
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [rel],
  );
  const checks = await client.query(
    `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype = 'c' ORDER BY conname`,
    [rel],
  );
  const indexes = await client.query<{ name: string; def: string }>(
    `SELECT ic.relname AS name, i.indisunique::text || substring(pg_get_indexdef(i.indexrelid) FROM ' USING .*$') AS def
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = to_regclass($1)`,
    [rel],
  );
  const named = indexes.rows.map((i) => [renames[i.name] ?? i.name, i.def]).sort();
  return JSON.stringify([columns.rows, checks.rows, named]);
}

/** Each identity column's sequence on the target and on the twin: as regclass text, and its bare name. */
export async function identitySequences(client: Client, target: QualifiedName, twin: QualifiedName) {
  const res = await client.query<{ column: string; target_seq: string; twin_seq: string; target_name: string; twin_name: string }>(
    `SELECT a.attname AS column, s.target_seq, s.twin_seq,
            (SELECT relname FROM pg_class WHERE oid = s.target_seq::regclass) AS target_name,
            (SELECT relname FROM pg_class WHERE oid = s.twin_seq::regclass) AS twin_name
       FROM pg_attribute a,
            LATERAL (SELECT pg_get_serial_sequence($1, a.attname) AS target_seq, pg_get_serial_sequence($2, a.attname) AS twin_seq) AS s
      WHERE a.attrelid = to_regclass($1) AND a.attidentity <> '' AND NOT a.attisdropped`,
    [quoteQualified(target), quoteQualified(twin)],
  );
  return res.rows.map((r) => ({ column: r.column, targetSeq: r.target_seq, twinSeq: r.twin_seq, targetName: r.target_name, twinName: r.twin_name }));
}

type Commented = { kind: 'TABLE' | 'INDEX'; name: QualifiedName } | { kind: 'CONSTRAINT'; name: string; on: QualifiedName };

/** Comments cannot be bound as parameters; quoted as a literal instead. */
export function commentSql(object: Commented, comment: string): string {
  const what =
    object.kind === 'CONSTRAINT' ? `CONSTRAINT ${quoteIdent(object.name)} ON ${quoteQualified(object.on)}` : `${object.kind} ${quoteQualified(object.name)}`;
  return `COMMENT ON ${what} IS ${quoteLiteral(comment)}`;
}
