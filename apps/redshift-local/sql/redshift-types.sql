-- Redshift's own types and the functions AWS's documentation uses with them, for a SOURCE
-- database behind redshift-local (never a target database: ferry's targets are plain
-- PostgreSQL). Idempotent: every object is created only if missing, or replaced in place.
-- Run by apps/redshift-local/install.sh (psql, one transaction).
--
-- Everything goes into pg_catalog so the names resolve whatever the session's search_path,
-- as Redshift's built-ins do. Each type shares a PostgreSQL type's internals (its C I/O
-- functions), so storage, COPY and the wire formats are PostgreSQL's own.
-- Sources (Amazon Redshift Database Developer Guide): "VARBYTE type", "SUPER type",
-- "HLLSKETCH type", "HyperLogLog functions", "JSON_PARSE function", "JSON_SERIALIZE
-- function", "JSON_SERIALIZE_TO_VARBYTE function", "FROM_HEX function", "TO_HEX function",
-- "TO_VARBYTE function", "FROM_VARBYTE function", "OBJECT function", "GETDATE function",
-- "SYSDATE function". What the pages leave open is marked assumed in the README.

-- GEOMETRY and GEOGRAPHY ("Querying spatial data in Amazon Redshift") are PostGIS's.
CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public;

-- Shell types first: the I/O functions must name them before the types can be defined.
DO $$
BEGIN
  IF to_regtype('pg_catalog.varbyte') IS NULL THEN CREATE TYPE pg_catalog.varbyte; END IF;
  IF to_regtype('pg_catalog.super') IS NULL THEN CREATE TYPE pg_catalog.super; END IF;
  IF to_regtype('pg_catalog.hllsketch') IS NULL THEN CREATE TYPE pg_catalog.hllsketch; END IF;
END $$;

-- ---------------------------------------------------------------------------------------
-- VARBYTE (aliases VARBINARY, BINARY VARYING): bytea's internals. "VARBYTE type": n from
-- 1 to 16,777,216 bytes, default 64,000 (the default is written by the DDL rewrite; a bare
-- varbyte here has no limit). varchar's typmod_in would cap n at 10 MB, so our own.
CREATE OR REPLACE FUNCTION pg_catalog.varbyte_in(cstring) RETURNS pg_catalog.varbyte LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'byteain';
CREATE OR REPLACE FUNCTION pg_catalog.varbyte_out(pg_catalog.varbyte) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'byteaout';
CREATE OR REPLACE FUNCTION pg_catalog.varbyte_recv(internal) RETURNS pg_catalog.varbyte LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'bytearecv';
CREATE OR REPLACE FUNCTION pg_catalog.varbyte_send(pg_catalog.varbyte) RETURNS bytea LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'byteasend';
CREATE OR REPLACE FUNCTION pg_catalog.varbyte_typmod_in(cstring[]) RETURNS integer LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  n bigint;
BEGIN
  IF array_length($1, 1) <> 1 OR $1[1]::text !~ '^[0-9]+$' THEN
    RAISE EXCEPTION 'invalid type modifier for type varbyte' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  n := $1[1]::text::bigint;
  IF n < 1 OR n > 16777216 THEN
    RAISE EXCEPTION 'length for type varbyte must be between 1 and 16777216' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- PostgreSQL's convention for length-limited types (varchar's too): n + 4.
  RETURN n + 4;
END $$;

DO $$
BEGIN
  IF NOT (SELECT typisdefined FROM pg_type WHERE typname = 'varbyte' AND typnamespace = 'pg_catalog'::regnamespace) THEN
    CREATE TYPE pg_catalog.varbyte (
      INPUT = pg_catalog.varbyte_in, OUTPUT = pg_catalog.varbyte_out,
      RECEIVE = pg_catalog.varbyte_recv, SEND = pg_catalog.varbyte_send,
      TYPMOD_IN = pg_catalog.varbyte_typmod_in, TYPMOD_OUT = pg_catalog.varchartypmodout,
      LIKE = bytea);
  END IF;
END $$;

-- ---------------------------------------------------------------------------------------
-- SUPER: jsonb's internals, so jsonb's operators and functions work on it through the
-- implicit cast. Subscripts (c['a'], c[0]) go through jsonb's handler.
CREATE OR REPLACE FUNCTION pg_catalog.super_in(cstring) RETURNS pg_catalog.super LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'jsonb_in';
CREATE OR REPLACE FUNCTION pg_catalog.super_out(pg_catalog.super) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'jsonb_out';
CREATE OR REPLACE FUNCTION pg_catalog.super_recv(internal) RETURNS pg_catalog.super LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'jsonb_recv';
CREATE OR REPLACE FUNCTION pg_catalog.super_send(pg_catalog.super) RETURNS bytea LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'jsonb_send';

DO $$
BEGIN
  IF NOT (SELECT typisdefined FROM pg_type WHERE typname = 'super' AND typnamespace = 'pg_catalog'::regnamespace) THEN
    CREATE TYPE pg_catalog.super (
      INPUT = pg_catalog.super_in, OUTPUT = pg_catalog.super_out,
      RECEIVE = pg_catalog.super_recv, SEND = pg_catalog.super_send,
      SUBSCRIPT = pg_catalog.jsonb_subscript_handler,
      LIKE = jsonb);
  END IF;
END $$;

