#!/usr/bin/env bash
# restart.sh COMPONENT: stop one component of the running embedded cluster by its pid (SIGTERM to its process group,
# SIGKILL after a grace period) and start it again with the same start function up.sh used (components.sh), then
# wait until it answers. The fault tests (tests/e2e/test_faults.py) use it; so can you, on a cluster from
# `KEEP=1 make e2e` or `make cluster-up`. Components: etcd kube-apiserver kube-controller-manager kube-scheduler
# containerd kubelet, and with VOLCANO=1 vc-webhook-manager vc-controller-manager vc-scheduler.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$CLUSTER_SCRIPTS/components.sh"

name=${1:-}
if [ -z "$name" ] || [ -z "${COMPONENT_GRACE[$name]:-}" ]; then
  die "usage: restart.sh COMPONENT, one of: ${!COMPONENT_GRACE[*]}"
fi
[ -f "$PIDS/$name.pid" ] || die "$name is not running in ${STATE#"$ROOT"/} (is the cluster up? VOLCANO=1 for vc-*)"
started=$SECONDS
say "restarting $name"
stop "$name" "${COMPONENT_GRACE[$name]}"
printf '\n===== restarted by restart.sh at %s =====\n' "$(date -u +%FT%TZ)" >>"$LOGS/$name.log"
"start_${name//-/_}"
say "$name restarted and answering in $((SECONDS - started))s"
