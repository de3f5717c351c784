#!/usr/bin/env bash
# Adds kwok to the running embedded cluster (up.sh calls it when KWOK=1): a kwok controller, as a host process recorded
# in .cluster/pids like the rest, that plays every node annotated kwok.x-k8s.io/node=fake and the pods bound to them,
# against the real API server, scheduler, controllers, Volcano and Kueue. Nothing runs on such a node: kwok writes the
# node's status and leases, and each pod's status through the stages in scripts/cluster/kwok/chain-stages.yaml (a
# chain's steps one at a time) and kwok's own node stages. The bench's scale part (bench/scale.py) creates the nodes.
# Every simulated node advertises this machine's node address (.cluster/node-ip) with kwok's own port, where kwok
# serves the kubelet API the API server calls for logs, exec and metrics (over TLS, a certificate of the cluster CA):
# nothing is ever sent to an address that no process here serves. Every simulated container's log is the one line of
# scripts/cluster/kwok/pod.log (in the CRI's log format, which kwok reads).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$CLUSTER_SCRIPTS/components.sh"
KWOK="$STATE/kwok"
mkdir -p "$KWOK"
node_ip=$(cat "$STATE/node-ip")
sign kwok "/CN=kwok" "IP:127.0.0.1,IP:$node_ip"
module=$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
node_stages=("$module/kustomize/stage/node/fast/node-initialize.yaml"
  "$module/kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml")
for file in "${node_stages[@]}"; do [ -f "$file" ] || die "no $file in sigs.k8s.io/kwok@$KWOK_VERSION"; done

# Leases of 160 s, renewed every 40 s (a quarter), inside the node controller's 50 s grace period: 25 writes a second
# for 1000 nodes, where real kubelets renew every 10 s.
{
  cat <<YAML
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  manageAllNodes: false
  manageNodesWithAnnotationSelector: $KWOK_NODE_ANNOTATION
  nodeIP: $node_ip
  # kwok's pool of pod addresses; the stages give every pod its node's address instead, this one.
  cidr: $node_ip/32
  nodePort: $KWOK_PORT
  serverAddress: $node_ip:$KWOK_PORT
  tlsCertFile: $PKI/kwok.crt
  tlsPrivateKeyFile: $PKI/kwok.key
  nodeLeaseDurationSeconds: 160
  # (every option set: kwok does not default the ones a configuration file leaves out)
  nodeLeaseParallelism: 4
  podPlayStageParallelism: 16
  nodePlayStageParallelism: 4
  podsOnNodeSyncParallelism: 1
  enablePodsOnNodeSyncListPager: true
  enablePodsOnNodeSyncStreamWatch: false
  enableDebuggingHandlers: true
  enableProfilingHandler: false
  enableContentionProfiling: false
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata:
  name: chain-steps
spec:
  logs:
    - logsFile: $CLUSTER_SCRIPTS/kwok/pod.log
YAML
  # Each file's documents as they are, but for a first `---` line, which would leave an empty document.
  for file in "${node_stages[@]}" "$CLUSTER_SCRIPTS/kwok/chain-stages.yaml"; do
    echo "---"
    sed '0,/^---$/{/^---$/d}' "$file"
  done
} >"$KWOK/kwok.yaml"

say "starting kwok (simulated nodes: annotation $KWOK_NODE_ANNOTATION; kubelet API on $node_ip:$KWOK_PORT)"
start_kwok
