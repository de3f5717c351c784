"""The chart's own helm-unittest suites (charts/sequential-job/tests/*_test.yaml), one per template."""

import re

from sequential_job import yamlio
from sequential_job.helm import run_helm
from sequential_job.paths import CHART

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_every_template_has_a_suite() -> None:
    """Each template is the first of the templates some suite tests (a template may have several suites, e.g. the Job's
    and the Volcano Job's), and every suite tests templates that exist."""
    folder = CHART / "templates"
    files = [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("_")]
    templates = sorted(str(p.relative_to(CHART)) for p in files)
    suites = {p.name: yamlio.load(p.read_text()) for p in sorted((CHART / "tests").glob("*_test.yaml"))}
    tested = {suite["templates"][0] for suite in suites.values()}
    assert sorted(tested) == templates, f"templates without a suite: {sorted(set(templates) - tested)}"
    for name, suite in suites.items():
        missing = sorted(set(suite["templates"]) - set(templates))
        assert not missing, f"{name} tests templates that do not exist: {missing}"


def test_unittest_suites_pass() -> None:
    """One run: the plugin is its own binary with Helm's libraries built in, so Helm 3 would run the same program."""
    helm_name = "helm"
    run = run_helm(helm_name, "unittest", str(CHART), check=False)
    output = ANSI.sub("", run.stdout + run.stderr)
    assert run.returncode == 0, f"helm-unittest failed under {helm_name}:\n{output}"
    summary = re.search(r"Tests:\s+(\d+) passed, (\d+) total", output)
    assert summary, f"no helm-unittest summary in output:\n{output}"
    passed, total = map(int, summary.groups())
    assert passed == total and total >= 20, f"helm-unittest under {helm_name}: {passed}/{total} passed"
