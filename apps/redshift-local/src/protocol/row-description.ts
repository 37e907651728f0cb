import type { OidMapper } from '../types/oids';

/**
 * Rewrites, in place, the type OID of every field of a RowDescription body, so the client
 * sees Redshift's types. Walks only the field layout (name, then 18 bytes: table OID int32,
 * column int16, type OID int32, type size int16, typmod int32, format int16).
 */
export function rewriteRowDescriptionOids(body: Buffer, map: OidMapper): void {
  const count = body.readInt16BE(0);
  let i = 2;
  for (let c = 0; c < count; c++) {
    i = body.indexOf(0, i) + 1;
    const typeOid = body.readUInt32BE(i + 6);
    const mapped = map(typeOid, body.readInt32BE(i + 12));
    if (mapped !== typeOid) body.writeUInt32BE(mapped, i + 6);
    i += 18;
  }
}
