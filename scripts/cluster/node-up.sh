#!/usr/bin/env bash
# node-up.sh N: starts node N of the embedded cluster against its running control plane and returns once the node is
# Ready. up.sh calls it for node 1 to NODES; run by hand (as root, the cluster up), it adds a node to a running
# cluster, which `make cluster-down` then removes with the rest. A node is its own containerd (root, state, socket),
# CNI bridge and pod CIDR, the local images, and a kubelet (root folder, ports, cgroup root, pod logs) that
# registers with the one API server as system:node:<name> by a client certificate of the cluster's CA. Node N's
# names, paths and ports come from lib.sh's node_vars; all of them share the machine's node address.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$CLUSTER_SCRIPTS/components.sh"
[ $# = 1 ] || die "usage: node-up.sh N (1 to $MAX_NODES)"
node_vars "$1"
if [ ! -f "$KUBECONFIG_ADMIN" ] || [ ! -f "$STATE/node-ip" ]; then
  die "no cluster is up in ${STATE#"$ROOT"/} (make cluster-up first)"
fi
[ ! -f "$PIDS/kubelet$NODE_SUFFIX.pid" ] || die "node $NODE ($NODE_NAME) is already up"
# A second kubelet on this machine needs a pod log folder of its own: a kubelet removes from its log folder the
# folders of pods it does not run, and before 1.30 (podLogsDir) every kubelet's is /var/log/pods.
[ "$NODE" = 1 ] || [ "$K8S_MINOR_NUMBER" -ge 30 ] ||
  die "a second node needs Kubernetes 1.30 or newer (a pod log folder per kubelet, podLogsDir), not $K8S_VERSION"
[ ${#CONTAINERD_SOCK} -lt 100 ] || die "state path too long for a unix socket: $CONTAINERD_SOCK (set CLUSTER_STATE)"
NODE_IP=$(cat "$STATE/node-ip")
mkdir -p "$NODE_STATE" "$STATE/nodes"
# .cluster/nodes/<node name> -> the node's folder, for the tests that read a pod's volumes on its node.
ln -sfn "$NODE_STATE" "$STATE/nodes/$NODE_NAME"

# --- credentials: the kubelet's client certificate (the Node authorizer and NodeRestriction know it by its name)
sign "kubelet$NODE_SUFFIX" "/O=system:nodes/CN=system:node:$NODE_NAME"
cat >"$NODE_STATE/kubelet.kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters:
  - name: sequential-job
    cluster:
      server: https://127.0.0.1:$APISERVER_PORT
      certificate-authority: $PKI/ca.crt
users:
  - name: system:node:$NODE_NAME
    user:
      client-certificate: $PKI/kubelet$NODE_SUFFIX.crt
      client-key: $PKI/kubelet$NODE_SUFFIX.key
contexts:
  - name: sequential-job
    context: {cluster: sequential-job, user: system:node:$NODE_NAME}
current-context: sequential-job
YAML
chmod 600 "$NODE_STATE/kubelet.kubeconfig"

# --- cgroup root: a folder of its own in every cgroup hierarchy, which its kubelet requires to exist (so that no
# kubelet sees another's pods, and down.sh can remove what they leave); cpuset needs its CPUs and memory nodes set
# before anything can join it.
for dir in $(node_cgroup_dirs); do
  mkdir -p "$dir"
  for file in cpuset.cpus cpuset.mems; do
    [ ! -f "$dir/$file" ] || [ -n "$(cat "$dir/$file")" ] || cat "$(dirname "$dir")/$file" >"$dir/$file"
  done
done

# --- container runtime: a containerd of its own (root, state, socket) with its own CNI bridge and pod CIDR
say "node $NODE ($NODE_NAME): starting containerd"
mkdir -p "$NODE_STATE/cni/net.d" "$NODE_STATE/containerd"
# This VM's root lacks CAP_SYS_RESOURCE, so runc cannot lower a process's oom_score_adj below containerd's own (the
# pause container asks for -998): restrict_oom_score_adj clamps instead of failing every pod sandbox. Network
# namespaces are mounted under containerd's state folder (netns_mounts_under_state_dir), not /var/run/netns, so
# whatever a fault leaves behind is under .cluster/ too.
if [ "$CONTAINERD_FLAVOUR" = 2 ]; then
  # containerd 2 reads configuration version 3: the CRI plugin is split into images and runtime plugins.
  cat >"$NODE_STATE/containerd/config.toml" <<TOML
version = 3
root = "$NODE_STATE/containerd/root"
state = "$NODE_STATE/containerd/state"
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins.'io.containerd.internal.v1.opt']
  path = "$NODE_STATE/containerd/opt"
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
    conf_dir = "$NODE_STATE/cni/net.d"
TOML
else
  cat >"$NODE_STATE/containerd/config.toml" <<TOML
version = 2
root = "$NODE_STATE/containerd/root"
state = "$NODE_STATE/containerd/state"
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.internal.v1.opt"]
  path = "$NODE_STATE/containerd/opt"
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
    conf_dir = "$NODE_STATE/cni/net.d"
TOML
fi
cat >"$NODE_STATE/cni/net.d/10-sequential-job.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "sequential-job$NODE_SUFFIX",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$CNI_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "$POD_CIDR"}]],
        "dataDir": "$NODE_STATE/cni/ipam"
      }
    }
  ]
}
JSON
start_containerd
"$CLUSTER_SCRIPTS/images.sh" import "$NODE"

# --- kubelet
say "node $NODE ($NODE_NAME): starting the kubelet"
mkdir -p "$NODE_STATE/kubelet" "$NODE_STATE/pod-logs"
# Version-dependent settings: kubelet >= 1.35 refuses cgroup v1 (this machine's) unless failCgroupV1 is false, a
# field that exists from 1.31; podLogsDir exists from 1.30 (older kubelets write /var/log/pods, which down.sh
# cleans). EVENTED_PLEG=1 turns on the EventedPLEG feature gate.
kubelet_extra=""
[ "$K8S_MINOR_NUMBER" -lt 31 ] || kubelet_extra+=$'failCgroupV1: false\n'
[ "$K8S_MINOR_NUMBER" -lt 30 ] || kubelet_extra+="podLogsDir: $NODE_STATE/pod-logs"$'\n'
[ "${EVENTED_PLEG:-0}" != 1 ] || kubelet_extra+=$'featureGates:\n  EventedPLEG: true\n'
cat >"$NODE_STATE/kubelet-config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: $KUBELET_PORT
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
readOnlyPort: 0
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
cgroupRoot: $KUBELET_CGROUP_ROOT
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
say "node $NODE ($NODE_NAME) Ready: kubelet API on $NODE_IP:$KUBELET_PORT, pods in $POD_CIDR on $CNI_BRIDGE"
