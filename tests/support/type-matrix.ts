/**
 * Every Redshift type with its edge values, written in Redshift's SQL through redshift-local:
 * column, Redshift DDL type, PostgreSQL target type, and the values (Redshift expressions).
 * Row i takes each column's i-th value, NULL once a column has no more.
 */
export const MATRIX: [string, string, string, string[]][] = [
  ['i2', 'SMALLINT', 'smallint', ['-32768', '32767', '0']],
  ['i4', 'INTEGER', 'integer', ['-2147483648', '2147483647', '0']],
  ['i8', 'BIGINT', 'bigint', ['-9223372036854775808', '9223372036854775807', '0']],
  [
    'd38',
    'DECIMAL(38,10)',
    'numeric(38,10)',
    ['9999999999999999999999999999.9999999999', '-9999999999999999999999999999.9999999999', '0.0000000001', '0', '-0.5'],
  ],
  ['d38i', 'NUMERIC(38,0)', 'numeric(38,0)', ['99999999999999999999999999999999999999', '-99999999999999999999999999999999999999']],
  [
    'r',
    'REAL',
    'real',
    [`'3.4028235e38'`, `'-3.4028235e38'`, `'1.17549435e-38'`, `'1.4e-45'`, `'-0'`, `'NaN'`, `'Infinity'`, `'-Infinity'`, `'0.1'`, `'3.1415927'`],
  ],
  [
    'f',
    'FLOAT',
    'double precision',
    [`'1.7976931348623157e308'`, `'4.9e-324'`, `'-0'`, `'NaN'`, `'Infinity'`, `'-Infinity'`, `'0.1'`, '1.0/3', `'2.718281828459045'`],
  ],
  ['b', 'BOOL', 'boolean', ['true', 'false']],
  ['ch', 'CHAR(10)', 'char(10)', [`'a'`, `''`, `'abcdefghij'`, `' x '`, `'|\\'`]],
  // 12 bytes each: two-byte, three-byte and four-byte UTF-8 at VARCHAR(12)'s byte limit.
  [
    'vc',
    'VARCHAR(12)',
    'varchar(12)',
    [`'üüüüüü'`, `'日本語テ'`, `'😀😀😀'`, `''`, `'a|b\\c'`, `'\\N'`, `'tab' || CHR(9) || 'lf' || CHR(10)`, `'e' || CHR(769)`],
  ],
  ['dt', 'DATE', 'date', [`'4713-11-24 BC'`, `'294276-12-31'`, `'0001-01-01'`, `'2024-02-29'`]],
  ['ts', 'TIMESTAMP', 'timestamp', [`'4713-11-24 00:00:00 BC'`, `'294276-12-31 23:59:59.999999'`, `'2024-02-29 12:34:56.123456'`, `'1970-01-01 00:00:00'`]],
  [
    'tstz',
    'TIMESTAMPTZ',
    'timestamptz',
    [`'4713-11-25 00:00:00+00 BC'`, `'294276-12-30 23:59:59.999999+00'`, `'2024-01-01 00:00:00+05:30'`, `'2024-07-01 12:00:00.000001-07'`],
  ],
  ['tm', 'TIME', 'time', [`'00:00:00'`, `'24:00:00'`, `'23:59:59.999999'`, `'12:34:56.5'`]],
  ['ttz', 'TIMETZ', 'timetz', [`'12:00:00+05'`, `'00:00:00+00'`, `'23:59:59.999999-03'`, `'01:00:00+05'`]],
  [
    'iym',
    'INTERVAL YEAR TO MONTH',
    'interval year to month',
    [`INTERVAL '1-2' YEAR TO MONTH`, `INTERVAL '-1-11' YEAR TO MONTH`, `INTERVAL '0' YEAR TO MONTH`, `INTERVAL '178000000-11' YEAR TO MONTH`],
  ],
  [
    'ids',
    'INTERVAL DAY TO SECOND',
    'interval day to second',
    [
      `INTERVAL '1 2:03:04.567891' DAY TO SECOND`,
      `INTERVAL '-3 0:00:00.000001' DAY TO SECOND`,
      `INTERVAL '0' DAY TO SECOND`,
      `INTERVAL '99999 23:59:59.999999' DAY TO SECOND`,
    ],
  ],
  [
    'vb',
    'VARBYTE(70000)',
    'bytea',
    [
      `FROM_HEX('00ff5c0a')`,
      `FROM_HEX('')`,
      `FROM_HEX('00')`,
      `FROM_HEX('5c')`,
      `FROM_HEX('0a')`,
      `FROM_HEX('ff')`,
      `FROM_HEX(REPEAT('00ff5c0a7c0d09', 9362))`,
    ],
  ],
  [
    'j',
    'SUPER',
    'jsonb',
    [
      `JSON_PARSE('null')`,
      `JSON_PARSE('1')`,
      `JSON_PARSE('-1.5e300')`,
      `JSON_PARSE('true')`,
      `JSON_PARSE('"a string"')`,
      `JSON_PARSE('{"a":{"b":[1,2,{"c":null}],"d":"x"},"e":[]}')`,
      `JSON_PARSE('[[],{},[null,"\\u00e9"]]')`,
      `JSON_PARSE('{"q":"say \\"hi\\"","bs":"a\\\\b","tab":"a\\tb","nl":"a\\nb","pipe":"a|b","emoji":"😀","bsn":"\\\\N"}')`,
      `JSON_PARSE('{"big":"' || REPEAT('x|\\\\', 250000) || '"}')`,
    ],
  ],
  [
    'g',
    'GEOMETRY',
    'geometry',
    [
      `ST_GeomFromText('POINT(1 2)')`,
      `ST_GeomFromText('POINT(1 2)', 4326)`,
      `ST_GeomFromText('LINESTRING(0 0,1 1,2 0.5)')`,
      `ST_SetSRID(ST_GeomFromText('POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,2 1,2 2,1 1))'), 3857)`,
      `ST_GeomFromText('POINT EMPTY')`,
      `ST_GeomFromText('GEOMETRYCOLLECTION EMPTY')`,
      `ST_GeomFromText('POINT Z (1 2 3)')`,
      `ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5)))')`,
    ],
  ],
  [
    'gg',
    'GEOGRAPHY',
    'geography',
    [`ST_GeogFromText('POINT(-122.3 47.6)')`, `ST_GeogFromText('LINESTRING(0 0,10 10)')`, `ST_GeogFromText('POLYGON((0 0,1 0,1 1,0 0))')`],
  ],
];

export const ROWS = Math.max(...MATRIX.map(([, , , values]) => values.length));
