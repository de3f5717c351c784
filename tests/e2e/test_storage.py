"""The embedded cluster's storage (STORAGE=1: local-path-provisioner, scripts/cluster/storage-up.sh), and what resuming
a chain from a PersistentVolumeClaim relies on, proven with plain pods and Jobs under restricted Pod Security:
(a) a non-root pod writes at the root of a claim of either class; (b) subPathExpr `$(RUN)/$(JOB_COMPLETION_INDEX)/...`
with RUN from the pod's controller-uid label works in an Indexed Job's init and main containers, the kubelet making
the directories; (c) a Job's replacement pod has the same controller-uid and finds the first pod's files; (d) a claim
mounted at /steps/.resume inside an emptyDir at /steps works in init and main containers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from e2e.cluster import eventually
from e2e.pods import UID, container, create_pod, describe, log, pod_spec, run_pod

DEFAULT_CLASS = "local-path"
SHARED_CLASS = "local-path-shared"
CLASS_ACCESS = {DEFAULT_CLASS: "ReadWriteOnce", SHARED_CLASS: "ReadWriteMany"}
CONTROLLER_UID = "batch.kubernetes.io/controller-uid"
# RUN: the directory of one run of a Job on the claim, the same for all its pods (what (b) and (c) check).
RUN_ENV = [{"name": "RUN", "valueFrom": {"fieldRef": {"fieldPath": f"metadata.labels['{CONTROLLER_UID}']"}}}]
# The claim at /data, in the tests that need no more.
DATA = {"name": "data", "mountPath": "/data"}
# `stat -c` of a path: "<name> <uid>:<gid> <octal mode>".
STAT = "stat -c '%n %u:%g %a'"


def claim_volume(claim: str, name: str = "data") -> dict:
    return {"name": name, "persistentVolumeClaim": {"claimName": claim}}


def create_claim(namespace: str, name: str, storage_class: str | None, access: str) -> None:
    spec: dict[str, Any] = {"accessModes": [access], "resources": {"requests": {"storage": "64Mi"}}}
    if storage_class:
        spec["storageClassName"] = storage_class
    client.CoreV1Api().create_namespaced_persistent_volume_claim(
        namespace, {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name}, "spec": spec}
    )


def read_claim(namespace: str, name: str) -> Any:
    return client.CoreV1Api().read_namespaced_persistent_volume_claim(name, namespace)


def bound_volume(namespace: str, claim: str) -> Any:
    def probe() -> Any:
        pvc = read_claim(namespace, claim)
        return pvc.spec.volume_name if pvc.status.phase == "Bound" else None

    return client.CoreV1Api().read_persistent_volume(eventually(probe, 90, f"claim {claim} to be bound"))


def stats(text: str) -> dict[str, tuple[str, str]]:
    """The `STAT` lines of a log: {path: ("uid:gid", "octal mode")}."""
    found = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].startswith("/") and ":" in parts[1]:
            found[parts[0]] = (parts[1], parts[2])
    return found


@pytest.mark.parametrize("storage_class", [DEFAULT_CLASS, SHARED_CLASS])
def test_non_root_pod_writes_at_the_volume_root(restricted: str, storage_class: str) -> None:
    """(a) uid 65532 with fsGroup 65532, runAsNonRoot, restricted Pod Security: it creates files at the claim's root.
    The provisioner makes each volume a directory of mode 0777 (hostPath volumes ignore fsGroup)."""
    create_claim(restricted, "data", storage_class, CLASS_ACCESS[storage_class])
    script = f"id -u; {STAT} /data; echo hello >/data/file; mkdir /data/dir; {STAT} /data/file /data/dir"
    pod = run_pod(
        restricted,
        "writer",
        pod_spec([container("main", script, [DATA])], [claim_volume("data")]),
    )
    text = log(pod, "main")
    assert text.splitlines()[0] == str(UID), text
    found = stats(text)
    assert found["/data"] == ("0:0", "777"), text
    assert found["/data/file"][0] == found["/data/dir"][0] == f"{UID}:{UID}", text


def test_default_class_is_node_local_and_shared_class_is_not(restricted: str) -> None:
    """local-path is the default class and pins its volume to the node of its first pod (bound only then);
    local-path-shared is bound at once, ReadWriteMany, with no node affinity: any node can mount it."""
    classes = client.StorageV1Api().list_storage_class().items
    defaults = [
        c.metadata.name
        for c in classes
        if (c.metadata.annotations or {}).get("storageclass.kubernetes.io/is-default-class") == "true"
    ]
    assert defaults == [DEFAULT_CLASS], defaults

    create_claim(restricted, "shared", SHARED_CLASS, "ReadWriteMany")
    create_claim(restricted, "local", None, "ReadWriteOnce")
    shared = bound_volume(restricted, "shared")
    assert shared.spec.node_affinity is None, shared.spec
    assert shared.spec.access_modes == ["ReadWriteMany"], shared.spec
    local = read_claim(restricted, "local")
    assert local.spec.storage_class_name == DEFAULT_CLASS, local.spec
    assert local.status.phase == "Pending", "WaitForFirstConsumer: no volume before a pod uses the claim"

    pod = run_pod(
        restricted,
        "user",
        pod_spec([container("main", "true", [DATA])], [claim_volume("local")]),
    )
    volume = bound_volume(restricted, "local")
    terms = volume.spec.node_affinity.required.node_selector_terms
    assert [(e.key, e.values) for t in terms for e in t.match_expressions] == [
        ("kubernetes.io/hostname", [pod.spec.node_name])
    ], volume.spec.node_affinity


def test_default_class_refuses_read_write_many(restricted: str) -> None:
    """A node-local volume cannot be ReadWriteMany: the claim stays Pending with the provisioner's reason."""
    create_claim(restricted, "many", DEFAULT_CLASS, "ReadWriteMany")
    create_pod(restricted, "user", pod_spec([container("main", "true", [DATA])], [claim_volume("many")]))

    def refusal() -> str | None:
        events = client.CoreV1Api().list_namespaced_event(restricted, field_selector="involvedObject.name=many").items
        return next((e.message for e in events if e.reason == "ProvisioningFailed"), None)

    message = eventually(refusal, 60, "the provisioner's ProvisioningFailed event")
    assert "only supports ReadWriteOnce and ReadWriteOncePod" in message, message
    assert read_claim(restricted, "many").status.phase == "Pending"


