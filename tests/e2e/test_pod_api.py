"""Pod and container fields the chart passes through take effect on a real cluster, and so do its new defaults."""

from __future__ import annotations

import os
import subprocess
import sys

from kubernetes import client

from e2e.cluster import install, logs, the_pod, wait_finished
from sequential_job.overlays import Overlay
from sequential_job.paths import VALUES_DIR
from sequential_job.values import chain

POD_API = Overlay.from_arg(str(VALUES_DIR / "pod-api.yaml"))
TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"


def test_pod_api_overlay_runs_with_its_fields(namespace: str, helm_name: str) -> None:
    install(helm_name, "api", namespace, POD_API.files)
    assert wait_finished(namespace, "api", timeout=180) == "completed"
    pod = the_pod(namespace, "api")
    spec = pod.spec
    assert spec.termination_grace_period_seconds == 5
    assert spec.topology_spread_constraints[0].topology_key == "kubernetes.io/hostname"
    assert spec.enable_service_links is False
    assert spec.automount_service_account_token is False
    probe = client.ApiClient().sanitize_for_serialization(spec.containers[0].readiness_probe)
    assert probe["exec"]["command"] == ["test", "-f", "/srv/output/artifact"], probe
    # The fields did what they say inside the last step: its own hosts entry and DNS search list.
    last = logs(pod, "job-3")
    assert "artifacts.local" in last and "search steps.local" in last, f"job-3 logs:\n{last}"


def test_no_api_token_is_mounted_by_default(namespace: str) -> None:
    install("helm", "token", namespace, values=chain(2))
    assert wait_finished(namespace, "token") == "completed"
    spec = the_pod(namespace, "token").spec
    mounted = [
        f"{c.name}: {m.mount_path}"
        for c in (spec.init_containers or []) + spec.containers
        for m in c.volume_mounts or []
        if m.mount_path.startswith(TOKEN_PATH)
    ]
    assert mounted == [], f"automountServiceAccountToken false, yet a token is mounted: {mounted}"


def test_a_failed_steps_last_lines_are_in_the_pod_status(namespace: str) -> None:
    values = chain(3)
    values["steps"][1]["script"] = (
        "for i in 1 2 3; do echo progress $i; done; echo 'cannot reach the store' >&2; exit 4"
    )
    install("helm", "tail", namespace, values=values)
    assert wait_finished(namespace, "tail") == "failed"
    pod = the_pod(namespace, "tail")
    status = next(s for s in pod.status.init_container_statuses if s.name == "step-2")
    message = status.state.terminated.message or ""
    assert "progress 3" in message and "cannot reach the store" in message, f"step-2 termination message: {message!r}"
    shown = subprocess.run(
        [sys.executable, "-m", "sequential_job.step_logs", "tail", "-n", namespace],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert shown.returncode == 1, shown.stdout + shown.stderr
    assert "-- termination message of step-2 --\n" in shown.stdout and "cannot reach the store" in shown.stdout, (
        shown.stdout
    )
