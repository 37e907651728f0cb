-- Where S3 is, and the keys that stand for the instance's IAM role (feature s3Import), used
-- by the aws_s3 stand-in's overloads without credentials. Sessions started after this see them.
-- psql variables: db, endpoint, key, secret, token (install.sh, tools/docker/init-databases.sh).
ALTER DATABASE :"db" SET aws_s3.endpoint_url = :'endpoint';
ALTER DATABASE :"db" SET aws_s3.access_key_id = :'key';
ALTER DATABASE :"db" SET aws_s3.secret_access_key = :'secret';
ALTER DATABASE :"db" SET aws_s3.session_token = :'token';
