"""Hook mode and use as a subchart, on a real cluster: tests/data/parent-chart depends on this chart twice (aliases
`migrate` and `backfill`, both hooks) and has a ConfigMap of its own. `helm install` and `helm upgrade` run both chains,
in weight order, before the ConfigMap is applied; a failing step fails the upgrade and the ConfigMap keeps its old
content."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from kubernetes import client

from e2e.cluster import helm, jobs, pods, runs_by_name
from harness.subchart import build_parent_chart
from sequential_job.helm import install_args


@pytest.fixture
def parent_chart(tmp_path: Path, helm_name: str) -> Path:
    return build_parent_chart(helm_name, tmp_path)


def upgrade(release: str, namespace: str, chart: Path, *settings: str) -> list[str]:
    """`helm upgrade` of the parent chart with each `--set` setting."""
    flags = [a for setting in settings for a in ("--set", setting)]
    return install_args(release, namespace=namespace, chart=chart, command="upgrade", flags=flags)


def config(namespace: str) -> client.V1ConfigMap:
    return client.CoreV1Api().read_namespaced_config_map("app-config", namespace)


def chain_jobs(namespace: str) -> dict[str, client.V1Job]:
    return {j.metadata.name: j for j in jobs(namespace, "app")}


def updated_at(cm: client.V1ConfigMap) -> datetime:
    """When the ConfigMap's data was last written (managedFields keep the time of each manager's last write)."""
    return max(f.time for f in cm.metadata.managed_fields if f.fields_v1 and "f:data" in f.fields_v1)


def test_hooks_run_the_chains_before_the_release_and_a_failure_stops_the_upgrade(
    namespace: str, helm_name: str, parent_chart: Path
) -> None:
    helm(helm_name, *install_args("app", namespace=namespace, chart=parent_chart))
    # Two aliases, two chains with distinct names; both finished before helm returned.
    found = chain_jobs(namespace)
    assert sorted(found) == ["app-backfill", "app-migrate"], sorted(found)
    assert all(j.status.succeeded == 1 for j in found.values()), {n: j.status for n, j in found.items()}
    migrate, backfill = found["app-migrate"], found["app-backfill"]
    assert migrate.status.completion_time <= backfill.status.start_time, "weight 0 (migrate) runs before weight 1"
    cm = config(namespace)
    assert cm.data == {"message": "v1"}
    assert backfill.status.completion_time <= cm.metadata.creation_timestamp, "the ConfigMap came before the chains"
    by_step = runs_by_name(next(p for p in pods(namespace, "app") if p.metadata.labels["job-name"] == "app-migrate"))
    assert list(by_step) == ["schema", "data"] and by_step["schema"].finished <= by_step["data"].started

    # An upgrade runs both chains again (before-hook-creation replaced the previous runs), then updates the ConfigMap.
    helm(helm_name, *upgrade("app", namespace, parent_chart, "message=v2"))
    again = chain_jobs(namespace)
    assert sorted(again) == ["app-backfill", "app-migrate"]
    assert again["app-migrate"].metadata.uid != migrate.metadata.uid, "the upgrade must run the chain again"
    assert all(j.status.succeeded == 1 for j in again.values())
    cm = config(namespace)
    assert cm.data == {"message": "v2"}
    assert again["app-backfill"].status.completion_time <= updated_at(cm)

    # A failing migration step fails the upgrade; the ConfigMap keeps v2 and backfill does not run.
    run = helm(
        helm_name,
        *upgrade("app", namespace, parent_chart, "message=v3", "migrate.stepOverrides.data.script=exit 3"),
        check=False,
    )
    assert run.returncode != 0 and "pre-upgrade" in run.stderr, run.describe()
    assert config(namespace).data == {"message": "v2"}, "the failed upgrade must not reach the parent's objects"
    failed = chain_jobs(namespace)
    assert failed["app-migrate"].status.failed == 1
    assert failed["app-backfill"].metadata.uid == again["app-backfill"].metadata.uid, "backfill must not run"
    status = helm(helm_name, "status", "app", "-n", namespace, "-o", "json").stdout
    assert '"status":"failed"' in status.replace(" ", ""), status
