# Shared settings for the embedded cluster scripts (sourced, not run).
# Everything the cluster writes lives under $STATE (ignored by git); binaries are cached under $CBIN.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CLUSTER_SCRIPTS="$ROOT/scripts/cluster"
CBIN="$ROOT/.tools/cluster/bin"
STATE="${CLUSTER_STATE:-$ROOT/.cluster}"
PIDS="$STATE/pids"
LOGS="$STATE/logs"
PKI="$STATE/pki"
KUBECONFIG_ADMIN="$STATE/admin.kubeconfig"
CONTAINERD_SOCK="$STATE/containerd/containerd.sock"
NODE_NAME=sequential-job-node
ETCD_CLIENT_PORT=32379
ETCD_PEER_PORT=32380
APISERVER_PORT=6443
SERVICE_CIDR=10.96.0.0/24
POD_CIDR=10.88.0.0/16
CNI_BRIDGE=sjcni0
DUMMY_IF=sjdummy0
DUMMY_ADDR=192.0.2.250
# Kueue, built with `go install` (its go.mod has no replace lines); kueue-crds.sh takes its CRDs and webhooks from the
# same module version.
KUEUE_VERSION=v0.17.0

say() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[cluster] error: %s\n' "$*" >&2; exit 1; }

# start NAME CMD...: run CMD in its own session (so down.sh can signal its whole process group), output to
# .cluster/logs/NAME.log, pid to .cluster/pids/NAME.pid.
start() {
  local name=$1; shift
  setsid "$@" >"$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! >"$PIDS/$name.pid"
}

# kubectl against the embedded cluster.
kc() { "$CBIN/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }

# wait_crds_established: wait until every CRD is Established. A CRD has no conditions for a moment after it is
# created, and `kubectl wait` fails on those, so retry.
wait_crds_established() {
  for _ in $(seq 60); do
    kc wait --for=condition=Established crd --all --timeout=10s >/dev/null 2>&1 && return
    sleep 1
  done
  kc wait --for=condition=Established crd --all --timeout=10s >/dev/null
}

# serving_cert NAME KEY CERT: a webhook serving key and certificate for 127.0.0.1, signed by the cluster CA (whose
# certificate is then the webhook configurations' caBundle).
serving_cert() {
  local name=$1 key=$2 cert=$3
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout "$key" -out "$PKI/$name.csr" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n' \
    >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 2 \
    -extfile "$PKI/$name.ext" -out "$cert" 2>/dev/null
}