-- ---------------------------------------------------------------------------------------
-- HLLSKETCH: text's internals; the text is the sketch's documented form ("HLLSKETCH type").
CREATE OR REPLACE FUNCTION pg_catalog.hllsketch_in(cstring) RETURNS pg_catalog.hllsketch LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'textin';
CREATE OR REPLACE FUNCTION pg_catalog.hllsketch_out(pg_catalog.hllsketch) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'textout';
CREATE OR REPLACE FUNCTION pg_catalog.hllsketch_recv(internal) RETURNS pg_catalog.hllsketch LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'textrecv';
CREATE OR REPLACE FUNCTION pg_catalog.hllsketch_send(pg_catalog.hllsketch) RETURNS bytea LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE AS 'textsend';

DO $$
BEGIN
  IF NOT (SELECT typisdefined FROM pg_type WHERE typname = 'hllsketch' AND typnamespace = 'pg_catalog'::regnamespace) THEN
    CREATE TYPE pg_catalog.hllsketch (
      INPUT = pg_catalog.hllsketch_in, OUTPUT = pg_catalog.hllsketch_out,
      RECEIVE = pg_catalog.hllsketch_recv, SEND = pg_catalog.hllsketch_send,
      LIKE = text, COLLATABLE = true);
  END IF;
  -- Collatable like text: ANALYZE compares the values with text's operators, which need a
  -- collation (installs before this line was added are fixed in place).
  UPDATE pg_type SET typcollation = 100 WHERE typname = 'hllsketch' AND typnamespace = 'pg_catalog'::regnamespace AND typcollation = 0;
END $$;

-- ---------------------------------------------------------------------------------------
-- Casts. Binary-coercible ones (WITHOUT FUNCTION) cost nothing: the bytes are the same.
-- CREATE CAST has no IF NOT EXISTS: this session-local helper makes it idempotent.
CREATE FUNCTION pg_temp.ensure_cast(source regtype, target regtype, func text, context text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_cast WHERE castsource = source AND casttarget = target) THEN
    EXECUTE format('CREATE CAST (%s AS %s) %s %s', source, target,
      CASE WHEN func IS NULL THEN 'WITHOUT FUNCTION' ELSE 'WITH FUNCTION ' || func END,
      CASE context WHEN 'EXPLICIT' THEN '' ELSE 'AS ' || context END);
  END IF;
END $$;

-- A plain jsonb column stands for SUPER (its result description says 4000), so SUPER's
-- functions must take it: jsonb converts to super implicitly (recreated, as earlier installs
-- made it an assignment cast).
DROP CAST IF EXISTS (jsonb AS pg_catalog.super);
SELECT pg_temp.ensure_cast(source, target, NULL, context) FROM (VALUES
  ('pg_catalog.varbyte'::regtype, 'bytea'::regtype, 'IMPLICIT'),
  ('bytea', 'pg_catalog.varbyte', 'ASSIGNMENT'),
  ('pg_catalog.super', 'jsonb', 'IMPLICIT'),
  ('jsonb', 'pg_catalog.super', 'IMPLICIT'),
  ('pg_catalog.hllsketch', 'text', 'IMPLICIT'),
  ('text', 'pg_catalog.hllsketch', 'ASSIGNMENT')
) AS t(source, target, context);

-- Assigning to varbyte(n): Redshift refuses a value longer than n bytes.
CREATE OR REPLACE FUNCTION pg_catalog.varbyte(pg_catalog.varbyte, integer, boolean) RETURNS pg_catalog.varbyte LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
  IF $2 >= 4 AND octet_length($1) > $2 - 4 THEN
    RAISE EXCEPTION 'value too long for type varbyte(%)', $2 - 4 USING ERRCODE = 'string_data_right_truncation';
  END IF;
  RETURN $1;
END $$;

