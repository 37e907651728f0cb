import { quoteIdent } from '@ferry/sql';
import {
  canonicalForm,
  canonicalMaxBytes,
  canonicalPostgres,
  publishExpression,
  unhashableOnRedshift,
  type LoadConversion,
  type SourceType,
} from '@ferry/type-map';
import type { SideColumn, SideQuery } from './side-query';

export interface VerifiedColumn {
  name: string;
  type: SourceType;
  /** On a staging table: how the staged text becomes the value (the plan's conversions). */
  conversion?: LoadConversion;
  /** The PostgreSQL column's base type (`int4`), where known: its canonical text may take less work. */
  targetBase?: string;
}

/**
 * Which columns can be compared, and why the others cannot (the type map's canonical forms).
 * `inUnload`: the rows are hashed inside the UNLOAD's SELECT, where a value Redshift cannot
 * hash would fail the transfer itself, so such columns are left out too.
 */
export function comparable(
  columns: VerifiedColumn[],
  { inUnload = false } = {},
): { compared: VerifiedColumn[]; leftOut: { column: string; reason: string }[] } {
  const reasonLeftOut = (c: VerifiedColumn): string | undefined => {
    const form = canonicalForm(c.type.kind);
    if (!form.compared) return form.reason;
    return inUnload ? unhashableOnRedshift(c.type) : undefined;
  };
  return {
    compared: columns.filter((c) => reasonLeftOut(c) === undefined),
    leftOut: columns.flatMap((c) => {
      const reason = reasonLeftOut(c);
      return reason === undefined ? [] : [{ column: c.name, reason }];
    }),
  };
}

function isFreeText(c: VerifiedColumn): boolean {
  const form = canonicalForm(c.type.kind);
  return form.compared && form.freeText === true;
}

function sideColumns(columns: VerifiedColumn[], key: string[], expr: (c: VerifiedColumn) => string, inUnload: boolean): Pick<SideQuery, 'key' | 'columns'> {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const side = (c: VerifiedColumn): SideColumn => ({ name: c.name, expr: expr(c), freeText: isFreeText(c), maxBytes: canonicalMaxBytes(c.type) });
  return { key: key.map((k) => side(byName.get(k)!)), columns: comparable(columns, { inUnload }).compared.map(side) };
}

/** The source as Redshift computes its canonical text (a table, or the transfer's query, with its incremental condition). */
export function redshiftSide(from: string, where: string | undefined, columns: VerifiedColumn[], key: string[], { inUnload = false } = {}): SideQuery {
  const expr = (c: VerifiedColumn) => {
    const form = canonicalForm(c.type.kind);
    return form.compared ? form.redshift(quoteIdent(c.name)) : quoteIdent(c.name);
  };
  return { dialect: 'redshift', from, where, ...sideColumns(columns, key, expr, inUnload) };
}

/**
 * A PostgreSQL table — the target, or a staging table whose converted columns are published
 * first — as canonical text. `utf8`: the database's encoding is UTF-8, so its text needs no
 * conversion to hash as Redshift's does (the same md5, less work).
 */
export function postgresSide(from: string, columns: VerifiedColumn[], key: string[], { inUnload = false, utf8 = false } = {}): SideQuery {
  const expr = (c: VerifiedColumn) => {
    const value = publishExpression(quoteIdent(c.name), c.conversion);
    return canonicalForm(c.type.kind).compared ? canonicalPostgres(c.type.kind, value, c.targetBase) : value;
  };
  return { dialect: utf8 ? 'postgresUtf8' : 'postgres', from, ...sideColumns(columns, key, expr, inUnload) };
}
