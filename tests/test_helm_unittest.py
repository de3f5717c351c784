"""The chart's own helm-unittest suites (charts/sequential-job/tests/*_test.yaml), one per template."""

import re

from sequential_job.helm import run_helm
from sequential_job.paths import CHART

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_every_template_has_a_suite() -> None:
    templates = sorted(p.stem.lower() for p in (CHART / "templates").iterdir() if not p.name.startswith("_"))
    suites = sorted(p.name.removesuffix("_test.yaml") for p in (CHART / "tests").glob("*_test.yaml"))
    assert templates == suites, f"templates {templates} vs suites {suites}"


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