-- "VARBYTE type": casts from CHAR/VARCHAR take the UTF-8 bytes (CHAR keeps its padding, as
-- the page's char(10) example shows), from SMALLINT/INTEGER/BIGINT their 2/4/8 bytes.
CREATE OR REPLACE FUNCTION pg_catalog.varbyte(text) RETURNS pg_catalog.varbyte LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT convert_to($1, 'UTF8')::pg_catalog.varbyte $$;
CREATE OR REPLACE FUNCTION pg_catalog.varbyte(character) RETURNS pg_catalog.varbyte LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT convert_to(textin(bpcharout($1)), 'UTF8')::pg_catalog.varbyte $$;
CREATE OR REPLACE FUNCTION pg_catalog.varbyte(smallint) RETURNS pg_catalog.varbyte LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT int2send($1)::pg_catalog.varbyte $$;
CREATE OR REPLACE FUNCTION pg_catalog.varbyte(integer) RETURNS pg_catalog.varbyte LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT int4send($1)::pg_catalog.varbyte $$;
CREATE OR REPLACE FUNCTION pg_catalog.varbyte(bigint) RETURNS pg_catalog.varbyte LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT int8send($1)::pg_catalog.varbyte $$;
CREATE OR REPLACE FUNCTION pg_catalog.varbyte_to_varchar(pg_catalog.varbyte) RETURNS varchar LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT convert_from($1, 'UTF8')::varchar $$;

-- A cast to json lets jsonb_build_object (behind OBJECT) nest a super value as JSON rather
-- than as a string: for types it does not know, it looks for exactly this cast.
CREATE OR REPLACE FUNCTION pg_catalog.super_to_json(pg_catalog.super) RETURNS json LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1::jsonb::json $$;

SELECT pg_temp.ensure_cast(source, target, func, context) FROM (VALUES
  ('pg_catalog.varbyte'::regtype, 'pg_catalog.varbyte'::regtype, 'pg_catalog.varbyte(pg_catalog.varbyte, integer, boolean)', 'IMPLICIT'),
  ('text', 'pg_catalog.varbyte', 'pg_catalog.varbyte(text)', 'EXPLICIT'),
  ('varchar', 'pg_catalog.varbyte', 'pg_catalog.varbyte(text)', 'EXPLICIT'),
  ('character', 'pg_catalog.varbyte', 'pg_catalog.varbyte(character)', 'EXPLICIT'),
  ('smallint', 'pg_catalog.varbyte', 'pg_catalog.varbyte(smallint)', 'EXPLICIT'),
  ('integer', 'pg_catalog.varbyte', 'pg_catalog.varbyte(integer)', 'EXPLICIT'),
  ('bigint', 'pg_catalog.varbyte', 'pg_catalog.varbyte(bigint)', 'EXPLICIT'),
  ('pg_catalog.varbyte', 'varchar', 'pg_catalog.varbyte_to_varchar(pg_catalog.varbyte)', 'EXPLICIT'),
  ('pg_catalog.super', 'json', 'pg_catalog.super_to_json(pg_catalog.super)', 'EXPLICIT')
) AS t(source, target, func, context);

-- ---------------------------------------------------------------------------------------
-- SUPER constructors ("JSON_PARSE function", "JSON_SERIALIZE function",
-- "JSON_SERIALIZE_TO_VARBYTE function", "OBJECT function").
CREATE OR REPLACE FUNCTION pg_catalog.json_parse(text) RETURNS pg_catalog.super LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1::jsonb::pg_catalog.super $$;
CREATE OR REPLACE FUNCTION pg_catalog.json_serialize(pg_catalog.super) RETURNS varchar LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1::jsonb::text::varchar $$;
CREATE OR REPLACE FUNCTION pg_catalog.json_serialize_to_varbyte(pg_catalog.super) RETURNS pg_catalog.varbyte LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT convert_to($1::jsonb::text, 'UTF8')::pg_catalog.varbyte $$;
-- jsonb_build_object's C functions take any arguments (VARIADIC "any"), which no SQL or
-- PL/pgSQL function can: so OBJECT is that C function under Redshift's name.
CREATE OR REPLACE FUNCTION pg_catalog.object() RETURNS pg_catalog.super LANGUAGE internal STABLE PARALLEL SAFE AS 'jsonb_build_object_noargs';
CREATE OR REPLACE FUNCTION pg_catalog.object(VARIADIC "any") RETURNS pg_catalog.super LANGUAGE internal STABLE PARALLEL SAFE AS 'jsonb_build_object';

-- ---------------------------------------------------------------------------------------
-- VARBYTE functions ("FROM_HEX function", "TO_HEX function", "TO_VARBYTE function",
-- "FROM_VARBYTE function"). Declared on bytea, which varbyte casts to implicitly: a plain
-- bytea column stands for VARBYTE in redshift-local too.
CREATE OR REPLACE FUNCTION pg_catalog.from_hex(text) RETURNS pg_catalog.varbyte LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT decode($1, 'hex')::pg_catalog.varbyte $$;
CREATE OR REPLACE FUNCTION pg_catalog.to_hex(bytea) RETURNS varchar LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT encode($1, 'hex')::varchar $$;
CREATE OR REPLACE FUNCTION pg_catalog.to_varbyte(text, text) RETURNS pg_catalog.varbyte LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  bits text;
BEGIN
  CASE lower($2)
    WHEN 'hex' THEN RETURN decode($1, 'hex');
    WHEN 'utf8', 'utf-8', 'utf_8' THEN RETURN convert_to($1, 'UTF8');
    WHEN 'base64' THEN RETURN decode($1, 'base64');
    WHEN 'binary' THEN
      IF $1 !~ '^[01]*$' THEN RAISE EXCEPTION 'invalid binary string: %', $1 USING ERRCODE = 'invalid_text_representation'; END IF;
      -- Whole bytes: a short leading group is zero-padded on the left (assumed).
      bits := lpad($1, ((length($1) + 7) / 8) * 8, '0');
      RETURN (SELECT coalesce(decode(string_agg(lpad(to_hex(substr(bits, i, 8)::bit(8)::integer), 2, '0'), '' ORDER BY i), 'hex'), '\x'::bytea)
              FROM generate_series(1, length(bits), 8) AS i);
    ELSE RAISE EXCEPTION 'unsupported format for TO_VARBYTE: %', $2 USING ERRCODE = 'invalid_parameter_value';
  END CASE;
END $$;
CREATE OR REPLACE FUNCTION pg_catalog.from_varbyte(bytea, text) RETURNS varchar LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
  CASE lower($2)
    WHEN 'hex' THEN RETURN encode($1, 'hex');
    WHEN 'utf8', 'utf-8', 'utf_8' THEN RETURN convert_from($1, 'UTF8');
    -- PostgreSQL's base64 breaks lines every 76 characters; Redshift's is one line.
    WHEN 'base64' THEN RETURN replace(encode($1, 'base64'), E'\n', '');
    WHEN 'binary' THEN
      RETURN (SELECT coalesce(string_agg(get_byte($1, i)::bit(8)::text, '' ORDER BY i), '') FROM generate_series(0, length($1) - 1) AS i);
    ELSE RAISE EXCEPTION 'unsupported format for FROM_VARBYTE: %', $2 USING ERRCODE = 'invalid_parameter_value';
  END CASE;
END $$;

-- ---------------------------------------------------------------------------------------
-- Date/time ("GETDATE function": the statement's start, to the second, as TIMESTAMP in the
-- session time zone; "SYSDATE function": the transaction's start). SYSDATE is a bare
-- keyword in Redshift: the proxy rewrites it into a call of this function.
-- STRTOL(num_string, base) → BIGINT (AWS "STRTOL function"). Hexadecimal, what ferry's
-- checksums use, without a per-character loop; other bases digit by digit.
CREATE OR REPLACE FUNCTION pg_catalog.strtol_digits(s text, base integer) RETURNS bigint LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE n numeric := 0; d integer; c text; t text := lower(btrim(s)); neg boolean := false;
BEGIN
  IF left(t, 1) IN ('-', '+') THEN neg := left(t, 1) = '-'; t := substr(t, 2); END IF;
  FOREACH c IN ARRAY regexp_split_to_array(t, '') LOOP
    d := strpos('0123456789abcdefghijklmnopqrstuvwxyz', c) - 1;
    IF d < 0 OR d >= base THEN RAISE EXCEPTION 'invalid digit % for base %', c, base USING ERRCODE = '22P02'; END IF;
    n := n * base + d;
  END LOOP;
  RETURN (CASE WHEN neg THEN -n ELSE n END)::bigint;
END $$;
CREATE OR REPLACE FUNCTION pg_catalog.strtol(text, integer) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN $2 = 16 AND length($1) <= 15 AND left($1, 1) NOT IN ('-', '+') THEN ('x' || lpad($1, 16, '0'))::bit(64)::bigint ELSE pg_catalog.strtol_digits($1, $2) END
$$;

CREATE OR REPLACE FUNCTION pg_catalog.getdate() RETURNS timestamp LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT date_trunc('second', statement_timestamp()::timestamp) $$;
CREATE OR REPLACE FUNCTION pg_catalog.sysdate() RETURNS timestamp LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT transaction_timestamp()::timestamp $$;

-- ---------------------------------------------------------------------------------------
-- HyperLogLog ("HyperLogLog sketches", "HLLSKETCH type", "HLL_CREATE_SKETCH function",
-- "HLL_CARDINALITY function", "HLL function"). logm 15: 32768 registers. Redshift's hash is
-- not documented (assumed: PostgreSQL's hashtextextended of the value's text, register =
-- its low 15 bits, rank = leading zeros of the other 49 + 1).
-- The aggregates collect the values with array_append (C, appending in place) and build
-- the registers once at the end: a PL/pgSQL transition function would copy a 32768-register
-- state for every row (100,000 rows took 18 s).
CREATE OR REPLACE FUNCTION pg_catalog.hll_registers(anyarray) RETURNS TABLE (register integer, rank integer) LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT (h & 32767)::integer, max(coalesce(nullif(position('1' IN substr(h::bit(64)::text, 1, 49)), 0), 50))
  FROM (SELECT hashtextextended(v::text, 0) AS h FROM unnest($1) AS v WHERE v IS NOT NULL) AS hashed
  GROUP BY 1
$$;

-- Sparse JSON while at most 4096 registers are set, dense Base64 beyond (threshold assumed).
-- Dense: a 4-byte header (version 1, logm 15, two zero bytes) and the 32768 registers at 6
-- bits each, which is the 24,580 bytes the HLLSKETCH page gives as the maximum (layout assumed).
CREATE OR REPLACE FUNCTION pg_catalog.hll_sketch_final(anycompatiblearray) RETURNS pg_catalog.hllsketch LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  registers integer[];
  ranks integer[];
  dense integer[];
BEGIN
  SELECT array_agg(r.register ORDER BY r.register), array_agg(r.rank ORDER BY r.register)
    INTO registers, ranks FROM pg_catalog.hll_registers(coalesce($1, '{}')) AS r;
  IF coalesce(cardinality(registers), 0) <= 4096 THEN
    RETURN ('{"version":1,"logm":15,"sparse":{"indices":[' || coalesce(array_to_string(registers, ','), '')
           || '],"values":[' || coalesce(array_to_string(ranks, ','), '') || ']}}')::pg_catalog.hllsketch;
  END IF;
  SELECT array_agg(coalesce(r.rank, 0) ORDER BY i) INTO dense
    FROM generate_series(0, 32767) AS i LEFT JOIN unnest(registers, ranks) AS r(register, rank) ON r.register = i;
  RETURN (SELECT replace(encode('\x010f0000'::bytea || decode(string_agg(lpad(to_hex(
             (dense[4 * k + 1] << 18) | (dense[4 * k + 2] << 12) | (dense[4 * k + 3] << 6) | dense[4 * k + 4]),
             6, '0'), '' ORDER BY k), 'hex'), 'base64'), E'\n', '')
          FROM generate_series(0, 8191) AS k)::pg_catalog.hllsketch;
END $$;

-- The standard HyperLogLog estimate with linear counting for small cardinalities.
CREATE OR REPLACE FUNCTION pg_catalog.hll_cardinality(pg_catalog.hllsketch) RETURNS bigint LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  sketch text := $1::text;
  registers integer[];
  m integer := 32768;
  raw bytea;
  zeros integer;
  total float8;
  estimate float8;
BEGIN
  IF left(ltrim(sketch), 1) = '{' THEN
    m := 1 << coalesce((sketch::jsonb ->> 'logm')::integer, 15);
    SELECT array_agg(v::integer) INTO registers FROM jsonb_array_elements_text(sketch::jsonb -> 'sparse' -> 'values') AS v WHERE v::integer > 0;
  ELSE
    raw := decode(sketch, 'base64');
    SELECT array_agg(r) INTO registers FROM (
      SELECT (((get_byte(raw, 4 + 3 * k) << 16) | (get_byte(raw, 5 + 3 * k) << 8) | get_byte(raw, 6 + 3 * k)) >> (18 - 6 * p)) & 63 AS r
      FROM generate_series(0, 8191) AS k, generate_series(0, 3) AS p) AS unpacked
    WHERE r > 0;
  END IF;
  registers := coalesce(registers, '{}');
  zeros := m - cardinality(registers);
  total := zeros + coalesce((SELECT sum(power(2::float8, -r)) FROM unnest(registers) AS r), 0);
  estimate := (0.7213 / (1 + 1.079 / m)) * m * m / total;
  IF estimate <= 2.5 * m AND zeros > 0 THEN estimate := m * ln(m::float8 / zeros); END IF;
  RETURN round(estimate)::bigint;
END $$;

CREATE OR REPLACE FUNCTION pg_catalog.hll_final(anycompatiblearray) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT pg_catalog.hll_cardinality(pg_catalog.hll_sketch_final($1)) $$;

CREATE OR REPLACE AGGREGATE pg_catalog.hll_create_sketch(anycompatible) (SFUNC = array_append, STYPE = anycompatiblearray, FINALFUNC = pg_catalog.hll_sketch_final);
CREATE OR REPLACE AGGREGATE pg_catalog.hll(anycompatible) (SFUNC = array_append, STYPE = anycompatiblearray, FINALFUNC = pg_catalog.hll_final);

-- ---------------------------------------------------------------------------------------
-- What Redshift's CREATE TABLE records that PostgreSQL's catalog has no place for: dist and
-- sort keys, encodings, IDENTITY seeds, and the informational constraints ("Defining table
-- constraints": PRIMARY KEY, UNIQUE and REFERENCES are not enforced, so they cannot be
-- PostgreSQL constraints). Written by the proxy after each CREATE TABLE / ALTER TABLE ADD
-- COLUMN (src/ddl), keyed by the table's OID so renames follow; drops clean up (trigger below).
CREATE SCHEMA IF NOT EXISTS redshift_local;
CREATE TABLE IF NOT EXISTS redshift_local.tables (
  table_oid oid PRIMARY KEY, diststyle text, distkey text, sortkey_type text, sortkey text[], backup boolean, encode_auto boolean);
CREATE TABLE IF NOT EXISTS redshift_local.columns (
  table_oid oid, attnum smallint, encoding text, distkey boolean, sortkey boolean, collation_name text, identity_seed text, identity_step text,
  PRIMARY KEY (table_oid, attnum));
CREATE TABLE IF NOT EXISTS redshift_local.constraints (
  table_oid oid, position integer, name text, contype "char", columns text[], ref_table text, ref_columns text[], PRIMARY KEY (table_oid, position));

-- Redshift keeps a TIMETZ in UTC ("Datetime types", TIMETZ: values are stored in UTC; a
-- value given with another offset is converted), so anything reading it back — a SELECT, a
-- CAST to VARCHAR, UNLOAD — sees `+00`. PostgreSQL keeps the offset it was given: each table
-- with TIMETZ columns gets a trigger that converts them to UTC as rows are written (INSERT,
-- UPDATE, COPY), made by record() below after its CREATE TABLE. Not covered (assumed rare in
-- tests): TIMETZ columns added later by ALTER TABLE, and CREATE TABLE AS.
CREATE OR REPLACE FUNCTION redshift_local.timetz_in_utc() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  col text;
  v timetz;
  patch jsonb := '{}';
BEGIN
  FOREACH col IN ARRAY TG_ARGV LOOP
    EXECUTE format('SELECT ($1).%I', col) USING NEW INTO v;
    IF v IS NOT NULL THEN patch := patch || jsonb_build_object(col, (v AT TIME ZONE 'UTC')::text); END IF;
  END LOOP;
  RETURN jsonb_populate_record(NEW, patch);
END $$;

CREATE OR REPLACE FUNCTION redshift_local.keep_timetz_in_utc(t regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  cols text;
BEGIN
  SELECT string_agg(quote_literal(attname), ', ' ORDER BY attnum) INTO cols
    FROM pg_attribute WHERE attrelid = t AND atttypid = 'timetz'::regtype AND attnum > 0 AND NOT attisdropped;
  EXECUTE format('DROP TRIGGER IF EXISTS redshift_local_timetz_in_utc ON %s', t);
  IF cols IS NOT NULL THEN
    EXECUTE format('CREATE TRIGGER redshift_local_timetz_in_utc BEFORE INSERT OR UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION redshift_local.timetz_in_utc(%s)', t, cols);
  END IF;
END $$;

CREATE OR REPLACE FUNCTION redshift_local.record(t regclass, m jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  c jsonb;
  k jsonb;
  n integer;
BEGIN
  IF (m ->> 'create')::boolean THEN
    DELETE FROM redshift_local.tables WHERE table_oid = t;
    DELETE FROM redshift_local.columns WHERE table_oid = t;
    DELETE FROM redshift_local.constraints WHERE table_oid = t;
    INSERT INTO redshift_local.tables VALUES (t, upper(m ->> 'diststyle'), m ->> 'distkey', upper(m ->> 'sortkeyType'),
      (SELECT array_agg(x) FROM jsonb_array_elements_text(m -> 'sortkey') AS x), (m ->> 'backup')::boolean, (m ->> 'encodeAuto')::boolean);
    PERFORM redshift_local.keep_timetz_in_utc(t);
  END IF;
  FOR c IN SELECT * FROM jsonb_array_elements(m -> 'columns') LOOP
    INSERT INTO redshift_local.columns
      SELECT t, a.attnum, c ->> 'encoding', (c ->> 'distkey')::boolean, (c ->> 'sortkey')::boolean, c ->> 'collation', c -> 'identity' ->> 0, c -> 'identity' ->> 1
      FROM pg_attribute a WHERE a.attrelid = t AND a.attname = c ->> 'name'
    ON CONFLICT (table_oid, attnum) DO UPDATE SET encoding = excluded.encoding, distkey = excluded.distkey, sortkey = excluded.sortkey,
      collation_name = excluded.collation_name, identity_seed = excluded.identity_seed, identity_step = excluded.identity_step;
  END LOOP;
  SELECT count(*) INTO n FROM redshift_local.constraints WHERE table_oid = t;
  FOR k IN SELECT * FROM jsonb_array_elements(m -> 'constraints') LOOP
    n := n + 1;
    INSERT INTO redshift_local.constraints VALUES (t, n, k ->> 'name', k ->> 'type',
      (SELECT array_agg(x) FROM jsonb_array_elements_text(k -> 'columns') AS x), k ->> 'refTable',
      (SELECT array_agg(x) FROM jsonb_array_elements_text(k -> 'refColumns') AS x));
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION redshift_local.forget_dropped() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM redshift_local.tables WHERE table_oid IN (SELECT objid FROM pg_event_trigger_dropped_objects() WHERE classid = 'pg_class'::regclass AND objsubid = 0);
  DELETE FROM redshift_local.constraints WHERE table_oid IN (SELECT objid FROM pg_event_trigger_dropped_objects() WHERE classid = 'pg_class'::regclass AND objsubid = 0);
  DELETE FROM redshift_local.columns c USING pg_event_trigger_dropped_objects() d
    WHERE d.classid = 'pg_class'::regclass AND c.table_oid = d.objid AND (d.objsubid = 0 OR d.objsubid = c.attnum);
END $$;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'redshift_local_forget_dropped') THEN
    CREATE EVENT TRIGGER redshift_local_forget_dropped ON sql_drop EXECUTE FUNCTION redshift_local.forget_dropped();
  END IF;
END $$;

-- ---------------------------------------------------------------------------------------
-- Redshift's catalog as a migration tool reads it. Type names in Redshift's spelling
-- (format_type's, with bytea/varbyte as binary varying, jsonb as super, and the interval
-- ranges named).
CREATE OR REPLACE FUNCTION redshift_local.type_name(typid oid, typmod integer) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN typid IN ('bytea'::regtype, 'pg_catalog.varbyte'::regtype) THEN 'binary varying'
    WHEN typid IN ('jsonb'::regtype, 'pg_catalog.super'::regtype) THEN 'super'
    WHEN typid = 'interval'::regtype AND typmod <> -1 AND (typmod >> 16) & 32767 = 6 THEN 'interval year to month'
    WHEN typid = 'interval'::regtype AND typmod <> -1 AND (typmod >> 16) & 32767 = 7176 THEN 'interval day to second'
    ELSE format_type(typid, NULL)
  END
$$;

-- Views in pg_catalog, like Redshift's, resolve whatever the search_path: PostgreSQL lets a
-- superuser create relations there only with allow_system_table_mods, for this transaction.
SET LOCAL allow_system_table_mods = on;

-- "SVV_COLUMNS": local tables and views (Redshift adds external/late-binding ones).
CREATE OR REPLACE VIEW pg_catalog.svv_columns AS
SELECT current_database()::varchar(128) AS table_catalog, n.nspname::varchar(128) AS table_schema, c.relname::varchar(128) AS table_name,
  a.attname::varchar(128) AS column_name, a.attnum::integer AS ordinal_position,
  (CASE
     WHEN a.attidentity <> '' THEN format('"identity"(%s, %s, %L::text)', c.oid, a.attnum - 1,
       coalesce(rc.identity_seed || ',' || rc.identity_step, (SELECT s.seqstart || ',' || s.seqincrement FROM pg_sequence s WHERE s.seqrelid = pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname)::regclass)))
     ELSE pg_get_expr(d.adbin, d.adrelid)
   END)::varchar(4000) AS column_default,
  (CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END)::varchar(3) AS is_nullable,
  redshift_local.type_name(a.atttypid, a.atttypmod)::varchar(128) AS data_type,
  (CASE WHEN a.atttypid IN ('varchar'::regtype, 'bpchar'::regtype, 'pg_catalog.varbyte'::regtype) AND a.atttypmod > 4 THEN a.atttypmod - 4 END)::integer AS character_maximum_length,
  (CASE a.atttypid WHEN 'int2'::regtype THEN 16 WHEN 'int4'::regtype THEN 32 WHEN 'int8'::regtype THEN 64 WHEN 'float4'::regtype THEN 24 WHEN 'float8'::regtype THEN 53
     WHEN 'numeric'::regtype THEN CASE WHEN a.atttypmod > 4 THEN ((a.atttypmod - 4) >> 16) & 65535 END END)::integer AS numeric_precision,
  (CASE WHEN a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'float4'::regtype, 'float8'::regtype) THEN 2
        WHEN a.atttypid = 'numeric'::regtype THEN 10 END)::integer AS numeric_precision_radix,
  (CASE WHEN a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype) THEN 0
        WHEN a.atttypid = 'numeric'::regtype AND a.atttypmod > 4 THEN (a.atttypmod - 4) & 65535 END)::integer AS numeric_scale,
  (CASE WHEN a.atttypid IN ('timestamp'::regtype, 'timestamptz'::regtype, 'time'::regtype, 'timetz'::regtype) THEN 6 END)::integer AS datetime_precision,
  (CASE WHEN a.atttypid = 'interval'::regtype THEN upper(substr(redshift_local.type_name(a.atttypid, a.atttypmod), 10)) END)::varchar(128) AS interval_type,
  NULL::integer AS interval_precision,
  NULL::varchar(128) AS character_set_catalog, NULL::varchar(128) AS character_set_schema, NULL::varchar(128) AS character_set_name,
  NULL::varchar(128) AS collation_catalog, NULL::varchar(128) AS collation_schema, upper(rc.collation_name)::varchar(128) AS collation_name,
  NULL::varchar(128) AS domain_name, col_description(c.oid, a.attnum)::varchar(256) AS remarks
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
LEFT JOIN redshift_local.columns rc ON rc.table_oid = c.oid AND rc.attnum = a.attnum
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'redshift_local') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
  AND has_table_privilege(c.oid, 'SELECT');

