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
