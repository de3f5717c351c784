# shellcheck shell=bash
# The embedded cluster's components, one start function each (sourced after lib.sh, not run). up.sh writes their
# configuration once and calls these; restart.sh stops one component by its pid and calls the same function again,
# so a restarted component runs with exactly the flags and files it started with. Each function returns once the
# component answers (or fails, showing the end of its log).

# wait_for WHAT SECONDS CMD...: poll CMD until it succeeds; on timeout, or when WHAT's process has exited, show the
# end of its log and fail.
wait_for() {
  local what=$1 timeout=$2 t=0; shift 2
  until "$@" >/dev/null 2>&1; do
    if [ -f "$PIDS/$what.pid" ] && ! kill -0 "$(cat "$PIDS/$what.pid")" 2>/dev/null; then
      tail -n 30 "$LOGS/$what.log" >&2 || true
      die "$what exited during start-up (log: ${LOGS#"$ROOT"/}/$what.log)"
    fi
    t=$((t + 1))
    if [ $t -ge $((timeout * 2)) ]; then
      tail -n 30 "$LOGS/$what.log" >&2 || true
      die "$what not ready after ${timeout}s (log: ${LOGS#"$ROOT"/}/$what.log)"
    fi
    sleep 0.5
  done
}

# healthy URL: a component's /healthz or /readyz answers ok (the secure ports serve them to anyone, unauthenticated).
healthy() { [ "$(curl -fsSk --max-time 2 "$1" 2>/dev/null)" = ok ]; }

start_etcd() {
  start etcd "$CBIN/etcd" --name sequential-job --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "sequential-job=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync
  wait_for etcd 30 curl -fsS "http://127.0.0.1:$ETCD_CLIENT_PORT/health"
}

start_kube_apiserver() {
  local node_ip
  node_ip=$(cat "$STATE/node-ip")
  start kube-apiserver "$KBIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --bind-address 127.0.0.1 --secure-port "$APISERVER_PORT" --advertise-address "$node_ip" \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" --client-ca-file "$PKI/ca.crt" \
    --token-auth-file "$STATE/tokens.csv" --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --allow-privileged=true --service-cluster-ip-range "$SERVICE_CIDR" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP --cert-dir "$PKI/apiserver-generated" --profiling=false
  wait_for kube-apiserver 90 healthy "https://127.0.0.1:$APISERVER_PORT/readyz"
}

# KCM_API_QPS=N: each controller's client may send N requests a second (burst 1.5 N) instead of Kubernetes' default 20
# (burst 30); bench/scale.py's indexed-qps run restarts it so, to show what that limit costs a fan-out.
start_kube_controller_manager() {
  [[ "${KCM_API_QPS:-1}" =~ ^[1-9][0-9]*$ ]] || die "KCM_API_QPS must be a positive whole number, not '$KCM_API_QPS'"
  start kube-controller-manager "$KBIN/kube-controller-manager" --kubeconfig "$STATE/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$STATE/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$STATE/controller-manager.kubeconfig" \
    --leader-elect=false --bind-address 127.0.0.1 --use-service-account-credentials=false \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" --profiling=false \
    ${KCM_API_QPS:+--kube-api-qps "$KCM_API_QPS" --kube-api-burst "$((KCM_API_QPS * 3 / 2))"}
  wait_for kube-controller-manager 60 healthy https://127.0.0.1:10257/healthz
}

start_kube_scheduler() {
  start kube-scheduler "$KBIN/kube-scheduler" --kubeconfig "$STATE/scheduler.kubeconfig" \
    --authentication-kubeconfig "$STATE/scheduler.kubeconfig" --authorization-kubeconfig "$STATE/scheduler.kubeconfig" \
    --leader-elect=false --bind-address 127.0.0.1 --profiling=false
  wait_for kube-scheduler 60 healthy https://127.0.0.1:10259/healthz
}

# A node's containerd and kubelet: those of node $NODE (lib.sh's node_vars; node 1 unless the caller chose another),
# started as containerd<suffix> and kubelet<suffix>.
# containerd: Debian's (PATH) or containerd 2 from $C2BIN, whose shim must be on its PATH. Its shims, and so the
# pods' containers, outlive it: a restart reconnects to them.
start_containerd() {
  start "containerd$NODE_SUFFIX" env PATH="$(dirname "$CONTAINERD_BIN"):$PATH" "$CONTAINERD_BIN" \
    --config "$NODE_STATE/containerd/config.toml"
  wait_for "containerd$NODE_SUFFIX" 30 "$CTR_BIN" --address "$CONTAINERD_SOCK" version
}

