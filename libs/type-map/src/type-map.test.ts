import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  canonicalForm,
  canonicalPostgres,
  checkColumnType,
  formatSourceType,
  publishExpression,
  redshiftTypes,
  sourceTypeOf,
  unloadExpression,
  type SourceType,
  type TargetType,
} from './index';
import { renderTypesDoc } from './types-doc';

const target = (display: string, base: string, typmod = -1): TargetType => ({ display, base, typmod });
const numericMod = (p: number, s: number) => ((p << 16) | s) + 4;

describe('sourceTypeOf (result-description OIDs and modifiers)', () => {
  it.each([
    [1043, 204, { kind: 'varchar', length: 200 }],
    [1043, -1, { kind: 'varchar' }],
    [1042, 14, { kind: 'char', length: 10 }],
    [1700, numericMod(38, 10), { kind: 'decimal', precision: 38, scale: 10 }],
    [6551, -1, { kind: 'varbyte' }],
    [17, -1, { kind: 'varbyte' }],
    [4000, -1, { kind: 'super' }],
    [3999, -1, { kind: 'geometry' }],
    [3001, -1, { kind: 'geography' }],
    [2935, -1, { kind: 'hllsketch' }],
    [1188, -1, { kind: 'intervalYearToMonth' }],
    [1190, -1, { kind: 'intervalDayToSecond' }],
    [1266, -1, { kind: 'timetz' }],
  ])('oid %i typmod %i', (oid, typmod, expected) => {
    expect(sourceTypeOf(oid, typmod)).toEqual(expected);
  });

  it('knows no type outside Redshift (uuid, jsonb arrays)', () => {
    expect(sourceTypeOf(2950, -1)).toBeUndefined();
    expect(sourceTypeOf(3807, -1)).toBeUndefined();
  });

  it('spells types the Redshift way', () => {
    expect(formatSourceType({ kind: 'varchar', length: 200 })).toBe('VARCHAR(200)');
    expect(formatSourceType({ kind: 'decimal', precision: 38, scale: 10 })).toBe('DECIMAL(38,10)');
    expect(formatSourceType({ kind: 'interval' })).toBe('INTERVAL');
  });
});

