import type { VerifyReport } from '@ferry/contract';

const show = (key: Record<string, string | null>) =>
  Object.entries(key)
    .map(([k, v]) => `${k}=${v === null ? 'NULL' : v}`)
    .join(', ');

/** The report as lines a person reads: the CLI prints it, the gate's failure message starts with it. */
export function describeReport(r: VerifyReport): string[] {
  const lines = [
    `${r.source} → ${r.target}: ${r.equal ? 'equal' : 'DIFFERENT'} (${r.rows.source} source rows, ${r.rows.target} target rows; ${r.compared.length} column(s) compared${r.key.length ? ` by key ${r.key.join(', ')}` : ', no key: whole table'})`,
  ];
  for (const l of r.leftOut) lines.push(`  not compared: ${l.column} (${l.reason})`);
  for (const k of r.missing) lines.push(`  missing in target: ${show(k)}`);
  for (const k of r.extra) lines.push(`  extra in target:   ${show(k)}`);
  for (const c of r.changed) lines.push(`  changed:           ${show(c.key)} (${c.columns.join(', ')})`);
  if (r.unlocated) lines.push('  the rows that differ cannot be located without a key: give verify a key (the target has no primary key)');
  if (r.truncated) lines.push('  … more differences than listed');
  if (r.sourceChangedSinceSnapshot) lines.push('  note: the source changed since the UNLOAD; differences above are against the source as it is now');
  return lines;
}
