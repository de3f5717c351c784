# shellcheck shell=bash
# Shared settings for the embedded cluster scripts (sourced, not run).
# shellcheck disable=SC2034  # settings for the scripts that source this file: they read them, this file does not
# Everything the cluster writes lives under $STATE (ignored by git). Binaries are cached under .tools/cluster/:
# Kubernetes per version in $KBIN (.tools/cluster/<version>/bin), containerd 2 in $C2BIN, the rest in $CBIN.
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
# containerd 2, built from the Go module proxy when CONTAINERD=2 or EVENTED_PLEG=1 (build.sh).
CONTAINERD2_VERSION=v2.2.9
C2BIN="$ROOT/.tools/cluster/containerd-$CONTAINERD2_VERSION/bin"
# Volcano's commands (build.sh builds them when VOLCANO=1, volcano-up.sh starts them).
VOLCANO_CMDS=(scheduler controller-manager webhook-manager)
# Kueue, built with `go install` (its go.mod has no replace lines); kueue-crds.sh takes its CRDs and webhooks from the
# same module version.
KUEUE_VERSION=v0.17.0

say() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[cluster] error: %s\n' "$*" >&2; exit 1; }

# --- Kubernetes version: K8S=<minor> (1.37, or 37), one wrapper module per minor in scripts/cluster/kubernetes/<minor>/.
# The default is the newest this machine runs (kubernetes/default); a running cluster's version is the one it was
# started with (.cluster/k8s-minor), whatever K8S says now.
K8S_MODULES="$CLUSTER_SCRIPTS/kubernetes"
k8s_minors() {
  local dir
  for dir in "$K8S_MODULES"/1.*/; do if [ -d "$dir" ]; then basename "$dir"; fi; done | sort -t. -k2,2n
}
resolve_k8s() {
  local want=${1:-}
  [ -n "$want" ] || want=$(cat "$K8S_MODULES/default")
  want=${want#v}
  case "$want" in
    [0-9] | [0-9][0-9]) want="1.$want" ;;
  esac
  local full=$want
  want=$(echo "$want" | cut -d. -f1,2)
  [ -f "$K8S_MODULES/$want/go.mod" ] ||
    die "no Kubernetes $want here: K8S must be one of $(k8s_minors | tr '\n' ' ')(scripts/cluster/kubernetes/add-version.sh adds one)"
  K8S_MINOR=$want
  K8S_VERSION=$(awk '$1=="require" && $2=="k8s.io/kubernetes" {print $3}' "$K8S_MODULES/$K8S_MINOR/go.mod")
  [ -n "$K8S_VERSION" ] || die "cannot read the k8s.io/kubernetes version from scripts/cluster/kubernetes/$K8S_MINOR/go.mod"
  [ "$full" = "$want" ] || [ "v$full" = "$K8S_VERSION" ] ||
    die "K8S=$full: for $K8S_MINOR this checkout builds $K8S_VERSION (give the minor, K8S=$K8S_MINOR)"
  K8S_MINOR_NUMBER=${K8S_MINOR#1.}
  KBIN="$ROOT/.tools/cluster/$K8S_VERSION/bin"
}
if [ -f "$STATE/k8s-minor" ]; then
  resolve_k8s "$(cat "$STATE/k8s-minor")"
else
  resolve_k8s "${K8S:-}"
fi

# --- container runtime: Debian's containerd 1.6 (default), or containerd 2 (CONTAINERD=2), which EVENTED_PLEG=1
# (the kubelet's EventedPLEG feature gate: container events streamed from the runtime instead of a 1 s relist) needs.
# A running cluster keeps what it was started with (.cluster/containerd-flavour).
resolve_containerd() {
  local want=${CONTAINERD:-}
  if [ "${EVENTED_PLEG:-0}" = 1 ]; then
    [ -z "$want" ] || [ "$want" = 2 ] || die "EVENTED_PLEG=1 needs containerd 2 (CONTAINERD=2), not CONTAINERD=$want"
    want=2
  fi
  case "${want:-debian}" in
    debian | 1) CONTAINERD_FLAVOUR=debian; CONTAINERD_BIN=containerd; CTR_BIN=ctr ;;
    2) CONTAINERD_FLAVOUR=2; CONTAINERD_BIN="$C2BIN/containerd"; CTR_BIN="$C2BIN/ctr" ;;
    *) die "CONTAINERD must be 'debian' (Debian's containerd 1.6) or '2' (containerd $CONTAINERD2_VERSION), not '$want'" ;;
  esac
  case "${EVENTED_PLEG:-0}" in 0 | 1) ;; *) die "EVENTED_PLEG must be 0 or 1, not '$EVENTED_PLEG'" ;; esac
}
if [ -f "$STATE/containerd-flavour" ]; then
  CONTAINERD=$(cat "$STATE/containerd-flavour")
  EVENTED_PLEG=$(cat "$STATE/evented-pleg" 2>/dev/null || echo 0)
fi
resolve_containerd

# start NAME CMD...: run CMD in its own session (so stop can signal its whole process group), output appended to
# .cluster/logs/NAME.log (a restart keeps the earlier lines), pid to .cluster/pids/NAME.pid.
start() {
  local name=$1; shift
  setsid "$@" >>"$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! >"$PIDS/$name.pid"
}

# stop NAME [SECONDS]: SIGTERM the process group started as NAME, SIGKILL it after SECONDS.
stop() {
  local name=$1 grace=${2:-10} pidfile="$PIDS/$1.pid" pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for _ in $(seq $((grace * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      say "$name did not stop in ${grace}s: killing it"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
      sleep 0.2
    fi
  fi
  rm -f "$pidfile"
}

# kubectl against the embedded cluster.
kc() { "$KBIN/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }

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
