import { formatSourceType, redshiftType, type LoadConversion, type RedshiftKind, type SourceType } from './redshift-types';
import type { TargetType } from './pg-types';

/**
 * The unload expression of one column: the column itself, or the type map's expression
 * for it, named after the column so the manifest and staging keep its name.
 */
export function unloadExpression(quotedColumn: string, source: SourceType): string {
  const expr = (unloadOverrides.get(source.kind) ?? redshiftType(source.kind).unload)?.(quotedColumn);
  return expr ? `${expr} AS ${quotedColumn}` : quotedColumn;
}

/** How the staged text of a column becomes its value on publish, when it is not loaded as is. */
export function loadConversion(source: SourceType): LoadConversion | undefined {
  return redshiftType(source.kind).load;
}

/** The type a converted column has in the staging table: the part's text, unchanged. */
export const stagedAs = 'text';

/** The expression that publishes a staged column: `decode(s."c", 'hex')` for VARBYTE, for example. */
export function publishExpression(stagedColumn: string, conversion: LoadConversion | undefined): string {
  switch (conversion) {
    case undefined:
      return stagedColumn;
    case 'hex':
      return `decode(${stagedColumn}, 'hex')`;
    case 'jsonHex':
      return `convert_from(decode(${stagedColumn}, 'hex'), 'UTF8')::jsonb`;
  }
}

/** A column pair the type map refuses: what is wrong, in words a user can act on. */
export interface TypeMismatch {
  column: string;
  source: string;
  target: string;
  reason: string;
  /** The PostgreSQL type that would hold every value. */
  mapped: string;
}

export function checkColumnType(column: string, source: SourceType, target: TargetType): TypeMismatch | undefined {
  const spec = redshiftType(source.kind);
  const reason = spec.refuses(source, target);
  if (!reason) return undefined;
  return { column, source: formatSourceType(source), target: target.display, reason, mapped: spec.target(source) };
}

const unloadOverrides = new Map<RedshiftKind, (column: string) => string>();

/**
 * Tests only: unload a type with another expression (a lossy one), to prove that the
 * checksum gate stops a wrong mapping before anything is published. `undefined` restores it.
 */
export function overrideUnloadForTests(kind: RedshiftKind, expr: ((column: string) => string) | undefined): void {
  if (expr) unloadOverrides.set(kind, expr);
  else unloadOverrides.delete(kind);
}
