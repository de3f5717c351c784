#!/usr/bin/env bash
# restart.sh [stop|start] COMPONENT: stop one component of the running embedded cluster by its pid (SIGTERM to its
# process group, SIGKILL after a grace period) and start it again with the same start function up.sh used
# (components.sh), then wait until it answers. `stop` only stops it (a lost node: `restart.sh stop kubelet-2`),
# `start` starts a stopped one again. The fault tests (tests/e2e/test_faults.py) use it; so can you, on a cluster
# from `KEEP=1 make e2e` or `make cluster-up`. Components: etcd kube-apiserver kube-controller-manager kube-scheduler
# containerd kubelet (node 1's; containerd-N and kubelet-N are node N's), with VOLCANO=1 vc-webhook-manager
# vc-controller-manager vc-scheduler, and with KWOK=1 kwok.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$CLUSTER_SCRIPTS/components.sh"

action=restart
case "${1:-}" in stop | start) action=$1; shift ;; esac
name=${1:-}
base=$name node=1
if [[ "$name" =~ ^(containerd|kubelet)-([2-9])$ ]]; then
  base=${BASH_REMATCH[1]} node=${BASH_REMATCH[2]}
fi
if [ -z "$base" ] || [ -z "${COMPONENT_GRACE[$base]:-}" ]; then
  die "usage: restart.sh [stop|start] COMPONENT, one of: ${!COMPONENT_GRACE[*]} (containerd-N, kubelet-N: node N's)"
fi
node_vars "$node"
[ "$node" = 1 ] || [ -d "$NODE_STATE" ] || die "node $node is not part of the cluster in ${STATE#"$ROOT"/}"
started=$SECONDS
if [ "$action" = start ]; then
  [ ! -f "$PIDS/$name.pid" ] || die "$name is already running"
else
  [ -f "$PIDS/$name.pid" ] || die "$name is not running in ${STATE#"$ROOT"/} (is the cluster up? VOLCANO=1 for vc-*)"
  say "$([ "$action" = stop ] && echo stopping || echo restarting) $name"
  stop "$name" "${COMPONENT_GRACE[$base]}"
  if [ "$action" = stop ]; then
    printf '\n===== stopped by restart.sh at %s =====\n' "$(date -u +%FT%TZ)" >>"$LOGS/$name.log"
    say "$name stopped"
    exit 0
  fi
fi
printf '\n===== %s by restart.sh at %s =====\n' "$([ "$action" = start ] && echo started || echo restarted)" \
  "$(date -u +%FT%TZ)" >>"$LOGS/$name.log"
"start_${base//-/_}"
say "$name $([ "$action" = start ] && echo started || echo restarted) and answering in $((SECONDS - started))s"
