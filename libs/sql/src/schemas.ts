import { statement, type Statement } from './statement';

/** Whether a schema exists, one row if so: the same catalog (pg_namespace) on PostgreSQL and Redshift. */
export const selectSchema = (schema: string): Statement => statement(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema]);
