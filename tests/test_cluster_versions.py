"""The embedded cluster's Kubernetes versions: one wrapper module per minor, the default and the chart's floor among
them, and clear refusals of a version or runtime choice that does not exist (no cluster is started here)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from sequential_job.chart import oldest_kubernetes
from sequential_job.cluster_versions import default_minor, minors
from sequential_job.paths import KUBERNETES_MODULES, ROOT
from sequential_job.tools import tool

MINORS = minors()


def gomod(minor: str) -> str:
    return (KUBERNETES_MODULES / minor / "go.mod").read_text()


@pytest.mark.parametrize("minor", MINORS)
def test_wrapper_module_pins_one_release(minor: str) -> None:
    """go.mod requires k8s.io/kubernetes v<minor>.P and points every staging module at v0.<minor>.P, no other."""
    text = gomod(minor)
    required = re.findall(r"^require k8s\.io/kubernetes (v1\.(\d+)\.(\d+))$", text, re.MULTILINE)
    assert len(required) == 1, f"{minor}/go.mod: expected one `require k8s.io/kubernetes vX.Y.Z` line"
    _, got_minor, patch = required[0]
    assert f"1.{got_minor}" == minor, f"{minor}/go.mod requires Kubernetes 1.{got_minor}"
    replaces = re.findall(r"^\t(k8s\.io/\S+) => (k8s\.io/\S+) (v\S+)$", text, re.MULTILINE)
    assert replaces, f"{minor}/go.mod replaces no staging module"
    wrong = [r for r in replaces if r[0] != r[1] or r[2] != f"v0.{got_minor}.{patch}"]
    assert wrong == [], f"{minor}/go.mod: staging modules not at v0.{got_minor}.{patch}: {wrong}"
    assert (KUBERNETES_MODULES / minor / "go.sum").stat().st_size > 0
    assert (KUBERNETES_MODULES / minor / "tools.go").exists()


def test_default_and_floor_have_modules() -> None:
    """`make e2e` runs the default, `make e2e-matrix` the default and Chart.yaml's floor: both must be buildable."""
    default = default_minor()
    assert default in MINORS, f"scripts/cluster/kubernetes/default names {default!r}, not one of {MINORS}"
    assert default == MINORS[-1], f"the default {default} is not the newest module ({MINORS[-1]})"
    floor = oldest_kubernetes().rsplit(".", 1)[0]
    assert floor in MINORS, f"Chart.yaml's floor {floor} has no module to prove it on"


def lib(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Source lib.sh as the cluster scripts do, with a state folder of no running cluster."""
    return subprocess.run(
        ["bash", "-c", 'source scripts/cluster/lib.sh && echo "$K8S_VERSION $KBIN $CONTAINERD_FLAVOUR"'],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "CLUSTER_STATE": str(tmp_path / "state"), **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.parametrize("spelling", ["1.29", "29", "v1.29", "1.29.15", "v1.29.15"])
def test_k8s_accepts_a_minor(tmp_path: Path, spelling: str) -> None:
    if "1.29" not in MINORS:
        pytest.fail("the spellings are checked against 1.29, the chart's floor; update this test with the floor")
    done = lib(tmp_path, K8S=spelling)
    assert done.returncode == 0, done.stderr
    version, kbin, flavour = done.stdout.split()
    assert version.startswith("v1.29.") and kbin.endswith(f".tools/cluster/{version}/bin") and flavour == "debian"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"K8S": "1.99"}, "no Kubernetes 1.99 here: K8S must be one of"),
        ({"K8S": "latest"}, "no Kubernetes latest here"),
        ({"K8S": "1.29.3"}, "K8S=1.29.3: for 1.29 this checkout builds v1.29.15"),
        ({"CONTAINERD": "3"}, "CONTAINERD must be 'debian'"),
        ({"EVENTED_PLEG": "1", "CONTAINERD": "debian"}, "EVENTED_PLEG=1 needs containerd 2"),
        ({"EVENTED_PLEG": "yes"}, "EVENTED_PLEG must be 0 or 1"),
    ],
)
def test_bad_cluster_choice_is_refused(tmp_path: Path, env: dict[str, str], message: str) -> None:
    done = lib(tmp_path, **env)
    assert done.returncode != 0 and message in done.stderr, f"{env}: {done.stderr or done.stdout}"


def test_evented_pleg_picks_containerd_2(tmp_path: Path) -> None:
    done = lib(tmp_path, EVENTED_PLEG="1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[2] == "2"


def test_python_finds_the_kubectl_the_cluster_build_makes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without KUBECTL, the package's kubectl is the one lib.sh's KBIN holds for the default version."""
    monkeypatch.delenv("KUBECTL", raising=False)
    done = lib(tmp_path)
    assert done.returncode == 0, done.stderr
    kbin = done.stdout.split()[1]
    assert tool("kubectl") == f"{kbin}/kubectl"