def test_volumes_are_directories_of_the_cluster_state_removed_with_their_claim(restricted: str) -> None:
    """On the embedded cluster a volume is a directory under .cluster/storage/<class>/ (so cluster-down removes
    it), and deleting its claim removes it."""
    state = os.environ.get("EMBEDDED_CLUSTER")
    if not state:
        pytest.fail("this test reads the embedded cluster's files: run it with `make e2e`, not on CLUSTER=existing")
    create_claim(restricted, "data", SHARED_CLASS, "ReadWriteMany")
    run_pod(
        restricted,
        "writer",
        pod_spec(
            [container("main", "echo kept >/data/file", [DATA])],
            [claim_volume("data")],
        ),
    )
    path = Path(bound_volume(restricted, "data").spec.host_path.path)
    assert path.parent == Path(state) / "storage" / SHARED_CLASS, path
    assert (path / "file").read_text() == "kept\n"

    client.CoreV1Api().delete_namespaced_pod("writer", restricted)
    client.CoreV1Api().delete_namespaced_persistent_volume_claim("data", restricted)
    eventually(lambda: not path.exists(), 90, f"{path} to be removed with its claim")


def create_job(namespace: str, name: str, spec: dict) -> Any:
    return client.BatchV1Api().create_namespaced_job(
        namespace, {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name}, "spec": spec}
    )


