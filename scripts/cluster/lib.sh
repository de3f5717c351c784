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
ETCD_CLIENT_PORT=32379
ETCD_PEER_PORT=32380
APISERVER_PORT=6443
SERVICE_CIDR=10.96.0.0/24
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
# kwok (KWOK=1): simulated nodes on the real control plane, for make bench's scale part (kwok-up.sh); its go.mod has
# no replace lines.
KWOK_VERSION=v0.8.0
KWOK_NODE_ANNOTATION=kwok.x-k8s.io/node=fake  # the nodes kwok plays
KWOK_PORT=10800  # where kwok serves the kubelet API of every node it plays, on the node address

say() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[cluster] error: %s\n' "$*" >&2; exit 1; }

# --- nodes: NODES=<n> real nodes on this machine (up.sh starts node 1 to n; node-up.sh adds one to a running
# cluster), each a kubelet and a containerd of its own registered with the one control plane. node_vars N sets the
# NODE_* variables of node N. Node 1 keeps the paths the single-node cluster always had (its files directly under
# .cluster/); node N >= 2 lives in .cluster/node-N. Each node has its own containerd (root, state, socket), CNI
# bridge, pod CIDR and IPAM folder, kubelet root, pod log folder, ports and cgroup root, so that neither node's
# kubelet or runtime sees, or garbage-collects, the other's pods. Its processes are named <component><suffix> in
# .cluster/pids (kubelet, containerd; kubelet-2, containerd-2).
MAX_NODES=4
node_vars() {
  local n=$1
  if ! [[ "$n" =~ ^[1-9]$ ]] || [ "$n" -gt "$MAX_NODES" ]; then die "a node number is 1 to $MAX_NODES, not '$n'"; fi
  NODE=$n
  if [ "$n" = 1 ]; then
    NODE_NAME=sequential-job-node NODE_STATE=$STATE NODE_SUFFIX=""
  else
    NODE_NAME=sequential-job-node-$n NODE_STATE=$STATE/node-$n NODE_SUFFIX=-$n
  fi
  KUBELET_CGROUP_ROOT=/$NODE_NAME  # its pods under /<node name>/kubepods, not the machine's /kubepods
  CONTAINERD_SOCK="$NODE_STATE/containerd/containerd.sock"
  CNI_BRIDGE=sjcni$((n - 1))
  POD_CIDR=10.$((87 + n)).0.0/16  # 10.88.0.0/16 for node 1
  KUBELET_PORT=$((10250 + 100 * (n - 1)))  # the kubelet API, on the node address
  KUBELET_HEALTHZ_PORT=$((10248 + 100 * (n - 1)))  # on 127.0.0.1
}
node_vars 1
# node_cgroup_dirs: the current node's cgroup root in each cgroup hierarchy mounted here.
node_cgroup_dirs() {
  awk -v root="$KUBELET_CGROUP_ROOT" '$3 == "cgroup" || $3 == "cgroup2" {print $2 root}' /proc/self/mounts | sort -u
}
# node_numbers: the nodes of the cluster in .cluster/, node 1 first (whether or not they are running).
node_numbers() {
  echo 1
  local dir
  for dir in "$STATE"/node-[0-9]; do [ -d "$dir" ] && echo "${dir##*/node-}"; done
}

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

openssl_quiet() { openssl "$@" 2>/dev/null; }
# sign NAME SUBJECT [SANS]: $PKI/NAME.key and $PKI/NAME.crt signed by the cluster CA; a server certificate for SANS
# when given, else a client certificate.
sign() {
  local name=$1 subject=$2 sans=${3:-}
  openssl_quiet req -newkey rsa:2048 -nodes -subj "$subject" -keyout "$PKI/$name.key" -out "$PKI/$name.csr"
  local ext="$PKI/$name.ext"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=%s\n' \
    "$([ -n "$sans" ] && echo serverAuth || echo clientAuth)" >"$ext"
  [ -z "$sans" ] || echo "subjectAltName=$sans" >>"$ext"
  openssl_quiet x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 2 -extfile "$ext" -out "$PKI/$name.crt"
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
