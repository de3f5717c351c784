#!/usr/bin/env bash
# The Debian packages the embedded cluster runs on, installed when missing:
#   containerd, runc, containernetworking-plugins  the container runtime and pod networking
#   busybox-static, umoci                          the local images (scripts/cluster/images.sh)
#   iproute2, openssl, curl, util-linux            interfaces, certificates, health checks, mounts
exec bash "$(dirname "$0")/../deb-packages.sh" containerd runc containernetworking-plugins busybox-static umoci \
  iproute2 openssl curl util-linux
