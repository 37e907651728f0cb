# Sourced by every tools/ script: where things live and how the local stack is reached.
# Every value can be overridden from the environment. The keys below are for the local
# MinIO only; against AWS, the worker uses the AWS SDK's default credential chain.
FERRY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export FERRY_ROOT
export FERRY_TOOLS="${FERRY_TOOLS:-$FERRY_ROOT/.tools}"
export FERRY_DATA="${FERRY_DATA:-$FERRY_ROOT/.data}"
export PATH="$FERRY_TOOLS/bin:$FERRY_ROOT/node_modules/.bin:$PATH"

# Pinned versions of the Go-built local services.
export TEMPORAL_CLI_MODULE="github.com/temporalio/cli/cmd/temporal"
export TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-v1.5.1}"
export MINIO_MODULE="github.com/minio/minio"
export MINIO_VERSION="${MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
# kubeconform checks deploy/kubernetes against Kubernetes' schemas (tools/kubernetes/validate.sh).
export KUBECONFORM_MODULE="github.com/yannh/kubeconform/cmd/kubeconform"
export KUBECONFORM_VERSION="${KUBECONFORM_VERSION:-v0.7.0}"

# PostgreSQL: the machine's server hosts the source (behind redshift-local) and target databases.
export PGHOST="${PGHOST:-127.0.0.1}"
export PGPORT="${PGPORT:-5432}"
export PGUSER="${PGUSER:-postgres}"
export FERRY_SOURCE_DB="${FERRY_SOURCE_DB:-ferry_source}"
export FERRY_TARGET_DB="${FERRY_TARGET_DB:-ferry_target}"

# Temporal dev server (with its Web UI).
export TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
export TEMPORAL_NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
export FERRY_TEMPORAL_UI_PORT="${FERRY_TEMPORAL_UI_PORT:-8233}"

# MinIO standing in for S3.
export FERRY_MINIO_ADDRESS="${FERRY_MINIO_ADDRESS:-127.0.0.1:9000}"
export FERRY_S3_ENDPOINT="${FERRY_S3_ENDPOINT:-http://$FERRY_MINIO_ADDRESS}"
export FERRY_S3_BUCKET="${FERRY_S3_BUCKET:-ferry-staging}"
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-ferry-local}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-ferry-local-secret}"

# redshift-local, the Redshift stand-in.
export REDSHIFT_LOCAL_HOST="${REDSHIFT_LOCAL_HOST:-127.0.0.1}"
export REDSHIFT_LOCAL_PORT="${REDSHIFT_LOCAL_PORT:-5439}"
# Its Redshift Data API endpoint (redshift-data), and where ferry's Data API transport reaches it.
export REDSHIFT_LOCAL_DATA_API_PORT="${REDSHIFT_LOCAL_DATA_API_PORT:-5440}"
# The IAM roles associated with the local "cluster": an UNLOAD naming another is refused, as Redshift refuses it.
export REDSHIFT_LOCAL_IAM_ROLES="${REDSHIFT_LOCAL_IAM_ROLES-arn:aws:iam::000000000000:role/ferry-local-unload}"
export FERRY_REDSHIFT_DATA_ENDPOINT="${FERRY_REDSHIFT_DATA_ENDPOINT:-http://$REDSHIFT_LOCAL_HOST:$REDSHIFT_LOCAL_DATA_API_PORT}"
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true  # the SDK is pinned; its Node 22 notice is noise here
