/**
 * The type OIDs Redshift reports in result descriptions (RowDescription), which drivers use
 * to pick a decoder. Source: the public amazon-redshift-jdbc-driver (core/Oid.java) and the
 * drivers that map them; the PostgreSQL-compatible types keep PostgreSQL's OIDs and typmods.
 */
export const REDSHIFT_OID = {
  VARBYTE: 6551,
  SUPER: 4000,
  /** GEOMETRY is 3000 in Redshift's pg_type, but a result describes it as 3999 ("geometryhex"). */
  GEOMETRY_RESULT: 3999,
  GEOGRAPHY: 3001,
  HLLSKETCH: 2935,
  INTERVAL_Y2M: 1188,
  INTERVAL_D2S: 1190,
} as const;

export const PG_OID = { BYTEA: 17, JSONB: 3802, INTERVAL: 1186 } as const;

/**
 * PostgreSQL's interval typmod: (field mask << 16) | precision, the mask's bits from
 * datetime.h (MONTH 1, YEAR 2, DAY 3, HOUR 10, MINUTE 11, SECOND 12), as atttypmod shows
 * for `interval year to month` (458751) and `interval day to second` (470351871).
 */
const YEAR_TO_MONTH = (1 << 2) | (1 << 1);
const DAY_TO_SECOND = (1 << 3) | (1 << 10) | (1 << 11) | (1 << 12);

/** The backing database's OIDs of the types that stand for Redshift's (they differ per database). */
export interface BackingTypes {
  varbyte?: number;
  super?: number;
  hllsketch?: number;
  geometry: number[];
  geography: number[];
}

export type OidMapper = (typeOid: number, typeModifier: number) => number;

/** Maps a backing column type to the OID Redshift would report; the rest pass unchanged. */
export function oidMapper(backing: BackingTypes): OidMapper {
  const map = new Map<number, number>([
    [PG_OID.BYTEA, REDSHIFT_OID.VARBYTE],
    [PG_OID.JSONB, REDSHIFT_OID.SUPER],
  ]);
  if (backing.varbyte) map.set(backing.varbyte, REDSHIFT_OID.VARBYTE);
  if (backing.super) map.set(backing.super, REDSHIFT_OID.SUPER);
  if (backing.hllsketch) map.set(backing.hllsketch, REDSHIFT_OID.HLLSKETCH);
  for (const oid of backing.geometry) map.set(oid, REDSHIFT_OID.GEOMETRY_RESULT);
  for (const oid of backing.geography) map.set(oid, REDSHIFT_OID.GEOGRAPHY);
  return (typeOid, typeModifier) => {
    if (typeOid === PG_OID.INTERVAL && typeModifier !== -1) {
      const fields = (typeModifier >> 16) & 0x7fff;
      if (fields === YEAR_TO_MONTH) return REDSHIFT_OID.INTERVAL_Y2M;
      if (fields === DAY_TO_SECOND) return REDSHIFT_OID.INTERVAL_D2S;
      return typeOid;
    }
    return map.get(typeOid) ?? typeOid;
  };
}
