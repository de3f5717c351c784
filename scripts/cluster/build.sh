#!/usr/bin/env bash
# Builds the embedded cluster's binaries from the Go module proxy into .tools/cluster/bin, cached by stamps:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kubectl  (scripts/cluster/kubernetes)
#   etcd                                                                      (scripts/cluster/etcd)
#   volcano/{scheduler,controller-manager,webhook-manager}                    (scripts/cluster/volcano)
#   pause                                                                     (scripts/cluster/pause)
#   crictl                                                                    (go install, pinned)
#   kueue                                                                     (go install, KUEUE_VERSION in lib.sh)
# A second run rebuilds nothing. Long builds print what is being built and for how long.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mkdir -p "$CBIN"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

stamp_file() { echo "$ROOT/.tools/cluster/$1.stamp"; }
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

build_module() {  # build_module DIR LABEL OUTPUTS... -- GO-BUILD-ARGS...
  local dir=$1 label=$2; shift 2
  local outputs=() hash
  while [ "$1" != "--" ]; do outputs+=("$CBIN/$1"); shift; done; shift
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

K8S_VERSION=$(awk '$1=="require" && $2=="k8s.io/kubernetes" {print $3}' "$CLUSTER_SCRIPTS/kubernetes/go.mod")
[ -n "$K8S_VERSION" ] || die "cannot read the k8s.io/kubernetes version from scripts/cluster/kubernetes/go.mod"
minor=$(echo "$K8S_VERSION" | cut -d. -f2)
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done
k8s_cmds=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl)
build_module kubernetes "Kubernetes $K8S_VERSION (${k8s_cmds[*]}; first build: 5-10 min on 2 cores)" "${k8s_cmds[@]}" -- \
  -tags selinux,notest -ldflags "$ldflags" -o "$CBIN/" "${k8s_cmds[@]/#/k8s.io/kubernetes/cmd/}"

ETCD_VERSION=$(awk '$1=="require" && $2=="go.etcd.io/etcd/server/v3" {print $3}' "$CLUSTER_SCRIPTS/etcd/go.mod")
build_module etcd "etcd $ETCD_VERSION" etcd -- -ldflags "-s -w" -o "$CBIN/etcd" .
VOLCANO_VERSION=$(awk '$1=="require" && $2=="volcano.sh/volcano" {print $3}' "$CLUSTER_SCRIPTS/volcano/go.mod")
volcano_cmds=(scheduler controller-manager webhook-manager)
mkdir -p "$CBIN/volcano"
build_module volcano "Volcano $VOLCANO_VERSION (${volcano_cmds[*]}; first build: about 5 min)" \
  "${volcano_cmds[@]/#/volcano/}" -- -ldflags "-s -w" -o "$CBIN/volcano/" "${volcano_cmds[@]/#/volcano.sh/volcano/cmd/}"
build_module pause "pause" pause -- -ldflags "-s -w" -o "$CBIN/pause" .

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
# crictl: cluster-down uses it to remove pod sandboxes through the CRI, so CNI and network namespaces are torn
# down properly.
CRICTL_VERSION=v1.34.0
go_install "crictl $CRICTL_VERSION" crictl "$CRICTL_VERSION" "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION"
go_install "Kueue $KUEUE_VERSION (first build: 5-15 min on 2 cores, plus 550 MB of modules)" kueue "$KUEUE_VERSION" "sigs.k8s.io/kueue/cmd/kueue@$KUEUE_VERSION"
say "binaries ready in ${CBIN#"$ROOT"/}"
