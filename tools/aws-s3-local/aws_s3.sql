-- A local stand-in of RDS's aws_s3 / aws_commons extensions, for LOCAL DATABASES ONLY:
-- tools/aws-s3-local/install.sh runs this file in one transaction. Same schemas, types,
-- signatures and return text as on RDS; objects come from the S3 endpoint in the
-- database setting aws_s3.endpoint_url (MinIO locally). See README.md beside this file.

-- Dropping the schemas would drop a real extension's objects: refuse that database.
DO $$ BEGIN
  IF EXISTS (SELECT FROM pg_extension WHERE extname IN ('aws_s3', 'aws_commons')) THEN
    RAISE EXCEPTION 'this database has the real aws_s3 extension; the local stand-in is for local databases only';
  END IF;
END $$;

CREATE EXTENSION IF NOT EXISTS plpython3u;
-- Reinstalling recreates everything, so a changed definition always replaces the old one.
DROP SCHEMA IF EXISTS aws_s3 CASCADE;
DROP SCHEMA IF EXISTS aws_commons CASCADE;
CREATE SCHEMA aws_commons;
CREATE SCHEMA aws_s3;

CREATE TYPE aws_commons._s3_uri_1 AS (bucket text, file_path text, region text);
CREATE TYPE aws_commons._aws_credentials_1 AS (access_key text, secret_key text, session_token text);

CREATE FUNCTION aws_commons.create_s3_uri(bucket text, file_path text, region text)
RETURNS aws_commons._s3_uri_1 LANGUAGE sql IMMUTABLE
AS $$ SELECT ROW(bucket, file_path, region)::aws_commons._s3_uri_1 $$;

CREATE FUNCTION aws_commons.create_aws_credentials(access_key text, secret_key text, session_token text)
RETURNS aws_commons._aws_credentials_1 LANGUAGE sql IMMUTABLE
AS $$ SELECT ROW(access_key, secret_key, session_token)::aws_commons._aws_credentials_1 $$;

-- Checks the object as RDS does, with a ranged GET on a pre-signed URL whose HTTP status
-- becomes RDS's error text, then hands back the program for COPY ... FROM PROGRAM that
-- streams it. The program is a Python script read from an inherited pipe, so the pre-signed
-- URL never appears on a command line. Errors come back in `error` rather than from
-- plpy.error, which would prefix them with "plpy.Error: ". NULL access_key means the
-- instance's IAM role, which locally is the key pair in the database settings.
CREATE FUNCTION aws_s3._open_object(bucket text, file_path text, region text, access_key text, secret_key text, session_token text,
                                    OUT program text, OUT pipe_fd int, OUT bytes bigint, OUT error text)
LANGUAGE plpython3u VOLATILE
AS $py$
import os, shutil, textwrap, urllib.error, urllib.request
import boto3
from botocore.config import Config

# Runs in its own process: PL/Python keeps the GIL while COPY reads, so a thread in the
# backend could never feed COPY. Exits non-zero on any failure, which fails the COPY
# rather than loading part of an object.
STREAMER = r'''
import sys, urllib.request, zlib

CHUNK = 1 << 20
GZIP = zlib.MAX_WBITS | 16

def gunzip(chunks):
    inflate = zlib.decompressobj(GZIP)
    for data in chunks:
        while data:
            if inflate.eof:  # another gzip member follows, as in concatenated files
                inflate = zlib.decompressobj(GZIP)
            yield inflate.decompress(data, CHUNK)  # bounded: a chunk may inflate 1000-fold
            data = inflate.unconsumed_tail or inflate.unused_data
    if not inflate.eof:
        raise ValueError("the gzip stream ends early")

def stream(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        size = int(response.headers["Content-Length"])
        received = 0
        def chunks():
            nonlocal received
            while chunk := response.read(CHUNK):
                received += len(chunk)
                yield chunk
        # RDS decompresses only objects whose metadata says Content-Encoding: gzip.
        gzipped = (response.headers.get("Content-Encoding") or "").lower() == "gzip"
        for data in gunzip(chunks()) if gzipped else chunks():
            sys.stdout.buffer.write(data)
        if received != size:
            raise ValueError("the object ended after %d of %d bytes" % (received, size))

try:
    stream(URL)
except Exception as e:
    sys.exit("aws_s3 stand-in: %s" % e)
'''

# RDS's texts for the statuses a pre-signed GET answers with (README.md names the sources).
HINTS = {
    403: "Permission denied. Check bucket or provided credentials as they may no longer be valid.",
    404: "Requested file does not exist.",
}

def setting(name):
    return plpy.execute("SELECT current_setting(%s, true) AS v" % plpy.quote_literal(name))[0]["v"] or None

def failed(message):
    return {"program": None, "pipe_fd": None, "bytes": None, "error": message}

endpoint = setting("aws_s3.endpoint_url")
if not endpoint:  # never fall back to AWS's own endpoint
    return failed("aws_s3 stand-in: the database setting aws_s3.endpoint_url is not set (tools/aws-s3-local/install.sh sets it)")
