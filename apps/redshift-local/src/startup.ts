/** The key/value pairs of a StartupMessage. */
export function startupParams(packet: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  const parts = packet.toString('utf8', 8).split('\0');
  for (let i = 0; i + 1 < parts.length && parts[i]; i += 2) out[parts[i]] = parts[i + 1];
  return out;
}

/**
 * Redshift's session defaults that differ from PostgreSQL's, added to the backend's
 * StartupMessage unless the client sets them (as a parameter or in `options`, which the
 * backend applies first, so an added parameter would override it):
 * - extra_float_digits 0 (AWS, "extra_float_digits": values 0, -15 to 2, default 0), so
 *   floats print FLT_DIG/DBL_DIG significant digits as Redshift's do — lossy, like
 *   Redshift's; a client that sets 1 or 2 gets PostgreSQL's shortest exact output;
 * - TimeZone UTC (AWS, "timezone": default UTC), which GETDATE and SYSDATE report in.
 */
const DEFAULTS: [string, string][] = [
  ['extra_float_digits', '0'],
  ['TimeZone', 'UTC'],
];

export function withRedshiftDefaults(packet: Buffer): Buffer {
  const params = startupParams(packet);
  const given = new Set(Object.keys(params).map((k) => k.toLowerCase()));
  const options = (params.options ?? '').toLowerCase();
  const added = DEFAULTS.filter(([name]) => !given.has(name.toLowerCase()) && !options.includes(name.toLowerCase()));
  if (added.length === 0) return packet;
  // The packet ends with the terminating NUL of its parameter list: insert before it.
  const extra = Buffer.from(added.map(([k, v]) => `${k}\0${v}\0`).join(''), 'utf8');
  const out = Buffer.concat([packet.subarray(0, packet.length - 1), extra, Buffer.from([0])]);
  out.writeInt32BE(out.length, 0);
  return out;
}
