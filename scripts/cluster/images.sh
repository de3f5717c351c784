#!/usr/bin/env bash
# Builds the cluster's local images as OCI archives under .tools/cluster/images (cached), with no registry:
#   pause   the pod sandbox image: our pause program (scripts/cluster/pause)
#   busybox Debian's busybox-static with its applets linked, enough for the seed's steps (sh, date, sleep, cat)
#   kubectl busybox plus the cluster's own kubectl, for steps that call the Kubernetes API
# `images.sh import [N]` loads them into the running containerd of node N (default 1; lib.sh's node_vars) and adds
# the names values files use (docker.io/library/alpine:3.11, the seed's image, and docker.io/library/busybox:1.36,
# the tests').
set -euo pipefail
source "$(dirname "$0")/lib.sh"
IMAGES="$ROOT/.tools/cluster/images"
# Each archive's one image is tagged "1"; `ctr images import --base-name` turns that into these references.
PAUSE_REF=sequential-job.local/pause:1
BUSYBOX_REF=sequential-job.local/busybox:1
KUBECTL_REF=sequential-job.local/kubectl:1
ALIASES=(docker.io/library/alpine:3.11 docker.io/library/busybox:1.36)

# build NAME ENTRYPOINT FILL-FUNCTION: an OCI archive NAME.tar with one layer made by FILL-FUNCTION ROOTFS.
build() {
  local name=$1 entrypoint=$2 fill=$3 work
  work=$(mktemp -d)
  umoci init --layout "$work/oci"
  umoci new --image "$work/oci:1"
  umoci unpack --image "$work/oci:1" "$work/bundle" >/dev/null
  "$fill" "$work/bundle/rootfs"
  umoci repack --image "$work/oci:1" "$work/bundle"
  umoci config --image "$work/oci:1" --config.entrypoint "$entrypoint" --config.workingdir / \
    --config.env PATH=/bin --architecture amd64 --os linux
  umoci gc --layout "$work/oci"
  tar -C "$work/oci" -cf "$IMAGES/$name.tar" .
  rm -rf "$work"
}

fill_pause() { install -m 0755 "$CBIN/pause" "$1/pause"; }
fill_busybox() {
  local rootfs=$1
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
  chmod 1777 "$rootfs/tmp"
  install -m 0755 /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$rootfs/etc/group"
}

fill_kubectl() {
  fill_busybox "$1"
  install -m 0755 "$KBIN/kubectl" "$1/bin/kubectl"
}

build_all() {
  mkdir -p "$IMAGES"
  [ -x /bin/busybox ] || die "/bin/busybox is missing: scripts/cluster/host-packages.sh installs busybox-static"
  local want
  # the files' content, not their paths: checkouts that share .tools/ must agree on the stamp
  want="$(cat "$CBIN/pause" /bin/busybox "$KBIN/kubectl" "$0" | sha256sum | cut -d' ' -f1)"
  if [ -f "$IMAGES/pause.tar" ] && [ -f "$IMAGES/busybox.tar" ] && [ -f "$IMAGES/kubectl.tar" ] &&
    [ "$(cat "$IMAGES/stamp" 2>/dev/null)" = "$want" ]; then
    say "images: cached"
    return
  fi
  say "building the pause, busybox and kubectl images"
  build pause /pause fill_pause
  build busybox /bin/sh fill_busybox
  build kubectl /bin/sh fill_kubectl
  echo "$want" >"$IMAGES/stamp"
}

# ctr of containerd 2 warns on every call that its cgroup v1 support is deprecated (this machine's cgroups are v1).
ctr_quiet() { "$CTR_BIN" --address "$CONTAINERD_SOCK" -n k8s.io "$@" 2> >(grep -v "support for cgroup v1 is deprecated" >&2); }

import_all() {
  local ctr=(ctr_quiet)
  "${ctr[@]}" images import --base-name "${PAUSE_REF%:1}" "$IMAGES/pause.tar" >/dev/null
  "${ctr[@]}" images import --base-name "${BUSYBOX_REF%:1}" "$IMAGES/busybox.tar" >/dev/null
  "${ctr[@]}" images import --base-name "${KUBECTL_REF%:1}" "$IMAGES/kubectl.tar" >/dev/null
  for alias in "${ALIASES[@]}"; do "${ctr[@]}" images tag --force "$BUSYBOX_REF" "$alias" >/dev/null; done
  say "images imported into node $NODE: $PAUSE_REF, $BUSYBOX_REF (also as ${ALIASES[*]}), $KUBECTL_REF"
}

case "${1:-build}" in
  build) build_all ;;
  import) node_vars "${2:-1}"; import_all ;;
  *) die "usage: images.sh [build|import [N]]" ;;
esac
