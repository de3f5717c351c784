#!/usr/bin/env bash
# Starts a Kubernetes on this machine, every part real and local, all state under .cluster/: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, and for each node containerd (+ runc, CNI bridge) and a kubelet
# (node-up.sh), as host processes whose pids are kept in .cluster/pids. down.sh stops them all. Writes
# .cluster/admin.kubeconfig.
#   K8S=<minor>     the Kubernetes version (scripts/cluster/kubernetes/<minor>; default: kubernetes/default)
#   NODES=<n>       real nodes on this machine, 1 (default) to 4, each its own kubelet and containerd (lib.sh's
#                   node_vars); from the second on, Kubernetes 1.30 or newer
#   CONTAINERD=2    containerd 2 (built by build.sh) instead of Debian's containerd 1.6
#   EVENTED_PLEG=1  the kubelet's EventedPLEG feature gate (alpha): containerd streams container events to it, so a
#                   finished step is seen at once instead of at the next 1 s relist; implies CONTAINERD=2
#   VOLCANO=1       adds Volcano (volcano-up.sh)
#   STORAGE=1       adds StorageClasses with a dynamic provisioner, local-path (default) and local-path-shared
#                   (storage-up.sh)
#   KUEUE=1         adds Kueue (kueue-up.sh)
#   KWOK=1          adds kwok, which plays the nodes annotated kwok.x-k8s.io/node=fake (kwok-up.sh)
# The start of each component is a function of components.sh, which restart.sh calls again.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$CLUSTER_SCRIPTS/components.sh"
needed=("$KBIN/kube-apiserver" "$KBIN/kubelet" "$KBIN/kubectl" "$CBIN/etcd" "$CONTAINERD_BIN")
[ "${VOLCANO:-0}" != 1 ] || needed+=("${VOLCANO_CMDS[@]/#/$CBIN/volcano/}")
[ "${STORAGE:-0}" != 1 ] || needed+=("$CBIN/local-path-provisioner")
[ "${KUEUE:-0}" != 1 ] || needed+=("$CBIN/kueue")
[ "${KWOK:-0}" != 1 ] || needed+=("$CBIN/kwok")
for bin in "${needed[@]}"; do
  command -v "$bin" >/dev/null ||
    die "$bin is missing: make cluster-deps, with the same K8S, CONTAINERD, EVENTED_PLEG, VOLCANO, KUEUE and KWOK, builds it"
done

NODES=${NODES:-1}
if ! [[ "$NODES" =~ ^[1-9]$ ]] || [ "$NODES" -gt "$MAX_NODES" ]; then
  die "NODES must be 1 to $MAX_NODES, not '$NODES'"
fi
[ "$NODES" = 1 ] || [ "$K8S_MINOR_NUMBER" -ge 30 ] ||
  die "NODES=$NODES needs Kubernetes 1.30 or newer (a pod log folder per kubelet, podLogsDir), not $K8S_VERSION"