describe('compatibility', () => {
  const refused: [SourceType, TargetType][] = [
    [{ kind: 'varbyte' }, target('text', 'text')],
    [{ kind: 'super' }, target('character varying(1000)', 'varchar', 1004)],
    [{ kind: 'timestamptz' }, target('timestamp without time zone', 'timestamp')],
    [{ kind: 'decimal', precision: 38, scale: 10 }, target('numeric(12,2)', 'numeric', numericMod(12, 2))],
    [{ kind: 'varchar', length: 200 }, target('character varying(20)', 'varchar', 24)],
    [{ kind: 'varchar', length: 10 }, target('integer', 'int4')],
    [{ kind: 'geometry' }, target('text', 'text')],
    [{ kind: 'bigint' }, target('integer', 'int4')],
    [{ kind: 'bigint' }, target('double precision', 'float8')],
    [{ kind: 'double' }, target('real', 'float4')],
    [{ kind: 'timestamp' }, target('timestamp(3) without time zone', 'timestamp', 3)],
    [{ kind: 'intervalDayToSecond' }, target('interval year to month', 'interval', (6 << 16) | 0xffff)],
    [{ kind: 'char', length: 4 }, target('text', 'text')],
    [{ kind: 'decimal' }, target('numeric(38,10)', 'numeric', numericMod(38, 10))],
  ];
  it.each(refused)('refuses %j into %j', (source, t) => {
    const mismatch = checkColumnType('c', source, t);
    expect(mismatch).toMatchObject({ column: 'c', target: t.display });
    expect(mismatch!.reason.length).toBeGreaterThan(10);
  });

  const accepted: [SourceType, TargetType][] = [
    [{ kind: 'integer' }, target('bigint', 'int8')],
    [{ kind: 'varchar', length: 200 }, target('text', 'text')],
    [{ kind: 'varchar', length: 200 }, target('character varying(200)', 'varchar', 204)],
    [{ kind: 'decimal', precision: 10, scale: 2 }, target('numeric(12,2)', 'numeric', numericMod(12, 2))],
    [{ kind: 'decimal', precision: 38, scale: 10 }, target('numeric', 'numeric')],
    [{ kind: 'real' }, target('double precision', 'float8')],
    [{ kind: 'varbyte' }, target('bytea', 'bytea')],
    [{ kind: 'super' }, target('jsonb', 'jsonb')],
    [{ kind: 'intervalYearToMonth' }, target('interval', 'interval')],
    [{ kind: 'char', length: 4 }, target('character(8)', 'bpchar', 12)],
  ];
  it.each(accepted)('accepts %j into %j', (source, t) => {
    expect(checkColumnType('c', source, t)).toBeUndefined();
  });

  it('names the type that would hold every value', () => {
    expect(checkColumnType('blob', { kind: 'varbyte' }, target('text', 'text'))).toMatchObject({ source: 'VARBYTE', mapped: 'bytea' });
    expect(checkColumnType('n', { kind: 'decimal', precision: 38, scale: 10 }, target('numeric(12,2)', 'numeric', numericMod(12, 2)))?.mapped).toBe(
      'numeric(38,10)',
    );
  });

  it('maps every type to a target it accepts', () => {
    for (const spec of redshiftTypes) {
      const source: SourceType = { kind: spec.kind };
      const mapped = spec.target(source);
      const base =
        {
          smallint: 'int2',
          integer: 'int4',
          bigint: 'int8',
          real: 'float4',
          'double precision': 'float8',
          boolean: 'bool',
          char: 'bpchar',
          varchar: 'varchar',
        }[mapped] ?? mapped.split(' ')[0];
      const typmod = mapped === 'interval year to month' ? (6 << 16) | 0xffff : mapped === 'interval day to second' ? (7176 << 16) | 0xffff : -1;
      expect([spec.kind, spec.refuses(source, target(mapped, base, typmod))]).toEqual([spec.kind, undefined]);
    }
  });
});

describe('unload and publish expressions', () => {
  it('unloads REAL as DOUBLE PRECISION and SUPER as hex of its JSON, keeping the names', () => {
    expect(unloadExpression('"r"', { kind: 'real' })).toBe('CAST("r" AS DOUBLE PRECISION) AS "r"');
    expect(unloadExpression('"j"', { kind: 'super' })).toBe('JSON_SERIALIZE_TO_VARBYTE("j") AS "j"');
    expect(unloadExpression('"v"', { kind: 'varbyte' })).toBe('"v"');
  });

  it('publishes hex as bytes and hex JSON as jsonb', () => {
    expect(publishExpression('s."v"', 'hex')).toBe(`decode(s."v", 'hex')`);
    expect(publishExpression('s."j"', 'jsonHex')).toBe(`convert_from(decode(s."j", 'hex'), 'UTF8')::jsonb`);
    expect(publishExpression('s."x"', undefined)).toBe('s."x"');
  });
});

it('docs/types.md is the type map (regenerate: npx tsx tools/docs/write-types-doc.ts)', () => {
  expect(readFileSync(path.join(__dirname, '../../../docs/types.md'), 'utf8')).toBe(renderTypesDoc());
});

describe('canonicalPostgres: the generic text with less work where the target type allows', () => {
  it.each([
    ['integer', 'int4', 'CAST(x AS VARCHAR)'],
    ['bigint', 'numeric', undefined],
    ['char', 'bpchar', 'CAST(x AS VARCHAR)'],
    ['char', 'text', undefined],
    ['decimal', 'numeric', undefined],
  ] as const)('%s into %s', (kind, base, special) => {
    const generic = (canonicalForm(kind) as { postgres(c: string): string }).postgres('x');
    expect(canonicalPostgres(kind, 'x', base)).toBe(special ?? generic);
  });
});
