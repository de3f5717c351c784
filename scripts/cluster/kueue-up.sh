#!/usr/bin/env bash
# Adds Kueue to the running embedded cluster (up.sh calls it when KUEUE=1): the CRDs of the pinned Kueue module, its
# admission webhooks for batch/v1 Jobs and its own kinds served by the kueue manager on 127.0.0.1 over a certificate
# from the cluster's CA, and the manager itself with only the batch/job integration, as a host process recorded in
# .cluster/pids like the rest. Proven with Kubernetes 1.29 and 1.37; Kueue 0.17 is built against 1.35's client
# libraries and needs only GA APIs here (batch/v1, admissionregistration/v1, apiextensions/v1).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
WEBHOOK_PORT=9443
HEALTH_ADDRESS=127.0.0.1:11261
KUEUE="$STATE/kueue"
mkdir -p "$KUEUE/certs"

say "installing Kueue's CRDs"
module=$("$CLUSTER_SCRIPTS/kueue-module.sh")
kc apply --server-side -f "$module/config/components/crd/bases" >/dev/null
kc create namespace kueue-system >/dev/null
wait_crds_established

# The webhooks' serving certificate. The manager also insists on a metrics certificate at the fixed path
# /etc/kueue/metrics/certs unless it manages its own certificates for an in-cluster Service, which the API server
# cannot reach here; it gets the same one, see below.
serving_cert kueue-webhook "$KUEUE/certs/tls.key" "$KUEUE/certs/tls.crt"

# The module's webhook configurations, less those of the integrations this cluster does not run (pods, deployments,
# Ray, Kubeflow, ...): only the entries for batch Jobs and Kueue's own kinds, pointed at the host process by URL.
ca_bundle=$(base64 -w0 <"$PKI/ca.crt")
awk -v url="https://127.0.0.1:$WEBHOOK_PORT" -v ca="$ca_bundle" '
  function flush() { if (entry != "" && entry ~ /\n    - (batch|kueue\.x-k8s\.io)\n/) printf "%s", entry; entry = "" }
  /^- admissionReviewVersions:/ { flush(); collecting = 1 }
  /^---$/ || /^apiVersion:/ { flush(); collecting = 0 }
  /^  name: (mutating|validating)-webhook-configuration$/ { sub(/name: /, "name: kueue-") }
  /^    service:$/ || /^      name: webhook-service$/ || /^      namespace: system$/ { next }
  /^      path: / { $0 = "    url: " url $2 "\n    caBundle: " ca }
  { if (collecting) entry = entry $0 "\n"; else print }
  END { flush() }
' "$module/config/components/webhook/manifests.yaml" >"$KUEUE/webhooks.yaml"
grep -q "url: https://127.0.0.1:$WEBHOOK_PORT/mutate-batch-v1-job" "$KUEUE/webhooks.yaml" \
  || die "no batch/v1 Job webhook in Kueue's webhook manifests ($module)"

cat >"$KUEUE/config.yaml" <<YAML
apiVersion: config.kueue.x-k8s.io/v1beta2
kind: Configuration
namespace: kueue-system
health:
  healthProbeBindAddress: $HEALTH_ADDRESS
metrics:
  bindAddress: "0"
webhook:
  host: 127.0.0.1
  port: $WEBHOOK_PORT
  certDir: $KUEUE/certs
leaderElection:
  leaderElect: false
internalCertManagement:
  enable: false
integrations:
  frameworks:
    - batch/job
YAML

say "starting kueue"
# The metrics certificate path is fixed (/etc/kueue/metrics/certs): the manager runs in a mount namespace of its own
# where /etc is an overlay holding that directory, so the host's /etc is never written. The namespace, and its
# mounts, end with the process.
mkdir -p "$KUEUE/etc"
# shellcheck disable=SC2016  # the script is the inner sh's: $1 and the rest expand there, not here
start kueue env KUBECONFIG="$KUBECONFIG_ADMIN" unshare --mount --propagation private -- sh -c '
  set -e
  mount -t tmpfs tmpfs "$1"
  mkdir -p "$1/upper/kueue/metrics" "$1/work"
  cp -r "$2" "$1/upper/kueue/metrics/certs"
  mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/upper,workdir=$1/work" /etc
  shift 2
  exec "$@"
' sh "$KUEUE/etc" "$KUEUE/certs" "$CBIN/kueue" --config "$KUEUE/config.yaml" \
  --feature-gates VisibilityOnDemand=false
for _ in $(seq 120); do
  curl -fsS "http://$HEALTH_ADDRESS/readyz" >/dev/null 2>&1 && break
  kill -0 "$(cat "$PIDS/kueue.pid")" 2>/dev/null || { tail -n 30 "$LOGS/kueue.log" >&2; die "kueue exited"; }
  sleep 0.5
done
kc apply -f "$KUEUE/webhooks.yaml" >/dev/null

# Ready when the Job webhook suspends a queued Job (a server-side dry run).
probe_job() {
  kc create --dry-run=server -o jsonpath='{.spec.suspend}' -f - <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: kueue-readiness-probe, namespace: default, labels: {kueue.x-k8s.io/queue-name: probe}}
spec:
  template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox:1.36}]}}
YAML
}
for _ in $(seq 120); do
  if [ "$(probe_job 2>/dev/null)" = true ]; then
    say "Kueue ready"
    exit 0
  fi
  kill -0 "$(cat "$PIDS/kueue.pid")" 2>/dev/null || { tail -n 30 "$LOGS/kueue.log" >&2; die "kueue exited"; }
  sleep 0.5
done
echo "dry-run queued Job: $(probe_job 2>&1)" >&2
tail -n 20 "$LOGS/kueue.log" >&2
die "Kueue not ready after 60s"
