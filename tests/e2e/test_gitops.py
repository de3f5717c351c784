"""GitOps-safe Job names on a real cluster: `helm template | kubectl apply`, as Argo CD and Kustomize deploy, and
`helm upgrade`/`rollback` with job.nameSuffix hash."""

from __future__ import annotations

from typing import Any

from e2e.cluster import eventually, helm, install, jobs, kubectl, pods, wait_finished
from sequential_job.helm import run_helm, template_args
from sequential_job.paths import SEED_VALUES, VALUES_DIR
from sequential_job.render import values_yaml

SEED_DEV = (SEED_VALUES, VALUES_DIR / "dev.yaml")
GITOPS = (*SEED_DEV, VALUES_DIR / "gitops.yaml")
# The change a user makes between two deploys: one step's image (both names are images the cluster has).
NEW_IMAGE = {"stepOverrides": {"job-1": {"image": "busybox:1.36"}}}


def template_and_apply(namespace: str, files: tuple, values: dict | None = None) -> tuple[int, str]:
    """`helm template app <chart> -f ... | kubectl apply -f -`; returns kubectl's exit code and output."""
    stdin = None if values is None else values_yaml(values)
    args = template_args(files, stdin is not None, release="app", namespace=namespace)
    manifest = run_helm("helm", *args, stdin=stdin).stdout
    applied = kubectl("apply", "-n", namespace, "-f", "-", stdin=manifest)
    return applied.returncode, applied.stdout + applied.stderr


def by_name(namespace: str, release: str) -> dict[str, Any]:
    return {j.metadata.name: j for j in jobs(namespace, release)}


def test_template_apply_with_revision_names_hits_the_immutable_template(namespace: str) -> None:
    """The problem hash mode solves: `helm template` always says revision 1, so a changed chain patches Job "-1"."""
    code, out = template_and_apply(namespace, SEED_DEV)
    assert code == 0, out
    code, out = template_and_apply(namespace, SEED_DEV, NEW_IMAGE)
    assert code != 0 and "field is immutable" in out, out
    assert list(by_name(namespace, "app")) == ["sequential-jobs-1"]  # values/seed.yaml sets fullnameOverride


def test_template_apply_with_hash_names(namespace: str) -> None:
    code, out = template_and_apply(namespace, GITOPS)
    assert code == 0, out
    (first,) = by_name(namespace, "app").values()
    assert wait_finished(namespace, "app") == "completed"

    # The same chain again: the same object, left as it is; no new Job and no new pod.
    code, out = template_and_apply(namespace, GITOPS)
    assert code == 0 and f"job.batch/{first.metadata.name} unchanged" in out, out
    assert [j.metadata.uid for j in jobs(namespace, "app")] == [first.metadata.uid]
    assert len(pods(namespace, "app")) == 1

    # A changed chain: a new Job under a new name, which runs; no error. The old one stays until pruned.
    code, out = template_and_apply(namespace, GITOPS, NEW_IMAGE)
    assert code == 0 and "created" in out, out
    names = by_name(namespace, "app")
    assert len(names) == 2 and first.metadata.name in names, list(names)
    (second,) = [j for n, j in names.items() if n != first.metadata.name]
    eventually(
        lambda: by_name(namespace, "app")[second.metadata.name].status.succeeded == 1,
        120,
        f"the new Job {second.metadata.name} to complete",
    )


def test_helm_upgrade_and_rollback_with_hash(namespace: str, helm_name: str) -> None:
    install(helm_name, "app", namespace, GITOPS)
    assert wait_finished(namespace, "app") == "completed"
    (first,) = jobs(namespace, "app")

    # An upgrade that changes nothing that runs (a label): the same Job, not re-run.
    install(helm_name, "app", namespace, GITOPS, {"job": {"labels": {"team": "data"}}}, command="upgrade")
    (same,) = jobs(namespace, "app")
    assert same.metadata.uid == first.metadata.uid and same.metadata.labels["team"] == "data"
    assert len(pods(namespace, "app")) == 1, "a no-op upgrade must not run the chain again"

    # An upgrade that changes a step: a new Job runs, and Helm deletes the previous one.
    install(helm_name, "app", namespace, GITOPS, NEW_IMAGE, command="upgrade")
    eventually(lambda: [j.metadata.name for j in jobs(namespace, "app")] != [first.metadata.name], 30, "a new Job")
    eventually(lambda: len(jobs(namespace, "app")) == 1, 60, "Helm to delete the previous Job")
    assert wait_finished(namespace, "app") == "completed"

    # Rolling back to revision 1 brings its Job back under its old name; it was deleted, so it runs again.
    helm(helm_name, "rollback", "app", "1", "-n", namespace)
    eventually(lambda: [j.metadata.name for j in jobs(namespace, "app")] == [first.metadata.name], 60, "Job 1 back")
    assert wait_finished(namespace, "app") == "completed"