# PL/Python arguments cannot be reassigned, hence the copies.
key_id, secret, token = access_key, secret_key, session_token
if key_id is None:
    key_id, secret, token = (setting("aws_s3." + n) for n in ("access_key_id", "secret_access_key", "session_token"))
    if not key_id:
        return failed("aws_s3 stand-in: no credentials given and no instance role keys in the database settings aws_s3.access_key_id and aws_s3.secret_access_key")

s3 = boto3.client("s3", endpoint_url=endpoint, region_name=region or None,
                  aws_access_key_id=key_id, aws_secret_access_key=secret or "", aws_session_token=token or None,
                  config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": file_path}, ExpiresIn=3600)
try:
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Range": "bytes=0-0"}), timeout=60) as response:
        total = response.headers.get("Content-Range", "").rpartition("/")[2] or response.headers["Content-Length"]
except urllib.error.HTTPError as e:  # 416 for a 0-byte object: no first byte to range over
    return failed("Unable to validate pre-signed URL. Error: HTTP %d. %s" % (e.code, HINTS.get(e.code, "Check your arguments and try again.")))
except urllib.error.URLError as e:
    return failed("Unable to validate pre-signed URL. Error: %s" % e.reason)

python = shutil.which("python3")
if not python:
    return failed("aws_s3 stand-in: python3 is not on the database server's PATH")
read_end, write_end = os.pipe()
os.set_inheritable(read_end, True)  # the COPY program, forked by the backend, reads it
with os.fdopen(write_end, "w") as script:  # far below a pipe's 64 KiB: never blocks
    # PL/Python indents every line of a function body, this string's lines too.
    script.write("URL = %r\n%s" % (url, textwrap.dedent(STREAMER)))
return {"program": "exec %s -I /dev/fd/%d" % (python, read_end), "pipe_fd": read_end, "bytes": int(total), "error": None}
$py$;

CREATE FUNCTION aws_s3._close_pipe(fd int) RETURNS void LANGUAGE plpython3u VOLATILE
AS $py$
import os
os.close(fd)
$py$;

-- The one implementation. COPY runs in the caller's transaction; its own errors (bad data,
-- a failed program) reach the caller unchanged.
CREATE FUNCTION aws_s3.table_import_from_s3(table_name text, column_list text, options text,
                                            bucket text, file_path text, region text, access_key text, secret_key text, session_token text)
RETURNS text LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  obj record;
  imported bigint;
  -- RDS takes the options either as COPY's parenthesized list or as its bare contents.
  with_options text := CASE
    WHEN coalesce(btrim(options), '') = '' THEN ''
    WHEN left(btrim(options), 1) = '(' THEN ' WITH ' || options
    ELSE ' WITH (' || options || ')' END;
BEGIN
  obj := aws_s3._open_object(bucket, file_path, region, access_key, secret_key, session_token);
  IF obj.error IS NOT NULL THEN
    RAISE EXCEPTION '%', obj.error;
  END IF;
  BEGIN
    EXECUTE format('COPY %s%s FROM PROGRAM %L%s', table_name,
                   CASE WHEN coalesce(column_list, '') <> '' THEN ' (' || column_list || ')' ELSE '' END, obj.program, with_options);
    GET DIAGNOSTICS imported = ROW_COUNT;
  EXCEPTION WHEN OTHERS OR query_canceled THEN
    PERFORM aws_s3._close_pipe(obj.pipe_fd);
    RAISE;
  END;
  PERFORM aws_s3._close_pipe(obj.pipe_fd);
  RETURN format('%s rows imported into relation "%s" from file %s of %s bytes', imported, table_name, file_path, obj.bytes);
END
$$;

CREATE FUNCTION aws_s3.table_import_from_s3(table_name text, column_list text, options text, bucket text, file_path text, region text)
RETURNS text LANGUAGE sql VOLATILE
AS $$ SELECT aws_s3.table_import_from_s3(table_name, column_list, options, bucket, file_path, region, NULL, NULL, NULL) $$;

CREATE FUNCTION aws_s3.table_import_from_s3(table_name text, column_list text, options text, s3_info aws_commons._s3_uri_1)
RETURNS text LANGUAGE sql VOLATILE
AS $$ SELECT aws_s3.table_import_from_s3(table_name, column_list, options, (s3_info).bucket, (s3_info).file_path, (s3_info).region) $$;

CREATE FUNCTION aws_s3.table_import_from_s3(table_name text, column_list text, options text, s3_info aws_commons._s3_uri_1,
                                            credentials aws_commons._aws_credentials_1)
RETURNS text LANGUAGE sql VOLATILE
AS $$ SELECT aws_s3.table_import_from_s3(table_name, column_list, options, (s3_info).bucket, (s3_info).file_path, (s3_info).region,
                                         (credentials).access_key, (credentials).secret_key, (credentials).session_token) $$;
