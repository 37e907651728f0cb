#!/usr/bin/env bash
# Validates Kubernetes manifests (default: deploy/kubernetes/*.yaml) with kubeconform against
# Kubernetes' own schemas, offline: the schemas are generated once from the k8s.io/kubernetes
# Go module (tools/kubernetes/json-schemas.ts) into .tools/kubernetes-schemas/.
#   bash tools/kubernetes/validate.sh [FILE…]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
cd "$FERRY_ROOT"

# The Kubernetes version the manifests are checked against; a new pin generates its schemas.
KUBERNETES_VERSION=1.36.3
schemas="$FERRY_TOOLS/kubernetes-schemas"

if [ ! -x "$FERRY_TOOLS/bin/kubeconform" ] || [ "$(cat "$FERRY_TOOLS/bin/.kubeconform.version" 2>/dev/null)" != "$KUBECONFORM_VERSION" ]; then
  echo "validate: kubeconform $KUBECONFORM_VERSION is not installed: run npm run setup" >&2
  exit 1
fi
if [ ! -d "$schemas/v$KUBERNETES_VERSION" ]; then
  echo "validate: generating the JSON schemas of Kubernetes $KUBERNETES_VERSION (once)"
  tsx tools/kubernetes/json-schemas.ts "$KUBERNETES_VERSION" "$schemas/v$KUBERNETES_VERSION"
fi

[ $# -gt 0 ] || set -- deploy/kubernetes/*.yaml
# -strict: no field the API does not define, no key twice. Kustomization is kustomize's, not
# the API's: it has no schema.
exec kubeconform -strict -summary -skip Kustomization -kubernetes-version "$KUBERNETES_VERSION" \
  -schema-location "$schemas/{{ .NormalizedKubernetesVersion }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" "$@"
