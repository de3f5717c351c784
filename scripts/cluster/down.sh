#!/usr/bin/env bash
# Stops everything up.sh started, by pid, removes pod sandboxes through the CRI first (so CNI and network namespaces
# are released), unmounts what is mounted under .cluster/, removes the interfaces it added and then .cluster/ itself.
# Safe to run twice, and when nothing is up.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

[ -d "$STATE" ] || exit 0
say "tearing down the embedded cluster"

# stop NAME [SECONDS]: SIGTERM the process group started as NAME, SIGKILL it after SECONDS.
stop() {
  local name=$1 grace=${2:-10} pidfile="$PIDS/$1.pid" pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for _ in $(seq $((grace * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      say "$name did not stop in ${grace}s: killing it"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
      sleep 0.2
    fi
  fi
  rm -f "$pidfile"
}

for name in kueue vc-scheduler vc-controller-manager vc-webhook-manager; do stop "$name" 10; done
stop kubelet 15
if [ -S "$CONTAINERD_SOCK" ] && [ -x "$CBIN/crictl" ]; then
  timeout 60 "$CBIN/crictl" --runtime-endpoint "unix://$CONTAINERD_SOCK" --timeout 30s rmp --all --force >/dev/null 2>&1 \
    || say "crictl rmp failed; killing the remaining shims"
fi
stop containerd 15
# containerd's shims outlive it by design; ours carry our socket's address on their command line.
for pid in $(pgrep -f -- "containerd-shim.*-address $CONTAINERD_SOCK" || true); do
  kill -KILL "$pid" 2>/dev/null || true
done
for name in kube-scheduler kube-controller-manager kube-apiserver etcd; do stop "$name" 15; done
# Anything else up.sh recorded (none expected).
for pidfile in "$PIDS"/*.pid; do [ -e "$pidfile" ] && stop "$(basename "$pidfile" .pid)" 5; done

# Unmount, deepest first, whatever is still mounted under the state folder (tmpfs for service-account tokens,
# overlay rootfs, sandbox shm).
awk -v prefix="$STATE/" 'index($2, prefix) == 1 {print $2}' /proc/self/mounts | sort -r | while read -r mnt; do
  umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || say "could not unmount $mnt"
done

ip link show "$CNI_BRIDGE" >/dev/null 2>&1 && ip link del "$CNI_BRIDGE"
if [ -f "$STATE/dummy-interface" ]; then
  ip link del "$(cat "$STATE/dummy-interface")" 2>/dev/null || true
fi

if awk -v prefix="$STATE/" 'index($2, prefix) == 1' /proc/self/mounts | grep -q .; then
  die "mounts remain under $STATE; not removing it"
fi
rm -rf "$STATE"
say "cluster down"
