#!/usr/bin/env bash
# with-cluster.sh CMD...: run CMD with KUBECONFIG pointing at a cluster, then tear down what was started.
#   CLUSTER=embedded (default)  bring the embedded cluster up first and down afterwards (on success, failure or
#                               Ctrl-C), unless KEEP=1 leaves it running for a look around
#   CLUSTER=existing            use the cluster in $KUBECONFIG as it is; nothing is started or stopped
# K8S=<minor>, CONTAINERD=2, EVENTED_PLEG=1 and VOLCANO=1 choose what the embedded cluster runs (up.sh). CMD gets
# KUBECONFIG and KUBECTL, and on the embedded cluster EMBEDDED_CLUSTER (its state folder, for the fault tests).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
case "${CLUSTER:-embedded}" in
  existing)
    [ -n "${KUBECONFIG:-}" ] || die "CLUSTER=existing needs KUBECONFIG"
    export KUBECTL="${KUBECTL:-$(command -v kubectl || echo "$KBIN/kubectl")}"
    unset EMBEDDED_CLUSTER
    exec "$@"
    ;;
  embedded) ;;
  *) die "CLUSTER must be 'embedded' or 'existing', not '${CLUSTER}'" ;;
esac

# One embedded cluster per machine (fixed ports, one CNI bridge): wait for any other run holding it.
exec 9>/tmp/sequential-job-cluster.lock
if ! flock -n 9; then
  say "another embedded cluster run holds /tmp/sequential-job-cluster.lock; waiting (up to 1 hour)"
  waited=$SECONDS
  flock -w 3600 9 || die "gave up waiting for the other cluster run"
  say "got the cluster lock after waiting $((SECONDS - waited))s"
fi

teardown() {
  local status=$?
  if [ "${KEEP:-0}" = 1 ]; then
    say "KEEP=1: the cluster stays up (KUBECONFIG=$KUBECONFIG_ADMIN); make cluster-down stops it"
  else
    "$CLUSTER_SCRIPTS/down.sh" || status=1
  fi
  exit $status
}
trap teardown EXIT
trap 'exit 130' INT TERM
"$CLUSTER_SCRIPTS/up.sh"
export KUBECONFIG="$KUBECONFIG_ADMIN" KUBECTL="$KBIN/kubectl" EMBEDDED_CLUSTER="$STATE"
"$@"
