#!/usr/bin/env bash
# Builds the embedded cluster's binaries from the Go module proxy, cached by stamps. Always (what every cluster runs):
#   kube-apiserver, kube-controller-manager, kube-scheduler,   .tools/cluster/<version>/bin, one wrapper module per
#   kubelet, kubectl                                           minor (scripts/cluster/kubernetes/<minor>; K8S=<minor>)
#   etcd                                                       .tools/cluster/bin (scripts/cluster/etcd)
#   pause                                                      .tools/cluster/bin (scripts/cluster/pause)
#   act                                                        .tools/cluster/bin (scripts/cluster/no-shell), the
#                                                              program of the image without a shell (images.sh)
# Only when asked (`make demo` runs none of them; `make e2e` asks for VOLCANO, KUEUE, CRICTL and STORAGE):
#   volcano/{scheduler,controller-manager,webhook-manager}     VOLCANO=1: .tools/cluster/bin (scripts/cluster/volcano)
#   kueue                                                      KUEUE=1: .tools/cluster/bin (go install, KUEUE_VERSION
#                                                              in lib.sh)
#   crictl                                                     CRICTL=1: .tools/cluster/bin (go install, pinned); the
#                                                              fault tests stop pod sandboxes with it
#   kwok                                                       KWOK=1: .tools/cluster/bin (go install, KWOK_VERSION in
#                                                              lib.sh); simulated nodes for make bench's scale part
#   containerd, containerd-shim-runc-v2, ctr                   CONTAINERD=2 or EVENTED_PLEG=1:
#                                                              .tools/cluster/containerd-<version>/bin (go install)
#   local-path-provisioner                                     STORAGE=1: .tools/cluster/bin (go install, pinned below);
#                                                              the StorageClasses' provisioner (storage-up.sh)
# A second run rebuilds nothing. Long builds print what is being built and for how long.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mkdir -p "$CBIN"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

stamp_file() { echo "$ROOT/.tools/cluster/${1//\//-}.stamp"; }
# The stamp is the hash of the module's files: change go.mod (a version bump) and it rebuilds.
module_hash() { (cd "$CLUSTER_SCRIPTS/$1" && find . -maxdepth 1 -type f -name "go.*" -o -maxdepth 1 -type f -name "*.go" | sort | xargs cat | sha256sum | cut -d" " -f1); }

# with_progress LABEL CMD...: run CMD, printing every 30 s what is building and how long it has taken.
with_progress() {
  local label=$1 start=$SECONDS; shift
  say "building $label"
  "$@" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 5
    if kill -0 "$pid" 2>/dev/null && (((SECONDS - start) % 30 < 5)); then
      say "still building $label: $((SECONDS - start))s"
    fi
  done
  wait "$pid" || die "building $label failed"
  say "built $label in $((SECONDS - start))s"
}

build_module() {  # build_module DIR LABEL OUTPUTS... -- GO-BUILD-ARGS...  (OUTPUTS: absolute paths)
  local dir=$1 label=$2; shift 2
  local outputs=() hash
  while [ "$1" != "--" ]; do outputs+=("$1"); shift; done; shift
  hash=$(module_hash "$dir")
  local missing=0
  for o in "${outputs[@]}"; do [ -x "$o" ] || missing=1; done
  if [ $missing = 0 ] && [ "$(cat "$(stamp_file "$dir")" 2>/dev/null)" = "$hash" ]; then
    say "$label: cached"
    return
  fi
  (cd "$CLUSTER_SCRIPTS/$dir" && with_progress "$label" go build -trimpath "$@")
  echo "$hash" >"$(stamp_file "$dir")"
}

# Kubernetes: K8S_VERSION, K8S_MINOR_NUMBER and KBIN come from lib.sh (K8S=<minor>, default kubernetes/default).
mkdir -p "$KBIN"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$K8S_MINOR_NUMBER -X $pkg.gitTreeState=clean"
done
k8s_cmds=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl)
build_module "kubernetes/$K8S_MINOR" "Kubernetes $K8S_VERSION (${k8s_cmds[*]}; first build: 5-10 min on 2 cores)" \
  "${k8s_cmds[@]/#/$KBIN/}" -- -tags selinux,notest -ldflags "$ldflags" -o "$KBIN/" "${k8s_cmds[@]/#/k8s.io/kubernetes/cmd/}"

