#!/usr/bin/env bash
# Starts a single-node Kubernetes on this machine, every part real and local, all state under .cluster/:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, containerd (+ runc, CNI bridge) and the kubelet,
# as host processes whose pids are kept in .cluster/pids. down.sh stops them all. Writes .cluster/admin.kubeconfig.
#   K8S=<minor>     the Kubernetes version (scripts/cluster/kubernetes/<minor>; default: kubernetes/default)
#   CONTAINERD=2    containerd 2 (built by build.sh) instead of Debian's containerd 1.6
#   EVENTED_PLEG=1  the kubelet's EventedPLEG feature gate (alpha): containerd streams container events to it, so a
#                   finished step is seen at once instead of at the next 1 s relist; implies CONTAINERD=2
#   VOLCANO=1       adds Volcano (volcano-up.sh)
#   STORAGE=1       adds StorageClasses with a dynamic provisioner, local-path (default) and local-path-shared
#                   (storage-up.sh)
#   KUEUE=1         adds Kueue (kueue-up.sh)
# The start of each component is a function of components.sh, which restart.sh calls again.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$CLUSTER_SCRIPTS/components.sh"
needed=("$KBIN/kube-apiserver" "$KBIN/kubelet" "$KBIN/kubectl" "$CBIN/etcd" "$CONTAINERD_BIN")
[ "${VOLCANO:-0}" != 1 ] || needed+=("${VOLCANO_CMDS[@]/#/$CBIN/volcano/}")
[ "${STORAGE:-0}" != 1 ] || needed+=("$CBIN/local-path-provisioner")
[ "${KUEUE:-0}" != 1 ] || needed+=("$CBIN/kueue")
for bin in "${needed[@]}"; do
  command -v "$bin" >/dev/null ||
    die "$bin is missing: make cluster-deps, with the same K8S, CONTAINERD, EVENTED_PLEG, VOLCANO and KUEUE, builds it"
done

[ "$(id -u)" = 0 ] || die "the embedded cluster runs containerd and the kubelet, which need root"
if [ -d "$PIDS" ] && ls "$PIDS"/*.pid >/dev/null 2>&1; then
  die "a cluster is already up in ${STATE#"$ROOT"/} (make cluster-down first)"
fi
for port in "$APISERVER_PORT" "$ETCD_CLIENT_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port is in use: is another cluster up? (make cluster-down in its checkout)"
  fi
done
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
say "node $NODE_NAME at $NODE_IP"

# --- certificates and tokens
openssl_quiet() { openssl "$@" 2>/dev/null; }
openssl_quiet req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=sequential-job-ca" \
  -keyout "$PKI/ca.key" -out "$PKI/ca.crt"
# sign NAME SUBJECT [SANS]: a key and a certificate signed by the CA.
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
sign apiserver "/CN=kube-apiserver" \
  "IP:127.0.0.1,IP:$NODE_IP,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
openssl_quiet genrsa -out "$PKI/sa.key" 2048
openssl_quiet rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"

token() { openssl rand -hex 16; }
ADMIN_TOKEN=$(token); CM_TOKEN=$(token); SCHED_TOKEN=$(token); NODE_TOKEN=$(token)
cat >"$STATE/tokens.csv" <<CSV
$ADMIN_TOKEN,admin,admin,"system:masters"
$CM_TOKEN,system:kube-controller-manager,kcm,"system:masters"
$SCHED_TOKEN,system:kube-scheduler,ksched,"system:masters"
$NODE_TOKEN,system:node:$NODE_NAME,node,"system:nodes"
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
kubeconfig "$STATE/kubelet.kubeconfig" "system:node:$NODE_NAME" "$NODE_TOKEN"

# --- etcd and the control plane
say "starting etcd"
start_etcd
say "starting kube-apiserver"
start_kube_apiserver
say "starting kube-controller-manager and kube-scheduler"
start_kube_controller_manager
start_kube_scheduler

# --- container runtime
say "starting containerd"
mkdir -p "$STATE/cni/net.d" "$STATE/containerd"
# This VM's root lacks CAP_SYS_RESOURCE, so runc cannot lower a process's oom_score_adj below containerd's own (the
# pause container asks for -998): restrict_oom_score_adj clamps instead of failing every pod sandbox. Network
# namespaces are mounted under containerd's state folder (netns_mounts_under_state_dir), not /var/run/netns, so
# whatever a fault leaves behind is under .cluster/ too.
if [ "$CONTAINERD_FLAVOUR" = 2 ]; then
  # containerd 2 reads configuration version 3: the CRI plugin is split into images and runtime plugins.
  cat >"$STATE/containerd/config.toml" <<TOML
version = 3
root = "$STATE/containerd/root"
state = "$STATE/containerd/state"
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins.'io.containerd.internal.v1.opt']
  path = "$STATE/containerd/opt"
[plugins.'io.containerd.nri.v1.nri']
  disable = true
[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = "sequential-job.local/pause:1"
[plugins.'io.containerd.cri.v1.runtime']
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  [plugins.'io.containerd.cri.v1.runtime'.containerd]
    default_runtime_name = "runc"
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ["/usr/lib/cni"]
    conf_dir = "$STATE/cni/net.d"
TOML
else
  cat >"$STATE/containerd/config.toml" <<TOML
version = 2
root = "$STATE/containerd/root"
state = "$STATE/containerd/state"
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "sequential-job.local/pause:1"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
TOML
fi
cat >"$STATE/cni/net.d/10-sequential-job.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "sequential-job",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$CNI_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "$POD_CIDR"}]],
        "dataDir": "$STATE/cni/ipam"
      }
    }
  ]
}
JSON
start_containerd
"$CLUSTER_SCRIPTS/images.sh" import

# --- kubelet
say "starting kubelet"
mkdir -p "$STATE/kubelet" "$STATE/pod-logs"
# Version-dependent settings: kubelet >= 1.35 refuses cgroup v1 (this machine's) unless failCgroupV1 is false, a
# field that exists from 1.31; podLogsDir exists from 1.30 (older kubelets write /var/log/pods, which down.sh
# cleans). EVENTED_PLEG=1 turns on the EventedPLEG feature gate.
kubelet_extra=""
[ "$K8S_MINOR_NUMBER" -lt 31 ] || kubelet_extra+=$'failCgroupV1: false\n'
[ "$K8S_MINOR_NUMBER" -lt 30 ] || kubelet_extra+="podLogsDir: $STATE/pod-logs"$'\n'
[ "${EVENTED_PLEG:-0}" != 1 ] || kubelet_extra+=$'featureGates:\n  EventedPLEG: true\n'
cat >"$STATE/kubelet-config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
readOnlyPort: 0
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
failSwapOn: false
${kubelet_extra}authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization:
  mode: Webhook
# Local images cannot be pulled again: never garbage-collect them, and evict only when truly out of room.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 100Mi
  nodefs.available: 1%
  nodefs.inodesFree: 1%
  imagefs.available: 1%
YAML
start_kubelet
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

say "cluster up in $((SECONDS - started))s (Kubernetes $K8S_VERSION): KUBECONFIG=${KUBECONFIG_ADMIN#"$ROOT"/}"