-- "PG_TABLE_DEF": only tables whose schema is in the search_path (AWS: "PG_TABLE_DEF only
-- returns information about tables that are visible to the user", i.e. pg_table_is_visible).
CREATE OR REPLACE VIEW pg_catalog.pg_table_def AS
SELECT n.nspname AS schemaname, c.relname AS tablename, a.attname AS "column", format_type(a.atttypid, a.atttypmod) AS type,
  coalesce(rc.encoding, 'none')::char(32) AS encoding,
  coalesce(rc.distkey, false) OR coalesce(rt.distkey = a.attname, false) AS distkey,
  coalesce(array_position(rt.sortkey, a.attname::text) * CASE WHEN rt.sortkey_type = 'INTERLEAVED' THEN -1 ELSE 1 END,
           CASE WHEN rc.sortkey THEN 1 END, 0)::integer AS sortkey,
  a.attnotnull AS notnull
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN redshift_local.tables rt ON rt.table_oid = c.oid
LEFT JOIN redshift_local.columns rc ON rc.table_oid = c.oid AND rc.attnum = a.attnum
WHERE c.relkind IN ('r', 'p') AND pg_table_is_visible(c.oid)
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'redshift_local');

-- "SVV_TABLE_INFO": the columns a migration reads (no skew/stats/unsorted: no slices here).
-- tbl_rows is the planner's estimate (reltuples), exact after ANALYZE; size in 1 MB blocks.
-- AWS: tbl_rows is the table's total rows (deleted ones not yet vacuumed included). PostgreSQL's
-- reltuples is only an estimate until ANALYZE, so the emulation counts, exactly (*assumed*:
-- Redshift's count of not-yet-vacuumed deleted rows is not reproduced).
CREATE OR REPLACE FUNCTION redshift_local.row_count(t oid) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE n bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM %s', t::regclass) INTO n;
  RETURN n;
END $$;

CREATE OR REPLACE VIEW pg_catalog.svv_table_info AS
SELECT current_database()::text AS database, n.nspname::text AS schema, c.oid AS table_id, c.relname::text AS "table",
  (CASE WHEN rt.encode_auto OR EXISTS (SELECT 1 FROM redshift_local.columns x WHERE x.table_oid = c.oid AND x.encoding IS NOT NULL AND x.encoding <> 'raw') THEN 'Y' ELSE 'N' END)::text AS encoded,
  (CASE coalesce(rt.diststyle, 'AUTO')
     WHEN 'KEY' THEN 'KEY(' || coalesce(rt.distkey, (SELECT a.attname FROM redshift_local.columns x JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = x.attnum WHERE x.table_oid = c.oid AND x.distkey LIMIT 1)) || ')'
     WHEN 'AUTO' THEN 'AUTO(EVEN)'
     ELSE rt.diststyle END)::text AS diststyle,
  (CASE WHEN rt.sortkey_type = 'AUTO' THEN 'AUTO(SORTKEY)'
        WHEN rt.sortkey_type = 'INTERLEAVED' THEN 'INTERLEAVED'
        ELSE coalesce(rt.sortkey[1], (SELECT a.attname FROM redshift_local.columns x JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = x.attnum WHERE x.table_oid = c.oid AND x.sortkey LIMIT 1)) END)::text AS sortkey1,
  coalesce(cardinality(rt.sortkey), (SELECT count(*)::integer FROM redshift_local.columns x WHERE x.table_oid = c.oid AND x.sortkey), 0) AS sortkey_num,
  ceil(pg_total_relation_size(c.oid) / 1048576.0)::bigint AS size,
  redshift_local.row_count(c.oid)::numeric(38, 0) AS tbl_rows
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN redshift_local.tables rt ON rt.table_oid = c.oid
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'redshift_local') AND n.nspname NOT LIKE 'pg_toast%'
  -- AWS: "The SVV_TABLE_INFO view doesn't return any information for empty tables."
  AND redshift_local.row_count(c.oid) > 0;

