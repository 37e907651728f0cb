-- A local stand-in for RDS's aws_s3 / aws_commons extensions, for LOCAL TEST DATABASES ONLY
-- (tools/aws-s3-local/install.sh). Same schemas, types, function signatures and return
-- text as on RDS; the import reads from the S3 endpoint in the database setting
-- aws_s3.endpoint_url (MinIO locally). See README.md beside this file.
CREATE EXTENSION IF NOT EXISTS plpython3u;
CREATE SCHEMA IF NOT EXISTS aws_commons;
CREATE SCHEMA IF NOT EXISTS aws_s3;

DO $$ BEGIN
  CREATE TYPE aws_commons._s3_uri_1 AS (bucket text, file_path text, region text);
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN
  CREATE TYPE aws_commons._aws_credentials_1 AS (access_key text, secret_key text, session_token text);
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

CREATE OR REPLACE FUNCTION aws_commons.create_s3_uri(s3_bucket text, s3_key text, aws_region text)
RETURNS aws_commons._s3_uri_1 LANGUAGE sql IMMUTABLE
AS $$ SELECT ROW(s3_bucket, s3_key, aws_region)::aws_commons._s3_uri_1 $$;

CREATE OR REPLACE FUNCTION aws_commons.create_aws_credentials(access_key text, secret_key text, session_token text)
RETURNS aws_commons._aws_credentials_1 LANGUAGE sql IMMUTABLE
AS $$ SELECT ROW(access_key, secret_key, session_token)::aws_commons._aws_credentials_1 $$;

-- The one implementation; the four RDS overloads below call it. Runs inside the caller's
-- transaction. The object is streamed from S3 into a FIFO that a server-side COPY reads,
-- so neither memory nor a temporary file ever holds the whole object, and no key appears
-- on a command line. SECURITY DEFINER: COPY FROM a server file needs the installer's rights.
CREATE OR REPLACE FUNCTION aws_s3._import(table_name text, column_list text, options text, bucket text, file_path text, region text, access_key text, secret_key text, session_token text)
RETURNS text LANGUAGE plpython3u SECURITY DEFINER
AS $py$
import gzip, os, shutil, tempfile, threading
import boto3
from botocore.client import Config
from botocore.exceptions import ClientError, EndpointConnectionError

def setting(name):
    return plpy.execute("SELECT current_setting(%s, true) AS v" % plpy.quote_literal(name))[0]["v"] or None

key_id, secret, token = access_key, secret_key, session_token
if not key_id:  # the instance's IAM role: here, keys kept in database settings
    key_id, secret = setting("aws_s3.access_key_id"), setting("aws_s3.secret_access_key")
s3 = boto3.client("s3", endpoint_url=setting("aws_s3.endpoint_url"), region_name=region or "us-east-1",
                  aws_access_key_id=key_id, aws_secret_access_key=secret, aws_session_token=token or None,
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}))
try:
    obj = s3.get_object(Bucket=bucket, Key=file_path)
except ClientError as e:
    status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if status == 404:
        plpy.error("HTTP 404. Requested file does not exist.")
    if status == 403:
        plpy.error("HTTP 403. Permission denied. Check bucket or provided credentials as they may no longer be valid.")
    plpy.error("HTTP %s. %s" % (status, e.response.get("Error", {}).get("Message", str(e))))
except EndpointConnectionError as e:
    plpy.error("Unable to connect to S3: %s" % e)
size = obj["ContentLength"]
if size == 0:
    plpy.error("unable to import data: s3://%s/%s is empty (0 bytes)" % (bucket, file_path))
body = obj["Body"]
if obj.get("ContentEncoding") == "gzip":  # RDS decompresses only objects marked this way
    body = gzip.GzipFile(fileobj=body)

folder = tempfile.mkdtemp(prefix="aws_s3_")
fifo = os.path.join(folder, "object")
os.mkfifo(fifo, 0o600)
failure = []
def feed():
    try:
        with open(fifo, "wb") as out:
            shutil.copyfileobj(body, out, 1024 * 1024)
    except Exception as e:  # the reader stopped early (COPY failed); its error is reported
        failure.append(e)
writer = threading.Thread(target=feed, daemon=True)
writer.start()
columns = "(%s)" % column_list if column_list else ""
try:
    result = plpy.execute("COPY %s %s FROM %s %s" % (table_name, columns, plpy.quote_literal(fifo), options or ""))
finally:
    if writer.is_alive():  # COPY never opened the FIFO: let the writer's open() return
        try:
            os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        except OSError:
            pass
    writer.join(5)
    shutil.rmtree(folder, ignore_errors=True)
return '%d rows imported into relation "%s" from file %s of %d bytes' % (result.nrows(), table_name, file_path, size)
$py$;

CREATE OR REPLACE FUNCTION aws_s3.table_import_from_s3(table_name text, column_list text, options text, s3_info aws_commons._s3_uri_1)
RETURNS text LANGUAGE sql
AS $$ SELECT aws_s3._import(table_name, column_list, options, (s3_info).bucket, (s3_info).file_path, (s3_info).region, NULL, NULL, NULL) $$;

CREATE OR REPLACE FUNCTION aws_s3.table_import_from_s3(table_name text, column_list text, options text, s3_info aws_commons._s3_uri_1, credentials aws_commons._aws_credentials_1)
RETURNS text LANGUAGE sql
AS $$ SELECT aws_s3._import(table_name, column_list, options, (s3_info).bucket, (s3_info).file_path, (s3_info).region, (credentials).access_key, (credentials).secret_key, (credentials).session_token) $$;

CREATE OR REPLACE FUNCTION aws_s3.table_import_from_s3(table_name text, column_list text, options text, bucket text, file_path text, region text)
RETURNS text LANGUAGE sql
AS $$ SELECT aws_s3._import(table_name, column_list, options, bucket, file_path, region, NULL, NULL, NULL) $$;

CREATE OR REPLACE FUNCTION aws_s3.table_import_from_s3(table_name text, column_list text, options text, bucket text, file_path text, region text, access_key text, secret_key text, session_token text)
RETURNS text LANGUAGE sql
AS $$ SELECT aws_s3._import(table_name, column_list, options, bucket, file_path, region, access_key, secret_key, session_token) $$;
