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
# An image with no shell, only our program /act (scripts/cluster/no-shell: print, write, sleep, exit with a code, fail
# the first N runs), its entrypoint: for `command` steps that the chart's step runtime must wrap without a shell.
NO_SHELL_REF=sequential-job.local/no-shell:1
# The busybox image's other names: the seed's alpine:3.11, the tests' busybox:1.36, and busybox:1.37.0-musl, the step
# runtime's default image (whose /bin/busybox is static, as Debian's busybox-static is).
ALIASES=(docker.io/library/alpine:3.11 docker.io/library/busybox:1.36 docker.io/library/busybox:1.37.0-musl)

# build NAME ENTRYPOINT FILL-FUNCTION: an OCI archive NAME.tar with one layer made by FILL-FUNCTION ROOTFS, written
# under another name and renamed, so that a cluster importing it meanwhile reads the old archive or the new one.
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
  tar -C "$work/oci" -cf "$IMAGES/.$name.tar.new" .
  mv "$IMAGES/.$name.tar.new" "$IMAGES/$name.tar"
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

fill_no_shell() { install -m 0755 "$CBIN/act" "$1/act"; }

# image NAME ENTRYPOINT "FILL-FUNCTIONS" FILES...: build NAME.tar with the last of FILL-FUNCTIONS unless its stamp,
# NAME.stamp, matches: a hash of the code that makes it (build and FILL-FUNCTIONS, the ones the last calls included)
# and of the content of the FILES it copies, not of their paths nor of this whole script, so that checkouts sharing
# .tools/ rebuild an image only when they would make it differently.
image() {
  local name=$1 entrypoint=$2 fills want
  read -r -a fills <<<"$3"
  shift 3
  want=$({ declare -f build "${fills[@]}"; echo "$entrypoint"; cat "$@"; } | sha256sum | cut -d' ' -f1)
  if [ -f "$IMAGES/$name.tar" ] && [ "$(cat "$IMAGES/$name.stamp" 2>/dev/null)" = "$want" ]; then
    return
  fi
  say "building the $name image"
  build "$name" "$entrypoint" "${fills[-1]}"
  echo "$want" >"$IMAGES/$name.stamp"
}

build_all() {
  mkdir -p "$IMAGES"
  [ -x /bin/busybox ] || die "/bin/busybox is missing: scripts/cluster/host-packages.sh installs busybox-static"
  # One build at a time in the folder the checkouts share; a second waits, then finds the images built.
  exec {lock}>"$IMAGES/.build.lock"
  flock "$lock"
  image pause /pause fill_pause "$CBIN/pause"
  image busybox /bin/sh fill_busybox /bin/busybox
  image kubectl /bin/sh "fill_busybox fill_kubectl" /bin/busybox "$KBIN/kubectl"
  image no-shell /act fill_no_shell "$CBIN/act"
  flock -u "$lock"
  say "images ready in ${IMAGES#"$ROOT"/}: pause, busybox, kubectl, no-shell"
}

# ctr of containerd 2 warns on every call that its cgroup v1 support is deprecated (this machine's cgroups are v1).
ctr_quiet() { "$CTR_BIN" --address "$CONTAINERD_SOCK" -n k8s.io "$@" 2> >(grep -v "support for cgroup v1 is deprecated" >&2); }

import_all() {
  local ctr=(ctr_quiet)
  "${ctr[@]}" images import --base-name "${PAUSE_REF%:1}" "$IMAGES/pause.tar" >/dev/null
  "${ctr[@]}" images import --base-name "${BUSYBOX_REF%:1}" "$IMAGES/busybox.tar" >/dev/null
  "${ctr[@]}" images import --base-name "${KUBECTL_REF%:1}" "$IMAGES/kubectl.tar" >/dev/null
  "${ctr[@]}" images import --base-name "${NO_SHELL_REF%:1}" "$IMAGES/no-shell.tar" >/dev/null
  for alias in "${ALIASES[@]}"; do "${ctr[@]}" images tag --force "$BUSYBOX_REF" "$alias" >/dev/null; done
  say "images imported into node $NODE: $PAUSE_REF, $BUSYBOX_REF (also as ${ALIASES[*]}), $KUBECTL_REF"
}

case "${1:-build}" in
  build) build_all ;;
  import) node_vars "${2:-1}"; import_all ;;
  *) die "usage: images.sh [build|import [N]]" ;;
esac
