import { quoteQualified, run, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';

export const selectSwapBlockers = (table: QualifiedName): Statement =>
  statement(
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

/**
 * Why the target cannot be swapped (empty: it can). Anything outside the table that refers
 * to it by its identity — a view, a foreign key, a publication, a rule, a function over its
 * row type — would keep pointing at the old table, or block its drop, so those publish by
 * INSERT … SELECT instead. Triggers too: today they fire for each published row, and a swap
 * would fire none.
 */
export async function swapBlockers(session: Session, table: QualifiedName): Promise<string[]> {
  return (await run<{ reason: string }>(session, selectSwapBlockers(table))).rows.map((r) => r.reason);
}
