#!/usr/bin/env bash
# The end-to-end suite, run by `make e2e` through scripts/cluster/with-cluster.sh (so KUBECONFIG is set):
#   1. everything but the fault tests, several at once (E2E_ARGS, default -n 3: the tests mostly wait on pods, so
#      three run at once on two cores);
#   2. the fault tests (tests/e2e/test_faults.py, marker `faults`), one at a time and alone on the cluster, since they
#      restart its components; only on the embedded cluster, whose processes they restart (not CLUSTER=existing);
#   3. with E2E_NODES=1 (make e2e-matrix sets it), the two-node tests (marker `nodes`: tests/e2e/test_nodes.py,
#      test_addresses.py and the node faults of test_faults.py), one at a time, after a second node joins the
#      embedded cluster (scripts/cluster/node-up.sh 2, unless NODES=2 started it); not on CLUSTER=existing (they stop
#      the second node's kubelet), nor on Kubernetes before 1.30 (a second node needs its own pod log folder). CI's
#      `make e2e` leaves them out: they would take its cold run past 50 minutes (docs/cluster.md).
# E2E_JUNIT_DIR=DIR writes each part's JUnit XML there (make e2e-matrix reads them). Every part always runs; the
# script fails if any failed.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY="$ROOT/.venv/bin/python"
read -r -a args <<<"${E2E_ARGS:--n 3}"

status=0
echo "== e2e: the suite (Kubernetes $("${KUBECTL:-kubectl}" version -o json 2>/dev/null | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["serverVersion"]["gitVersion"])' 2>/dev/null || echo "version unknown"))"
"$PY" -m pytest "$ROOT/tests/e2e" -m "not faults and not nodes" "${args[@]}" ${E2E_JUNIT_DIR:+"--junitxml=$E2E_JUNIT_DIR/suite.xml"} || status=1
if [ "${CLUSTER:-embedded}" = existing ]; then
  echo "== e2e: the fault tests restart the embedded cluster's components; not run on CLUSTER=existing"
else
  echo "== e2e: fault tests, one at a time"
  "$PY" -m pytest "$ROOT/tests/e2e" -m "faults and not nodes" -p no:xdist ${E2E_JUNIT_DIR:+"--junitxml=$E2E_JUNIT_DIR/faults.xml"} || status=1
  minor=$(cat "$EMBEDDED_CLUSTER/k8s-minor")
  if [ "${E2E_NODES:-0}" != 1 ]; then
    echo "== e2e: two-node tests: E2E_NODES=1 runs them (make e2e-matrix does)"
  elif [ "${minor#1.}" -lt 30 ]; then
    echo "== e2e: two-node tests need Kubernetes 1.30 or newer (a pod log folder per kubelet); not run on $minor"
  else
    echo "== e2e: two-node tests, one at a time"
    if [ -e "$EMBEDDED_CLUSTER/nodes/sequential-job-node-2" ] || bash "$ROOT/scripts/cluster/node-up.sh" 2; then
      "$PY" -m pytest "$ROOT/tests/e2e" -m nodes -p no:xdist ${E2E_JUNIT_DIR:+"--junitxml=$E2E_JUNIT_DIR/nodes.xml"} || status=1
    else
      status=1
    fi
  fi
fi
exit $status