ETCD_VERSION=$(awk '$1=="require" && $2=="go.etcd.io/etcd/server/v3" {print $3}' "$CLUSTER_SCRIPTS/etcd/go.mod")
build_module etcd "etcd $ETCD_VERSION" "$CBIN/etcd" -- -ldflags "-s -w" -o "$CBIN/etcd" .
if [ "${VOLCANO:-0}" = 1 ]; then
  VOLCANO_VERSION=$(awk '$1=="require" && $2=="volcano.sh/volcano" {print $3}' "$CLUSTER_SCRIPTS/volcano/go.mod")
  mkdir -p "$CBIN/volcano"
  build_module volcano "Volcano $VOLCANO_VERSION (${VOLCANO_CMDS[*]}; first build: about 5 min)" \
    "${VOLCANO_CMDS[@]/#/$CBIN/volcano/}" -- -ldflags "-s -w" -o "$CBIN/volcano/" "${VOLCANO_CMDS[@]/#/volcano.sh/volcano/cmd/}"
fi
build_module pause "pause" "$CBIN/pause" -- -ldflags "-s -w" -o "$CBIN/pause" .
build_module no-shell "act" "$CBIN/act" -- -ldflags "-s -w" -o "$CBIN/act" .

# go_install LABEL BINARY VERSION PACKAGE@VERSION: `go install` a module without replace lines into $CBIN (cached by
# version).
go_install() {
  local label=$1 binary=$2 version=$3 package=$4
  if [ -x "$CBIN/$binary" ] && [ "$(cat "$(stamp_file "$binary")" 2>/dev/null)" = "$version" ]; then
    say "$label: cached"
    return
  fi
  with_progress "$label" env GOBIN="$CBIN" go install -trimpath -ldflags "-s -w" "$package"
  echo "$version" >"$(stamp_file "$binary")"
}
# crictl: the fault tests stop pod sandboxes with it; where it is built, cluster-down also removes pod sandboxes
# through the CRI with it (without it, down.sh kills the shims, which the check at its end verifies).
CRICTL_VERSION=v1.34.0
if [ "${CRICTL:-0}" = 1 ]; then
  go_install "crictl $CRICTL_VERSION" crictl "$CRICTL_VERSION" "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION"
fi
if [ "${KWOK:-0}" = 1 ]; then
  go_install "kwok $KWOK_VERSION (first build: about 3 min)" kwok "$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
fi
if [ "${KUEUE:-0}" = 1 ]; then
  go_install "Kueue $KUEUE_VERSION (first build: 5-15 min on 2 cores, plus 550 MB of modules)" kueue "$KUEUE_VERSION" \
    "sigs.k8s.io/kueue/cmd/kueue@$KUEUE_VERSION"
fi
# rancher's local-path-provisioner: its go.mod has no replace lines. 170 CPU-seconds and 220 MB of modules cold.
LOCAL_PATH_PROVISIONER_VERSION=v0.0.30
if [ "${STORAGE:-0}" = 1 ]; then
  go_install "local-path-provisioner $LOCAL_PATH_PROVISIONER_VERSION (first build: 2-6 min on 2 cores)" \
    local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION" \
    "github.com/rancher/local-path-provisioner@$LOCAL_PATH_PROVISIONER_VERSION"
fi
# containerd 2 (CONTAINERD=2, EVENTED_PLEG=1): Debian's containerd 1.6 lacks the CRI's container event stream the
# kubelet's EventedPLEG needs. Its module has no replace lines; cgo for the runc shim's bits, and no btrfs, devmapper
# or zfs snapshotters (their C headers are not installed; the cluster uses overlayfs).
if [ "$CONTAINERD_FLAVOUR" = 2 ]; then
  c2_cmds=(containerd containerd-shim-runc-v2 ctr)
  if [ "$(cat "$(stamp_file "containerd-$CONTAINERD2_VERSION")" 2>/dev/null)" = "$CONTAINERD2_VERSION" ] &&
    [ -x "$C2BIN/containerd" ] && [ -x "$C2BIN/containerd-shim-runc-v2" ] && [ -x "$C2BIN/ctr" ]; then
    say "containerd $CONTAINERD2_VERSION: cached"
  else
    mkdir -p "$C2BIN"
    c2_ldflags="-s -w -X github.com/containerd/containerd/v2/version.Version=$CONTAINERD2_VERSION"
    c2_pkgs=()
    for cmd in "${c2_cmds[@]}"; do c2_pkgs+=("github.com/containerd/containerd/v2/cmd/$cmd@$CONTAINERD2_VERSION"); done
    with_progress "containerd $CONTAINERD2_VERSION (${c2_cmds[*]}; first build: about 2 min)" \
      env GOBIN="$C2BIN" CGO_ENABLED=1 go install -trimpath -tags "no_btrfs no_devmapper no_zfs" -ldflags "$c2_ldflags" \
      "${c2_pkgs[@]}"
    echo "$CONTAINERD2_VERSION" >"$(stamp_file "containerd-$CONTAINERD2_VERSION")"
  fi
fi
say "binaries ready: Kubernetes in ${KBIN#"$ROOT"/}, the rest in ${CBIN#"$ROOT"/}"
