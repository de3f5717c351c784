#!/usr/bin/env bash
# Installs the Debian packages the embedded cluster runs on (idempotent: only missing ones are installed).
#   containerd, runc, containernetworking-plugins  the container runtime and pod networking
#   busybox-static, umoci                          the local images (scripts/cluster/images.sh)
#   iproute2, openssl, curl, util-linux            interfaces, certificates, health checks, mounts
set -euo pipefail
source "$(dirname "$0")/lib.sh"
packages=(containerd runc containernetworking-plugins busybox-static umoci iproute2 openssl curl util-linux)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  say "host packages: installed"
  exit 0
fi
[ "$(id -u)" = 0 ] || die "installing ${missing[*]} needs root (apt-get)"
say "installing ${missing[*]} from Debian"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# containerd's package would start its own daemon where systemd runs; ours is started by up.sh instead.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