start_kubelet() {
  start "kubelet$NODE_SUFFIX" "$KBIN/kubelet" --config "$NODE_STATE/kubelet-config.yaml" \
    --kubeconfig "$NODE_STATE/kubelet.kubeconfig" --hostname-override "$NODE_NAME" --node-ip "$(cat "$STATE/node-ip")" \
    --root-dir "$NODE_STATE/kubelet" --cert-dir "$NODE_STATE/kubelet/pki"
  wait_for "kubelet$NODE_SUFFIX" 90 healthy "http://127.0.0.1:$KUBELET_HEALTHZ_PORT/healthz"
  wait_for "kubelet$NODE_SUFFIX" 90 kc wait --for=condition=Ready "node/$NODE_NAME" --timeout=1s
}

VOLCANO_WEBHOOK_PORT=8443
start_vc_webhook_manager() {
  start vc-webhook-manager "$CBIN/volcano/webhook-manager" --kubeconfig "$KUBECONFIG_ADMIN" \
    --listen-address 127.0.0.1 --port "$VOLCANO_WEBHOOK_PORT" --webhook-url "https://127.0.0.1:$VOLCANO_WEBHOOK_PORT" \
    --tls-cert-file "$PKI/volcano-webhook.crt" --tls-private-key-file "$PKI/volcano-webhook.key" \
    --ca-cert-file "$PKI/ca.crt" --enabled-admission /jobs/mutate,/jobs/validate,/podgroups/mutate,/queues/mutate,/queues/validate \
    --enable-healthz --healthz-address 127.0.0.1:11251 --graceful-shutdown-time 2s
  wait_for vc-webhook-manager 60 healthy https://127.0.0.1:11251/healthz  # TLS: it has serving certificates
}

start_vc_controller_manager() {
  start vc-controller-manager "$CBIN/volcano/controller-manager" --kubeconfig "$KUBECONFIG_ADMIN" --leader-elect=false \
    --enable-healthz --healthz-address 127.0.0.1:11252
  wait_for vc-controller-manager 60 healthy http://127.0.0.1:11252/healthz
}

start_vc_scheduler() {
  start vc-scheduler "$CBIN/volcano/scheduler" --kubeconfig "$KUBECONFIG_ADMIN" --leader-elect=false \
    --scheduler-conf "$STATE/volcano-scheduler.conf" --schedule-period 500ms --enable-healthz \
    --healthz-address 127.0.0.1:11253 --listen-address 127.0.0.1:8080
  wait_for vc-scheduler 60 healthy http://127.0.0.1:11253/healthz
}

# kwok (kwok-up.sh writes its configuration): the simulated nodes and their pods. Its /healthz is on its kubelet API.
start_kwok() {
  start kwok "$CBIN/kwok" --kubeconfig "$KUBECONFIG_ADMIN" --config "$STATE/kwok/kwok.yaml"
  wait_for kwok 60 healthy "https://$(cat "$STATE/node-ip"):$KWOK_PORT/healthz"
}

# The components restart.sh knows, each with the seconds stop() gives it to exit before SIGKILL (containerd and
# kubelet: node 1's; containerd-N and kubelet-N: node N's).
# shellcheck disable=SC2034  # read by restart.sh, which sources this file
declare -A COMPONENT_GRACE=(
  [etcd]=15 [kube-apiserver]=15 [kube-controller-manager]=15 [kube-scheduler]=15 [containerd]=15 [kubelet]=15
  [vc-webhook-manager]=10 [vc-controller-manager]=10 [vc-scheduler]=10 [local-path-provisioner]=10 [kwok]=10
)

# rancher's local-path-provisioner (STORAGE=1, storage-up.sh writes its ConfigMap and StorageClasses first): a host
# process with the admin kubeconfig, so it talks only to the API server on 127.0.0.1; it opens no port (no metrics
# port is given). It reads config.json, the helper pod's template (which names the image: its --helper-image flag is
# unused) and the helper's setup/teardown scripts from the ConfigMap. Ready once its controller has started.
LOCAL_PATH_PROVISIONER_NAME=rancher.io/local-path
LOCAL_PATH_NAMESPACE=local-path-storage
LOCAL_PATH_CONFIGMAP=local-path-config
start_local_path_provisioner() {
  local log="$LOGS/local-path-provisioner.log" from
  from=$(($(stat -c %s "$log" 2>/dev/null || echo 0) + 1))  # a restart appends: look only at the new lines
  start local-path-provisioner "$CBIN/local-path-provisioner" start --kubeconfig "$KUBECONFIG_ADMIN" \
    --provisioner-name "$LOCAL_PATH_PROVISIONER_NAME" --namespace "$LOCAL_PATH_NAMESPACE" \
    --configmap-name "$LOCAL_PATH_CONFIGMAP" --service-account-name default
  # shellcheck disable=SC2016  # the inner shell expands them
  wait_for local-path-provisioner 60 \
    sh -c 'tail -c "+$1" "$2" | grep -q "Started provisioner controller"' sh "$from" "$log"
}
