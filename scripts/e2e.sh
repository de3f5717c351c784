#!/usr/bin/env bash
# The end-to-end suite, run by `make e2e` through scripts/cluster/with-cluster.sh (so KUBECONFIG is set):
#   1. everything but the fault tests, several at once (E2E_ARGS, default -n 3: the tests mostly wait on pods, so
#      three run at once on two cores);
#   2. the fault tests (tests/e2e/test_faults.py, marker `faults`), one at a time and alone on the cluster, since they
#      restart its components; only on the embedded cluster, whose processes they restart (not CLUSTER=existing).
# E2E_JUNIT_DIR=DIR writes each part's JUnit XML there (make e2e-matrix reads them). Both parts always run; the
# script fails if either failed.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY="$ROOT/.venv/bin/python"
read -r -a args <<<"${E2E_ARGS:--n 3}"

status=0
echo "== e2e: the suite (Kubernetes $("${KUBECTL:-kubectl}" version -o json 2>/dev/null | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["serverVersion"]["gitVersion"])' 2>/dev/null || echo "version unknown"))"
# ${E2E_JUNIT_DIR:+...}: the --junitxml argument when E2E_JUNIT_DIR is set, no argument at all otherwise.
"$PY" -m pytest "$ROOT/tests/e2e" -m "not faults" "${args[@]}" ${E2E_JUNIT_DIR:+"--junitxml=$E2E_JUNIT_DIR/suite.xml"} ||
  status=1
if [ "${CLUSTER:-embedded}" = existing ]; then
  echo "== e2e: the fault tests restart the embedded cluster's components; not run on CLUSTER=existing"
else
  echo "== e2e: fault tests, one at a time"
  "$PY" -m pytest "$ROOT/tests/e2e" -m faults -p no:xdist ${E2E_JUNIT_DIR:+"--junitxml=$E2E_JUNIT_DIR/faults.xml"} ||
    status=1
fi
exit $status
