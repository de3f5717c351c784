#!/usr/bin/env bash
# Stops everything up.sh (and node-up.sh) started, by pid, removes each node's pod sandboxes through the CRI first (so
# CNI and network namespaces are released), unmounts what is mounted under .cluster/, removes the interfaces and
# cgroup roots it added and then .cluster/ itself. Then checks that nothing is left: no process running a cluster
# binary or holding .cluster/, no mount under it (the pods' network namespaces are mounted there too), no interface or
# cgroup root of any node; it fails, naming them, if anything is.
# Safe to run twice, and when nothing is up.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

[ -d "$STATE" ] || exit 0
say "tearing down the embedded cluster"
# The provisioner first, while the API server still answers. Its volumes are directories under .cluster/.
stop local-path-provisioner 10

for name in kwok kueue vc-scheduler vc-controller-manager vc-webhook-manager; do stop "$name" 10; done
# Each node, the last first: its kubelet, its pod sandboxes through the CRI, its containerd and the shims.
pod_uids=""
for n in $(node_numbers | sort -rn); do
  node_vars "$n"
  stop "kubelet$NODE_SUFFIX" 15
  # Pod UIDs, for the logs of kubelets older than 1.30, which have no podLogsDir and write /var/log/pods.
  pod_uids+=" $(ls "$NODE_STATE/kubelet/pods" 2>/dev/null || true)"
  if [ -S "$CONTAINERD_SOCK" ] && [ -x "$CBIN/crictl" ]; then
    timeout 60 "$CBIN/crictl" --runtime-endpoint "unix://$CONTAINERD_SOCK" --timeout 30s rmp --all --force >/dev/null 2>&1 \
      || say "node $n: crictl rmp failed; killing the remaining shims"
  elif [ -S "$CONTAINERD_SOCK" ]; then
    # No crictl (build.sh makes it only for the fault tests, CRICTL=1): kill every container through containerd, so
    # none outlives its shim. The pods' network namespaces and the bridge are removed below.
    ctr_k8s() { timeout 30 "$CTR_BIN" --address "$CONTAINERD_SOCK" -n k8s.io "$@" 2>/dev/null; }
    tasks=$(ctr_k8s tasks ls -q || true)
    for task in $tasks; do ctr_k8s tasks kill -s SIGKILL "$task" || true; done
    for _ in $(seq 50); do
      [ -z "$(ctr_k8s tasks ls | awk 'NR > 1 && $3 != "STOPPED"')" ] && break
      sleep 0.1
    done
  fi
  stop "containerd$NODE_SUFFIX" 15
  # containerd's shims outlive it by design; ours carry our socket's address on their command line.
  for pid in $(pgrep -f -- "containerd-shim.*-address $CONTAINERD_SOCK" || true); do
    kill -KILL "$pid" 2>/dev/null || true
  done
done
for name in kube-scheduler kube-controller-manager kube-apiserver etcd; do stop "$name" 15; done
# Anything else up.sh recorded (none expected).
for pidfile in "$PIDS"/*.pid; do [ -e "$pidfile" ] && stop "$(basename "$pidfile" .pid)" 5; done

# Unmount, deepest first, whatever is still mounted under the state folder (tmpfs for service-account tokens,
# overlay rootfs, sandbox shm, network namespaces).
awk -v prefix="$STATE/" 'index($2, prefix) == 1 {print $2}' /proc/self/mounts | sort -r | while read -r mnt; do
  umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || say "could not unmount $mnt"
done

# Each node's CNI bridge and cgroup root (the kubelet's and the pods' cgroups under it, deepest first).
for n in $(node_numbers); do
  node_vars "$n"
  if ip link show "$CNI_BRIDGE" >/dev/null 2>&1; then ip link del "$CNI_BRIDGE"; fi
  for dir in $(node_cgroup_dirs); do
    # A killed process leaves its cgroup a moment later.
    for _ in $(seq 20); do
      [ -d "$dir" ] || break
      find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || sleep 0.25
    done
  done
done
if [ -f "$STATE/dummy-interface" ]; then
  ip link del "$(cat "$STATE/dummy-interface")" 2>/dev/null || true
fi
for uid in $pod_uids; do
  for dir in /var/log/pods/*_"$uid"; do
    [ -d "$dir" ] || continue
    find /var/log/containers -maxdepth 1 -type l -lname "$dir/*" -delete 2>/dev/null
    rm -rf "$dir"
  done
done

# What is left, if anything: processes that run a binary of ours or have the state folder open or as their working
# directory (a container's process would hold its rootfs under it), mounts under it, our interfaces.
left=()
for proc in /proc/[0-9]*; do
  pid=${proc#/proc/}
  [ "$pid" != $$ ] || continue
  exe=$(readlink "$proc/exe" 2>/dev/null) || continue
  cmd=$({ tr '\0' ' ' <"$proc/cmdline"; } 2>/dev/null) || continue
  case "$exe $cmd" in
    *"$ROOT/.tools/cluster/"* | *"$CONTAINERD_SOCK"* | *"$STATE/"*) left+=("process $pid: $cmd") ;;
    *) case "$(readlink "$proc/cwd" 2>/dev/null)/ $(readlink "$proc/root" 2>/dev/null)/" in
         *"$STATE/"*) left+=("process $pid (inside ${STATE#"$ROOT"/}): $cmd") ;;
       esac ;;
  esac
done
while read -r mnt; do left+=("mount $mnt"); done < <(awk -v prefix="$STATE/" 'index($2, prefix) == 1 {print $2}' /proc/self/mounts)
links=("$(cat "$STATE/dummy-interface" 2>/dev/null)")
for n in $(node_numbers); do
  node_vars "$n"
  links+=("$CNI_BRIDGE")
  for dir in $(node_cgroup_dirs); do [ ! -d "$dir" ] || left+=("cgroup $dir"); done
done
for link in "${links[@]}"; do
  [ -n "$link" ] && ip link show "$link" >/dev/null 2>&1 && left+=("interface $link")
done
if [ ${#left[@]} -gt 0 ]; then
  printf '[cluster] left behind: %s\n' "${left[@]}" >&2
  die "the cluster left the above behind; not removing ${STATE#"$ROOT"/}"
fi
rm -rf "$STATE"
say "cluster down: no process, mount, interface or cgroup left"
