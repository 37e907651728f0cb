import type { Client } from 'pg';
import { quoteIdent } from '@ferry/sql';
import { canonicalForm, canonicalSessionSql, publishExpression, type LoadConversion, type SourceType } from '@ferry/type-map';
import type { Side } from './segments';

export interface VerifiedColumn {
  name: string;
  type: SourceType;
  /** On a staging table: how the staged text becomes the value (the plan's conversions). */
  conversion?: LoadConversion;
}

/** Which columns can be compared, and why the others cannot (the type map's canonical forms). */
export function comparable(columns: VerifiedColumn[]): { compared: VerifiedColumn[]; leftOut: { column: string; reason: string }[] } {
  const compared = columns.filter((c) => canonicalForm(c.type.kind).compared);
  const leftOut = columns.flatMap((c) => {
    const form = canonicalForm(c.type.kind);
    return form.compared ? [] : [{ column: c.name, reason: form.reason }];
  });
  return { compared, leftOut };
}

async function canonicalSession(client: Client): Promise<void> {
  for (const sql of canonicalSessionSql) await client.query(sql);
}

const run =
  (client: Client) =>
  async <R>(sql: string, params?: unknown[]) =>
    (await client.query(sql, params)).rows as R[];

/** The source as Redshift computes its canonical text (a table, or the transfer's query, with its incremental condition). */
export async function sourceSide(client: Client, from: string, where: string | undefined, columns: VerifiedColumn[], key: string[]): Promise<Side> {
  await canonicalSession(client);
  const expr = (c: VerifiedColumn) => {
    const form = canonicalForm(c.type.kind);
    return form.compared ? form.redshift(quoteIdent(c.name)) : quoteIdent(c.name);
  };
  const byName = new Map(columns.map((c) => [c.name, c]));
  return {
    dialect: 'redshift',
    from,
    where,
    key: key.map((k) => ({ name: k, expr: expr(byName.get(k)!), freeText: isFreeText(byName.get(k)!) })),
    columns: comparable(columns).compared.map((c) => ({ name: c.name, expr: expr(c), freeText: isFreeText(c) })),
    query: run(client),
  };
}

function isFreeText(c: VerifiedColumn): boolean {
  const form = canonicalForm(c.type.kind);
  return form.compared && form.freeText === true;
}

/** A PostgreSQL table — the target, or a staging table whose converted columns are published first — as canonical text. */
export async function postgresSide(client: Client, from: string, columns: VerifiedColumn[], key: string[]): Promise<Side> {
  await canonicalSession(client);
  const expr = (c: VerifiedColumn) => {
    const form = canonicalForm(c.type.kind);
    const value = publishExpression(quoteIdent(c.name), c.conversion);
    return form.compared ? form.postgres(value) : value;
  };
  const byName = new Map(columns.map((c) => [c.name, c]));
  return {
    dialect: 'postgres',
    from,
    key: key.map((k) => ({ name: k, expr: expr(byName.get(k)!), freeText: isFreeText(byName.get(k)!) })),
    columns: comparable(columns).compared.map((c) => ({ name: c.name, expr: expr(c), freeText: isFreeText(c) })),
    query: run(client),
  };
}