RESET allow_system_table_mods;

-- Informational constraints (PRIMARY KEY, UNIQUE, FOREIGN KEY) as declared: redshift-local's
-- own relation. Redshift lists them in pg_constraint; PostgreSQL's pg_constraint can only hold
-- enforced ones.
CREATE OR REPLACE VIEW redshift_local.table_constraints AS
SELECT n.nspname AS schemaname, c.relname AS tablename, k.name AS constraint_name,
  CASE k.contype WHEN 'p' THEN 'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE' ELSE 'FOREIGN KEY' END AS constraint_type,
  k.columns, k.ref_table, k.ref_columns, k.position
FROM redshift_local.constraints k JOIN pg_class c ON c.oid = k.table_oid JOIN pg_namespace n ON n.oid = c.relnamespace;
GRANT USAGE ON SCHEMA redshift_local TO PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA redshift_local TO PUBLIC;

-- Redshift's pg_constraint lists the informational constraints ("Defining table constraints");
-- PostgreSQL's can hold only enforced ones. The proxy points the client's pg_constraint at
-- this view (src/sql/pg-constraint.ts): PostgreSQL's rows plus the recorded ones, named as
-- PostgreSQL would name them unless the DDL did. conbin is dropped (pg_node_tree values
-- cannot be produced by a query); oid 0 marks a recorded constraint.
CREATE OR REPLACE VIEW redshift_local.pg_constraint AS
SELECT oid, conname, connamespace, contype, condeferrable, condeferred, convalidated, conrelid, contypid, conindid, conparentid, confrelid,
  confupdtype, confdeltype, confmatchtype, conislocal, coninhcount, connoinherit, conkey, confkey, conpfeqop, conppeqop, conffeqop,
  confdelsetcols, conexclop
