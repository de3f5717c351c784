#!/usr/bin/env bash
# deb-packages.sh PACKAGE...: installs the Debian packages named that are missing (dpkg-query checks; idempotent).
# `make deps` asks for what `make test` and `make lint` need:
#   gnupg            makes the throwaway signing key of the provenance tests; signs packages for `make publish`
#   docker-registry  the OCI registry (distribution 2.8) the publishing tests start on 127.0.0.1
#   git              chart-testing (`ct lint`) runs inside a git work tree
#   busybox-static   runs the step wrapper as the chart renders it (tests/test_wrapper.py)
# `make lint` asks for shellcheck, which it runs over every bash script.
# `make cluster-deps` asks for the embedded cluster's (see scripts/cluster/host-packages.sh).
# A package's own service (docker-registry's on :5000, containerd's) would start where an init system runs one; our
# tests and scripts start their own from their own config, so installs run with invoke-rc.d told to start nothing.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: deb-packages.sh PACKAGE..." >&2; exit 2; }
say() { printf '[deps] %s\n' "$*"; }
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  say "debian packages installed: $*"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "installing ${missing[*]} needs root (apt-get); install them and run again" >&2; exit 1; }
say "installing ${missing[*]} from Debian"
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
