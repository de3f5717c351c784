#!/usr/bin/env bash
# Adds Volcano to the running embedded cluster (up.sh calls it when VOLCANO=1): the CRDs of the pinned Volcano
# module, admission webhooks served by vc-webhook-manager on 127.0.0.1 over a certificate from the cluster's CA,
# and vc-controller-manager and vc-scheduler, all as host processes recorded in .cluster/pids like the rest.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$CLUSTER_SCRIPTS/components.sh"
WEBHOOK_PORT=$VOLCANO_WEBHOOK_PORT

say "installing Volcano's CRDs"
crds=$("$CLUSTER_SCRIPTS/volcano-crds.sh")
kc apply --server-side -f "$crds/volcano/bases" -f "$crds/jobflow/bases" >/dev/null
wait_crds_established

serving_cert volcano-webhook "$PKI/volcano-webhook.key" "$PKI/volcano-webhook.crt"
ca_bundle=$(base64 -w0 <"$PKI/ca.crt")

# The webhook manager only fills in caBundle of configurations named volcano-admission-service-<path>; it does not
# create them. These mirror the rules Volcano's webhooks declare, pointed at the host process by URL.
webhook() {  # webhook KIND PATH NAME GROUP VERSION RESOURCE OPERATIONS
  local kind=$1 path=$2 name=$3 group=$4 version=$5 resource=$6 ops=$7
  cat <<YAML
---
apiVersion: admissionregistration.k8s.io/v1
kind: ${kind}WebhookConfiguration
metadata:
  name: volcano-admission-service${path//\//-}
webhooks:
  - name: $name
    admissionReviewVersions: [v1]
    sideEffects: None
    failurePolicy: Fail
    timeoutSeconds: 10
    clientConfig:
      url: https://127.0.0.1:$WEBHOOK_PORT$path
      caBundle: $ca_bundle
    rules:
      - apiGroups: [$group]
        apiVersions: [$version]
        resources: [$resource]
        operations: [$ops]
YAML
}
{
  webhook Mutating /jobs/mutate mutatejob.volcano.sh batch.volcano.sh v1alpha1 jobs CREATE
  webhook Validating /jobs/validate validatejob.volcano.sh batch.volcano.sh v1alpha1 jobs "CREATE, UPDATE"
  webhook Mutating /podgroups/mutate mutatepodgroup.volcano.sh scheduling.volcano.sh v1beta1 podgroups CREATE
  webhook Mutating /queues/mutate mutatequeue.volcano.sh scheduling.volcano.sh v1beta1 queues CREATE
  webhook Validating /queues/validate validatequeue.volcano.sh scheduling.volcano.sh v1beta1 queues "CREATE, UPDATE, DELETE"
} >"$STATE/volcano-webhooks.yaml"
kc apply -f "$STATE/volcano-webhooks.yaml" >/dev/null

cat >"$STATE/volcano-scheduler.conf" <<'CONF'
actions: "enqueue, allocate, backfill"
tiers:
  - plugins:
      - name: priority
      - name: gang
      - name: conformance
  - plugins:
      - name: drf
      - name: predicates
      - name: proportion
      - name: nodeorder
CONF
say "starting vc-webhook-manager, vc-controller-manager and vc-scheduler"
start_vc_webhook_manager
start_vc_controller_manager
start_vc_scheduler

# Ready when the scheduler has created the default queue and the webhooks answer a dry-run Job.
probe_job() {
  kc create --dry-run=server -f - <<'YAML'
apiVersion: batch.volcano.sh/v1alpha1
kind: Job
metadata: {name: readiness-probe, namespace: default}
spec:
  tasks:
    - name: t
      replicas: 1
      template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox:1.36}]}}
YAML
}
for _ in $(seq 120); do
  if queue=$(kc get queue default 2>&1) && probe=$(probe_job 2>&1); then
    say "Volcano ready"
    exit 0
  fi
  for name in vc-webhook-manager vc-controller-manager vc-scheduler; do
    kill -0 "$(cat "$PIDS/$name.pid")" 2>/dev/null || { tail -n 30 "$LOGS/$name.log" >&2; die "$name exited"; }
  done
  sleep 0.5
done
echo "default queue: ${queue:-}" >&2
echo "dry-run Volcano Job: ${probe:-not tried}" >&2
for name in vc-webhook-manager vc-controller-manager vc-scheduler; do
  echo "--- last lines of $name.log" >&2
  tail -n 15 "$LOGS/$name.log" >&2
done
die "Volcano not ready after 60s"
