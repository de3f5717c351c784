#!/usr/bin/env bash
# Installs the Debian packages `make test` and `make lint` need (idempotent: only missing ones, dpkg-query checks):
#   gnupg            makes the throwaway signing key of the provenance tests; signs packages for `make publish`
#   docker-registry  the OCI registry (distribution 2.8) the publishing tests start on 127.0.0.1
#   git              chart-testing (`ct lint`) runs inside a git work tree
# docker-registry's package would start its own service on :5000 where an init system runs one; the tests start
# theirs from their own config, so the install runs with invoke-rc.d told to start nothing (Debian's policy-rc.d).
set -euo pipefail
packages=(gnupg docker-registry git)
say() { printf '[deps] %s\n' "$*"; }
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  say "debian packages installed: ${packages[*]}"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "installing ${missing[*]} needs root (apt-get); install them and run make deps again" >&2; exit 1; }
say "installing ${missing[*]} from Debian"
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
