# The PostgreSQL of docker-compose.yml: the source database behind redshift-local (PostGIS and
# Redshift's types) and the target (the aws_s3 stand-in: PL/Python and boto3). Local use only.
# Build context: the repository's root.
FROM postgres:15.20-bookworm
RUN apt-get update \
  && apt-get install -y --no-install-recommends "postgresql-$PG_MAJOR-postgis-3" "postgresql-plpython3-$PG_MAJOR" python3-boto3 \
  && rm -rf /var/lib/apt/lists/*
COPY apps/redshift-local/sql/redshift-types.sql tools/aws-s3-local/aws_s3.sql tools/aws-s3-local/settings.sql /docker-entrypoint-initdb.d/ferry/
COPY tools/docker/init-databases.sh /docker-entrypoint-initdb.d/
