"""Shared fixtures: the helms under test, the overlays (values/ or `--overlay`), and renders shared across tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import Manifest, Overlay, discover_overlays, render
from harness.helm import take_runs_used
from harness.paths import VALUES_DIR

HELMS = ("helm", "helm3")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--overlay",
        action="append",
        default=[],
        help="check this values overlay instead of every file in values/ (repeatable; a,b renders -f a -f b)",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Attach the command and stderr of every helm run a failing test used (rendered now or taken from the cache)."""
    report = yield
    if report.when == "call":
        runs = take_runs_used()
        if report.failed and runs:
            report.sections.append(("helm runs", "\n\n".join(run.describe() for run in runs)))
    return report


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "overlay" in metafunc.fixturenames:
        overlays = discover_overlays(metafunc.config.getoption("overlay"))
        metafunc.parametrize("overlay", overlays, ids=[o.name for o in overlays])
    if "helm_name" in metafunc.fixturenames:
        metafunc.parametrize("helm_name", HELMS)


@pytest.fixture(scope="session")
def seed_files() -> tuple[Path, ...]:
    return (VALUES_DIR / "seed.yaml",)


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