def wait_job(namespace: str, name: str, timeout: float = 180) -> str:
    """Wait until the Job is Complete or Failed; returns which."""

    def probe() -> str | None:
        job = client.BatchV1Api().read_namespaced_job(name, namespace)
        done = [c.type for c in job.status.conditions or [] if c.type in ("Complete", "Failed") and c.status == "True"]
        return done[0] if done else None

    return eventually(probe, timeout, f"Job {name} to finish")


def job_pods(namespace: str, name: str) -> list[Any]:
    items = (
        client.CoreV1Api().list_namespaced_pod(namespace, label_selector=f"batch.kubernetes.io/job-name={name}").items
    )
    return sorted(items, key=lambda p: p.metadata.creation_timestamp)


def test_sub_path_expr_of_run_and_index_in_init_and_main_containers(restricted: str) -> None:
    """(b) subPathExpr $(RUN)/$(JOB_COMPLETION_INDEX)/volumes/work, RUN from the pod's controller-uid label, in an
    Indexed Job's init and main containers: both expand (JOB_COMPLETION_INDEX is set in init containers too), the
    kubelet makes the missing directories, owned by root with the mode of the volume's root (0777 here), and the
    non-root step writes there; the main container finds what the init container wrote."""
    create_claim(restricted, "resume", DEFAULT_CLASS, "ReadWriteOnce")
    mounts = [
        {"name": "data", "mountPath": "/work", "subPathExpr": "$(RUN)/$(JOB_COMPLETION_INDEX)/volumes/work"},
        {"name": "data", "mountPath": "/claim"},
    ]
    base = "/claim/$RUN/$JOB_COMPLETION_INDEX"
    init = container(
        "init",
        f'echo "index=$JOB_COMPLETION_INDEX"; {STAT} /claim /claim/$RUN {base} {base}/volumes {base}/volumes/work\n'
        "echo init >/work/by-init",
        mounts,
        RUN_ENV,
    )
    main = container(
        "main",
        f'echo "index=$JOB_COMPLETION_INDEX"; echo "read=$(cat /work/by-init)"; echo main >/work/by-main\n'
        f"{STAT} {base}/volumes/work/by-init {base}/volumes/work/by-main",
        mounts,
        RUN_ENV,
    )
    job = create_job(
        restricted,
        "indexed",
        {
            "completionMode": "Indexed",
            "completions": 2,
            "parallelism": 2,
            "backoffLimit": 0,
            "template": {"spec": pod_spec([main], [claim_volume("resume")], init=[init])},
        },
    )
    outcome = wait_job(restricted, "indexed")
    pods = job_pods(restricted, "indexed")
    assert outcome == "Complete", "\n".join(describe(p) for p in pods)
    run = job.metadata.uid
    assert sorted(p.metadata.labels[CONTROLLER_UID] for p in pods) == [run, run]
    for pod in pods:
        index = pod.metadata.annotations["batch.kubernetes.io/job-completion-index"]
        init_log, main_log = log(pod, "init"), log(pod, "main")
        assert init_log.splitlines()[0] == f"index={index}", init_log
        assert main_log.splitlines()[:2] == [f"index={index}", "read=init"], main_log
        made = stats(init_log)
        root = made.pop("/claim")
        assert root == ("0:0", "777"), init_log
        expected = [
            f"/claim/{run}",
            f"/claim/{run}/{index}",
            f"/claim/{run}/{index}/volumes",
            f"/claim/{run}/{index}/volumes/work",
        ]
        assert sorted(made) == expected, init_log
        assert set(made.values()) == {root}, f"the kubelet makes them root's, with the root's mode:\n{init_log}"
        written = stats(main_log)
        assert [written[f"{expected[-1]}/{f}"][0] for f in ("by-init", "by-main")] == [f"{UID}:{UID}"] * 2, main_log