FROM pg_catalog.pg_constraint
UNION ALL
SELECT 0::oid, coalesce(k.name, c.relname || CASE k.contype WHEN 'p' THEN '_pkey' WHEN 'u' THEN '_' || array_to_string(k.columns, '_') || '_key' ELSE '_' || array_to_string(k.columns, '_') || '_fkey' END)::name,
  c.relnamespace, k.contype, false, false, true, c.oid, 0::oid, 0::oid, 0::oid,
  coalesce(to_regclass(k.ref_table)::oid, 0::oid), CASE WHEN k.contype = 'f' THEN 'a' ELSE ' ' END::"char", CASE WHEN k.contype = 'f' THEN 'a' ELSE ' ' END::"char",
  CASE WHEN k.contype = 'f' THEN 's' ELSE ' ' END::"char", true, 0, true,
  ARRAY(SELECT a.attnum FROM unnest(k.columns) WITH ORDINALITY AS u(name, i) JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = u.name ORDER BY u.i),
  CASE WHEN k.contype = 'f' THEN ARRAY(SELECT a.attnum FROM unnest(k.ref_columns) WITH ORDINALITY AS u(name, i) JOIN pg_attribute a ON a.attrelid = to_regclass(k.ref_table) AND a.attname = u.name ORDER BY u.i) END,
  NULL::oid[], NULL::oid[], NULL::oid[], NULL::smallint[], NULL::oid[]
