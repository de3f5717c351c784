#!/usr/bin/env bash
# Adds storage to the running embedded cluster (up.sh calls it when STORAGE=1): rancher's local-path-provisioner as a
# host process (components.sh; pid in .cluster/pids, log in .cluster/logs) and two StorageClasses whose volumes are
# directories under .cluster/storage/, so cluster-down removes them with the rest of .cluster/:
#   local-path         the default class, ReadWriteOnce (ReadWriteOncePod too): a volume is made when its first pod
#                      is scheduled (WaitForFirstConsumer), in .cluster/storage/local-path/, and stays bound to that
#                      pod's node (the PersistentVolume's nodeAffinity), as on a disk of that node
#   local-path-shared  ReadWriteMany (and every other mode): local-path-provisioner's sharedFileSystemPath mode, a
#                      volume in .cluster/storage/local-path-shared/ with no nodeAffinity, which every node mounts,
#                      because the nodes of this cluster share this machine's disk; made at once (Immediate), like
#                      a network file system's class. A pod replaced on another node finds its files there.
# A volume is a directory made by a helper pod (the cluster's busybox image) in the provisioner's namespace, with mode
# 0777, so that a pod running as any user can write at its root (hostPath volumes ignore fsGroup); deleting the
# claim deletes the directory (reclaimPolicy Delete), through another helper pod.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$CLUSTER_SCRIPTS/components.sh"
STORAGE_DIR="$STATE/storage"
mkdir -p "$STORAGE_DIR/local-path" "$STORAGE_DIR/local-path-shared"

say "starting local-path-provisioner: StorageClasses local-path (default) and local-path-shared"
# config.json: one entry per class (storageClassConfigs); DEFAULT_PATH_FOR_NON_LISTED_NODES is every node. The helper
# pod runs as root (it makes and removes directories on the host) in a namespace without Pod Security labels; it
# needs no API access. Its image is images.sh's local busybox, which cannot be pulled.
kc apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: $LOCAL_PATH_NAMESPACE
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: $LOCAL_PATH_CONFIGMAP
  namespace: $LOCAL_PATH_NAMESPACE
data:
  config.json: |-
    {
      "storageClassConfigs": {
        "local-path": {
          "nodePathMap": [{"node": "DEFAULT_PATH_FOR_NON_LISTED_NODES", "paths": ["$STORAGE_DIR/local-path"]}]
        },
        "local-path-shared": {"sharedFileSystemPath": "$STORAGE_DIR/local-path-shared"}
      }
    }
  setup: |-
    #!/bin/sh
    set -eu
    mkdir -m 0777 -p "\$VOL_DIR"
  teardown: |-
    #!/bin/sh
    set -eu
    rm -rf "\$VOL_DIR"
  helperPod.yaml: |-
    apiVersion: v1
    kind: Pod
    metadata:
      name: helper-pod
    spec:
      automountServiceAccountToken: false
      containers:
        - name: helper-pod
          image: sequential-job.local/busybox:1
          imagePullPolicy: Never
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local-path
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: $LOCAL_PATH_PROVISIONER_NAME
reclaimPolicy: Delete
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local-path-shared
provisioner: $LOCAL_PATH_PROVISIONER_NAME
reclaimPolicy: Delete
volumeBindingMode: Immediate
YAML
# The helper pods run as the namespace's default service account, which the controller-manager creates.
wait_for kube-controller-manager 60 kc get serviceaccount default -n "$LOCAL_PATH_NAMESPACE"
start_local_path_provisioner
say "local-path-provisioner ready"