@pytest.mark.parametrize("storage_class", [DEFAULT_CLASS, SHARED_CLASS])
def test_replacement_pod_has_the_same_run_and_finds_the_files(restricted: str, storage_class: str) -> None:
    """(c) A Job with backoffLimit 1 whose first pod is deleted: the replacement pod has the same controller-uid
    label, so the same $(RUN) directory, and finds the file the first pod wrote on the claim."""
    create_claim(restricted, "resume", storage_class, CLASS_ACCESS[storage_class])
    script = (
        'if [ -e /work/first ]; then echo "found=$(cat /work/first)"; exit 0; fi\n'
        'echo "$RUN" >/work/first; echo "wrote=$RUN"\n'
        "trap 'exit 143' TERM; sleep 300 & wait"
    )
    mounts = [{"name": "data", "mountPath": "/work", "subPathExpr": "$(RUN)/work"}]
    job = create_job(
        restricted,
        "retried",
        {
            "backoffLimit": 1,
            "template": {"spec": pod_spec([container("main", script, mounts, RUN_ENV)], [claim_volume("resume")])},
        },
    )

    def first_wrote() -> Any:
        found = job_pods(restricted, "retried")
        if found and found[0].status.phase == "Running" and "wrote=" in log(found[0], "main"):
            return found[0]
        return None

    first = eventually(first_wrote, 120, "the first pod to write its file")
    first_log = log(first, "main")
    client.CoreV1Api().delete_namespaced_pod(first.metadata.name, restricted, grace_period_seconds=5)
    outcome = wait_job(restricted, "retried")
    # The deleted pod is gone once the Job controller has counted it as failed.
    replacements = [p for p in job_pods(restricted, "retried") if p.metadata.name != first.metadata.name]
    assert outcome == "Complete", "\n".join(describe(p) for p in replacements)
    assert client.BatchV1Api().read_namespaced_job("retried", restricted).status.failed == 1
    assert len(replacements) == 1, [p.metadata.name for p in replacements]
    run = job.metadata.uid
    assert [first.metadata.labels[CONTROLLER_UID], replacements[0].metadata.labels[CONTROLLER_UID]] == [run, run]
    assert first_log.strip() == f"wrote={run}"
    assert log(replacements[0], "main").strip() == f"found={run}"


def test_claim_nested_in_an_empty_dir_in_init_and_main_containers(restricted: str) -> None:
    """(d) The claim at /steps/.resume inside an emptyDir at /steps: both are mounted in the init and the main
    container, each keeps its own files, and the claim's files outlive the pod."""
    create_claim(restricted, "resume", DEFAULT_CLASS, "ReadWriteOnce")
    mounts = [{"name": "steps", "mountPath": "/steps"}, {"name": "data", "mountPath": "/steps/.resume"}]
    # The mount points in the container's mount table, then proof of which volume holds which file.
    mount_table = 'awk \'$5 ~ "^/steps" {print "mount " $5}\' /proc/self/mountinfo'
    init = container(
        "init", f"{mount_table}; echo init >/steps/.resume/on-claim; echo init >/steps/on-empty-dir", mounts
    )
    main = container(
        "main",
        f"{mount_table}; cat /steps/.resume/on-claim /steps/on-empty-dir; echo main >>/steps/.resume/on-claim",
        mounts,
    )
    volumes = [{"name": "steps", "emptyDir": {}}, claim_volume("resume")]
    pod = run_pod(restricted, "nested", pod_spec([main], volumes, init=[init]))
    mounted = ["mount /steps", "mount /steps/.resume"]
    assert log(pod, "init").splitlines() == mounted, log(pod, "init")
    assert log(pod, "main").splitlines() == [*mounted, "init", "init"], log(pod, "main")

    check = container("main", "ls -A /claim; cat /claim/on-claim", [{"name": "data", "mountPath": "/claim"}])
    after = run_pod(restricted, "after", pod_spec([check], [claim_volume("resume")]))
    assert log(after, "main").splitlines() == ["on-claim", "init", "main"], log(after, "main")