FROM redshift_local.constraints k JOIN pg_class c ON c.oid = k.table_oid;

-- "SVV_TABLES": tables and views the user may see.
SET LOCAL allow_system_table_mods = on;
CREATE OR REPLACE VIEW pg_catalog.svv_tables AS
SELECT current_database()::varchar(128) AS table_catalog, n.nspname::varchar(128) AS table_schema, c.relname::varchar(128) AS table_name,
  (CASE WHEN c.relkind IN ('v', 'm') THEN 'VIEW' ELSE 'BASE TABLE' END)::varchar(128) AS table_type, obj_description(c.oid, 'pg_class')::varchar(512) AS remarks
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'redshift_local')
  AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%' AND has_table_privilege(c.oid, 'SELECT');
RESET allow_system_table_mods;

-- "SYS_UNLOAD_HISTORY": one row per UNLOAD, running and finished, with the columns AWS lists.
-- redshift-local writes it on a connection of its own (src/unload/history.ts), so it is not part
-- of the client's transaction. transaction_id stays NULL (*assumed*: nothing reads it here).
-- "Superusers can see all rows; regular users can see only their own data."
CREATE TABLE IF NOT EXISTS redshift_local.unload_history (
  query_id bigserial PRIMARY KEY, user_id integer, transaction_id bigint, session_id integer, database_name text, status text,
  start_time timestamp, end_time timestamp, duration bigint, file_format text, compression_type text, unloaded_location text,
  unloaded_rows bigint, unloaded_files_count bigint, unloaded_files_size bigint, error_message text);
GRANT INSERT, UPDATE ON redshift_local.unload_history TO PUBLIC;
GRANT USAGE ON SEQUENCE redshift_local.unload_history_query_id_seq TO PUBLIC;
SET LOCAL allow_system_table_mods = on;
CREATE OR REPLACE VIEW pg_catalog.sys_unload_history AS
SELECT user_id, query_id, transaction_id, session_id, database_name, status, start_time, end_time, duration, file_format, compression_type,
  unloaded_location, unloaded_rows, unloaded_files_count, unloaded_files_size, error_message
FROM redshift_local.unload_history
WHERE (SELECT usesuper FROM pg_user WHERE usename = current_user) OR user_id = (SELECT usesysid FROM pg_user WHERE usename = current_user);
RESET allow_system_table_mods;
GRANT SELECT ON pg_catalog.sys_unload_history TO PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA redshift_local TO PUBLIC;
