import { publishExpression } from './column-plan';
import { formatSourceType, redshiftTypes, type SourceType } from './redshift-types';
import { sampleTargets } from './sample-targets';

/** A representative source type of each kind, with the modifiers the matrix is shown for. */
function sampleSource(kind: SourceType['kind']): SourceType {
  if (kind === 'decimal') return { kind, precision: 12, scale: 2 };
  if (kind === 'char') return { kind, length: 10 };
  if (kind === 'varchar') return { kind, length: 50 };
  return { kind };
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** docs/types.md, computed from the type map (a test holds the file to it). */
export function renderTypesDoc(): string {
  const lines = [
    '# Redshift types in ferry',
    '',
    'Generated from `libs/type-map` (`npx tsx tools/docs/write-types-doc.ts`); a test fails when this page and the code disagree.',
    '',
    "ferry reads each source column's type from the result description of the SELECT it unloads (the type OIDs and modifiers",
    "Redshift's drivers read), unloads it with the expression below, loads the parts with `COPY … (FORMAT text)` (or RDS's",
    '`aws_s3` import, which runs the same COPY) into a staging table, and publishes the staged rows with the conversion below.',
    'Before anything is unloaded, `prepare` checks every column pair and refuses, non-retryably and naming the column, both',
    'types and the fix, any target column that could not hold every value of the source type unchanged.',
    '',
    '| Redshift type | result OID | PostgreSQL type | unloaded as | published as | notes |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const spec of redshiftTypes) {
    const sample = sampleSource(spec.kind);
    const unload = spec.unload ? `\`${spec.unload('c')}\`` : 'the column';
    const publish = spec.load ? `\`${publishExpression('c', spec.load)}\`` : 'as loaded';
    lines.push(
      `| ${cell(spec.names.join(', '))} | ${spec.oids.join(', ')} | ${cell(spec.target(sample))} | ${cell(unload)} | ${cell(publish)} | ${cell(spec.notes)} |`,
    );
  }
  lines.push(
    '',
    '## Which target columns are accepted',
    '',
    'Computed from the same rules prepare applies, for the source types shown, over common target column types. A',
    'domain counts as its base type. Anything not listed is refused.',
    '',
    '| source type | accepted target column types |',
    '| --- | --- |',
  );
  for (const spec of redshiftTypes) {
    const sample = sampleSource(spec.kind);
    const accepted = sampleTargets.filter((t) => !spec.refuses(sample, t)).map((t) => t.display);
    lines.push(`| ${cell(formatSourceType(sample))} | ${cell(accepted.join(', '))} |`);
  }
  lines.push(
    '',
    '## Values that cannot arrive unchanged',
    '',
    'These are refused loudly, never changed silently:',
    '',
    '- a column whose type is not in the table above (prepare: `TypeMismatch`, naming the column and its type OID; cast it in `source.query`);',
    '- a target column that is narrower, rounds, drops interval fields or changes the family (prepare: `TypeMismatch`);',
    '- a SUPER string containing `\\u0000`, which jsonb cannot store (finalize fails, the target is untouched);',
    '- a GEOMETRY value that a target column constrained to a geometry type or SRID does not admit (the load fails, naming the part and line);',
    '- a value longer than a target column whose source length is unknown (a computed VARCHAR; the load fails, naming the part and line).',
    '',
  );
  return lines.join('\n');
}
