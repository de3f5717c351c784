#!/usr/bin/env bash
# The seed's story on a real cluster: install values/seed.yaml, then print each step's logs in execution order
# with its start and finish time, then the Job's final status. Run through scripts/cluster/with-cluster.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HELM=${HELM:-$ROOT/.tools/bin/helm}
NS=sequential-job-demo
RELEASE=seed

# The seed's job-2 requests 3 CPUs; values/dev.yaml (on seed.yaml) lowers that to 100m so the chain schedules on a
# 2-core node.
overlay=values/seed.yaml
if [ "$(nproc)" -lt 3 ]; then
  echo "This machine has $(nproc) CPUs and the seed's job-2 requests 3: adding values/dev.yaml (job-2 requests 100m)."
  overlay=values/dev.yaml
fi
read -ra overlays < <(cd "$ROOT" && .venv/bin/python -m sequential_job.overlays "$overlay")
(cd "$ROOT" && "$HELM" upgrade --install "$RELEASE" charts/sequential-job -n "$NS" --create-namespace "${overlays[@]}")
echo
status=0
"$ROOT/.venv/bin/kubectl-sequential_job" logs "$RELEASE" -n "$NS" --wait 180 || status=$?
if [ "${CLUSTER:-embedded}" = existing ] && [ "${KEEP:-0}" != 1 ]; then
  "$HELM" uninstall "$RELEASE" -n "$NS" --wait >/dev/null
fi
case $status in
  0) echo "The seed's steps ran in order and the Job completed." ;;
  1) echo "The Job failed." >&2; exit 1 ;;
  *) echo "The Job did not finish in time (kubectl sequential-job logs exited $status)." >&2; exit 1 ;;
esac
