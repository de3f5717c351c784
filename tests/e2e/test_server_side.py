"""The real API server's strict validation accepts every overlay and rejects the seed's original typo."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from e2e.cluster import eventually, install, kubectl
from sequential_job.overlays import Overlay
from sequential_job.paths import SEED_JOB, SEED_VALUES, VOLCANO_CRDS
from sequential_job.render import render


@pytest.fixture(scope="module")
def volcano_job_crd() -> None:
    """Volcano's Job CRD (from the pinned Volcano module), so the API server knows batch.volcano.sh/v1alpha1."""
    api = client.ApiextensionsV1Api()
    try:
        api.read_custom_resource_definition("jobs.batch.volcano.sh")
        return
    except ApiException as e:
        if e.status != 404:
            raise
    crds = Path(subprocess.run(["bash", str(VOLCANO_CRDS)], capture_output=True, text=True, check=True).stdout.strip())
    applied = kubectl("apply", "--server-side", "-f", str(crds / "volcano" / "bases" / "batch.volcano.sh_jobs.yaml"))
    assert applied.returncode == 0, applied.stderr

    def established() -> bool:
        crd = api.read_custom_resource_definition("jobs.batch.volcano.sh")
        return any(c.type == "Established" and c.status == "True" for c in crd.status.conditions or [])

    eventually(established, 60, "Volcano's Job CRD to be established")


@pytest.mark.usefixtures("volcano_job_crd")
def test_overlay_passes_server_side_strict_validation(overlay: Overlay, namespace: str) -> None:
    manifest = "\n---\n".join(yaml.safe_dump(o) for o in render(overlay.files, namespace=namespace).objects)
    result = kubectl("apply", "-n", namespace, "--dry-run=server", "--validate=strict", "-f", "-", stdin=manifest)
    assert result.returncode == 0, f"{overlay.name}: the API server refused it:\n{result.stderr}"


def test_seed_typo_is_rejected_by_the_api_server(namespace: str) -> None:
    job = yaml.safe_load(SEED_JOB.read_text())
    pod = job["spec"]["template"]["spec"]
    pod["activeDeadlinesSeconds"] = pod.pop("activeDeadlineSeconds")  # the seed as originally written
    result = kubectl(
        "apply", "-n", namespace, "--dry-run=server", "--validate=strict", "-f", "-", stdin=yaml.safe_dump(job)
    )
    assert result.returncode != 0, "the API server accepted activeDeadlinesSeconds"
    assert 'unknown field "spec.template.spec.activeDeadlinesSeconds"' in result.stderr, result.stderr


def test_helm3_install_names_the_typo(namespace: str, tmp_path: Path) -> None:
    """Helm 3 cannot `install --dry-run=client` offline; against a real API server, the schema stops the typo."""
    typo = tmp_path / "typo.yaml"
    typo.write_text("pod:\n  activeDeadlinesSeconds: 60\n")
    run = install("helm3", "typo", namespace, [SEED_VALUES, typo], check=False)
    assert run.returncode != 0 and "activeDeadlinesSeconds" in run.stderr, run.describe()