[ "$(id -u)" = 0 ] || die "the embedded cluster runs containerd and the kubelet, which need root"
if [ -d "$PIDS" ] && ls "$PIDS"/*.pid >/dev/null 2>&1; then
  die "a cluster is already up in ${STATE#"$ROOT"/} (make cluster-down first)"
fi
for port in "$APISERVER_PORT" "$ETCD_CLIENT_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port is in use: is another cluster up? (make cluster-down in its checkout)"
  fi
done
node_vars "$NODES"  # the last node's socket path is the longest
[ ${#CONTAINERD_SOCK} -lt 100 ] || die "state path too long for a unix socket: $CONTAINERD_SOCK (set CLUSTER_STATE)"

# Stop everything started so far if any step below fails or the user presses Ctrl-C.
tear_down_on_failure() {
  local status=$?
  if [ $status -ne 0 ]; then say "cluster-up failed, tearing down"; "$CLUSTER_SCRIPTS/down.sh" || true; fi
}
trap tear_down_on_failure EXIT
trap 'exit 130' INT TERM

started=$SECONDS
mkdir -p "$PIDS" "$LOGS" "$PKI"
# What this cluster runs, for down.sh, restart.sh and the tests (whatever K8S, CONTAINERD and EVENTED_PLEG say later).
echo "$K8S_MINOR" >"$STATE/k8s-minor"
echo "$CONTAINERD_FLAVOUR" >"$STATE/containerd-flavour"
echo "${EVENTED_PLEG:-0}" >"$STATE/evented-pleg"
say "Kubernetes $K8S_VERSION, containerd $([ "$CONTAINERD_FLAVOUR" = 2 ] && echo "$CONTAINERD2_VERSION" || echo "from Debian ($(containerd --version | awk '{print $3}'))"), EventedPLEG ${EVENTED_PLEG:-0}"

# --- node address: the default route's address, or a dummy interface of ours when there is no default route
# (kube-apiserver refuses to start without one, and the kubelet rejects a loopback node IP).
default_dev=$(ip -4 route show default | awk '{for (i=1;i<NF;i++) if ($i=="dev") print $(i+1); exit}')
if [ -n "$default_dev" ]; then
  NODE_IP=$(ip -4 -o addr show dev "$default_dev" | awk '{split($4,a,"/"); print a[1]; exit}')
else
  say "no default route: adding interface $DUMMY_IF ($DUMMY_ADDR) with a default route through it"
  ip link add "$DUMMY_IF" type dummy
  echo "$DUMMY_IF" >"$STATE/dummy-interface"
  ip addr add "$DUMMY_ADDR/32" dev "$DUMMY_IF"
  ip link set "$DUMMY_IF" up
  ip route add default dev "$DUMMY_IF"
  NODE_IP=$DUMMY_ADDR
fi
[ -n "$NODE_IP" ] || die "could not find a node address"
echo "$NODE_IP" >"$STATE/node-ip"
say "node address $NODE_IP"

# --- certificates and tokens (the nodes' credentials: node-up.sh)
openssl_quiet req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=sequential-job-ca" \
  -keyout "$PKI/ca.key" -out "$PKI/ca.crt"
sign apiserver "/CN=kube-apiserver" \
  "IP:127.0.0.1,IP:$NODE_IP,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
openssl_quiet genrsa -out "$PKI/sa.key" 2048
openssl_quiet rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"

token() { openssl rand -hex 16; }
ADMIN_TOKEN=$(token); CM_TOKEN=$(token); SCHED_TOKEN=$(token)
cat >"$STATE/tokens.csv" <<CSV
$ADMIN_TOKEN,admin,admin,"system:masters"
$CM_TOKEN,system:kube-controller-manager,kcm,"system:masters"
$SCHED_TOKEN,system:kube-scheduler,ksched,"system:masters"
CSV
chmod 600 "$STATE/tokens.csv"
kubeconfig() {  # kubeconfig FILE USER TOKEN
  cat >"$1" <<YAML
apiVersion: v1
kind: Config
clusters:
  - name: sequential-job
    cluster:
      server: https://127.0.0.1:$APISERVER_PORT
      certificate-authority: $PKI/ca.crt
users:
  - name: $2
    user:
      token: $3
contexts:
  - name: sequential-job
    context: {cluster: sequential-job, user: $2, namespace: default}
current-context: sequential-job
YAML
  chmod 600 "$1"
}
kubeconfig "$KUBECONFIG_ADMIN" admin "$ADMIN_TOKEN"
kubeconfig "$STATE/controller-manager.kubeconfig" system:kube-controller-manager "$CM_TOKEN"
kubeconfig "$STATE/scheduler.kubeconfig" system:kube-scheduler "$SCHED_TOKEN"

# --- etcd and the control plane
say "starting etcd"
start_etcd
say "starting kube-apiserver"
start_kube_apiserver
say "starting kube-controller-manager and kube-scheduler"
start_kube_controller_manager
start_kube_scheduler

# --- the nodes, each its own containerd and kubelet (node-up.sh)
for n in $(seq "$NODES"); do
  "$CLUSTER_SCRIPTS/node-up.sh" "$n"
done
wait_for kube-controller-manager 60 kc get serviceaccount default -n default

if [ "${VOLCANO:-0}" = 1 ]; then
  "$CLUSTER_SCRIPTS/volcano-up.sh"
fi
if [ "${STORAGE:-0}" = 1 ]; then
  "$CLUSTER_SCRIPTS/storage-up.sh"
fi
if [ "${KUEUE:-0}" = 1 ]; then
  "$CLUSTER_SCRIPTS/kueue-up.sh"
fi
if [ "${KWOK:-0}" = 1 ]; then
  "$CLUSTER_SCRIPTS/kwok-up.sh"
fi

say "cluster up in $((SECONDS - started))s (Kubernetes $K8S_VERSION, $NODES $([ "$NODES" = 1 ] && echo node || echo nodes)): KUBECONFIG=${KUBECONFIG_ADMIN#"$ROOT"/}"
