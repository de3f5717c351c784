"""Shared fixtures: the helms under test, the overlays (values/ or `--overlay`), and renders shared across tests."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import is_hypothesis_test

from harness.publishing import (
    SIGN_KEY_URL,
    Registry,
    SigningKey,
    StaticServer,
    isolated_helm_env,
    make_signing_key,
    run_publish,
    stop_gpg_agent,
)
from sequential_job import chart, helm
from sequential_job.helm import HELMS, HelmRun
from sequential_job.manifest import Manifest
from sequential_job.overlays import Overlay, discover_overlays
from sequential_job.paths import SEED_VALUES, VALUES_DIR
from sequential_job.render import render

# The suite starts some 400 helm processes, each living a fraction of a second; Go's default GC (GOGC=100) collects
# several times in each, about a quarter of helm's CPU here. GOGC=400 lets a process grow to five times its live heap
# before collecting (the 1.6 MB chain that outgrows etcd peaks near 100 MB) and changes nothing helm does. Set in
# the environment every helm, gpg and publish.py subprocess inherits; a GOGC of the user's own wins.
os.environ.setdefault("GOGC", "400")

# The helm runs the current test used, run now or taken from the render cache, for a failing test's report.
_runs_used: list[HelmRun] = []


def _remember_run(run: HelmRun, cached: bool) -> None:
    if not any(r is run for r in _runs_used):
        _runs_used.append(run)


helm.LISTENERS.append(_remember_run)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--overlay",
        action="append",
        default=[],
        help="check this values overlay instead of every file in values/ (repeatable; a,b renders -f a -f b)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The hypothesis tests are the longest single tests (10 examples of one or two helm runs each): xdist hands
    tests out in this order, so start them first rather than leave one worker running one alone at the end."""
    items.sort(key=lambda item: not (isinstance(item, pytest.Function) and is_hypothesis_test(item.obj)))


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Under `--dist loadgroup` pytest-xdist suffixes each grouped test's node id with @<group> on the workers, so that
    all publishing tests run on one worker and share its keys, packages and servers. pytest 9.2 silently broke that
    (pytest-dev/pytest-xdist#1386): fail those tests, rather than run them spread over the workers again."""
    if getattr(item.config.option, "loadgroup", False) and item.get_closest_marker("xdist_group"):  # xdist workers
        if "@" not in item.nodeid:
            pytest.fail("--dist loadgroup does not group tests with this pytest and pytest-xdist; see requirements.txt")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Attach the command and stderr of every helm run a failing test used (rendered now or taken from the cache)."""
    report = yield
    if report.when == "call":
        if report.failed and _runs_used:
            report.sections.append(("helm runs", "\n\n".join(run.describe() for run in _runs_used)))
        _runs_used.clear()
    return report


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "overlay" in metafunc.fixturenames:
        overlays = discover_overlays(metafunc.config.getoption("overlay"))
        metafunc.parametrize("overlay", overlays, ids=[o.name for o in overlays])
    if "helm_name" in metafunc.fixturenames:
        metafunc.parametrize("helm_name", HELMS)


@pytest.fixture(scope="session")
def seed_files() -> tuple[Path, ...]:
    return (SEED_VALUES,)


@pytest.fixture
def seed(seed_files: tuple[Path, ...]) -> Manifest:
    return render(seed_files)


@pytest.fixture
def seed_volcano(seed_files: tuple[Path, ...]) -> Manifest:
    return render((*seed_files, VALUES_DIR / "volcano.yaml"))


@pytest.fixture
def rendered(overlay: Overlay) -> Manifest:
    """The overlay rendered by Helm 4 (cached: every test on this overlay shares one helm run)."""
    return render(overlay.files)


# Publishing: a signing key, a classic chart repository and an OCI registry, each started once per test session
# (per xdist worker) and stopped at its end. See tests/harness/publishing.py.


@pytest.fixture(scope="session")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SigningKey]:
    key = make_signing_key(tmp_path_factory.mktemp("signing-key"), "Chart Signer")
    yield key
    stop_gpg_agent(key)


@pytest.fixture(scope="session")
def stranger_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SigningKey]:
    """A key that signed nothing here: verifying against its keyring must fail."""
    key = make_signing_key(tmp_path_factory.mktemp("stranger-key"), "Someone Else")
    yield key
    stop_gpg_agent(key)


@pytest.fixture(scope="session")
def helm_home(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], dict[str, str]]:
    """helm name -> that helm's own repositories, registry logins, caches and an unreachable kubeconfig."""
    base = tmp_path_factory.mktemp("helm-home")
    return functools.cache(lambda helm: isolated_helm_env(base / helm))


@pytest.fixture(scope="session")
def signed_package(
    tmp_path_factory: pytest.TempPathFactory, signing_key: SigningKey, helm_home: Callable[[str], dict[str, str]]
) -> Callable[[str], Path]:
    """helm name -> the chart packaged and signed by sequential_job.publish (`make package`) with that helm, once."""
    base = tmp_path_factory.mktemp("signed")

    @functools.cache
    def build(helm: str) -> Path:
        env = {
            **helm_home(helm),
            "DIST": str(base / helm),
            "SIGN_KEY": signing_key.uid,
            "SIGN_KEYRING": str(signing_key.secring),
            "SIGN_KEY_URL": SIGN_KEY_URL,
        }
        proc = run_publish("package", helm, env)
        assert proc.returncode == 0, f"publish.py package failed:\n{proc.stdout}{proc.stderr}"
        version = chart.metadata()["version"]
        return base / helm / f"sequential-job-{version}.tgz"

    return build


@pytest.fixture(scope="session")
def chart_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    server = StaticServer(tmp_path_factory.mktemp("chart-repo"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    reg = Registry(tmp_path_factory.mktemp("oci-registry"))
    yield reg
    reg.stop()
