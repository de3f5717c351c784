"""The one way to run helm: Helm 4 (`helm`) or Helm 3 (`helm3`) as a subprocess, with its state kept in .tools/.

Every finished helm process, and every cached render a caller reuses, is told to the listeners in `LISTENERS`: the
test suite keeps the runs a failing test used for its report, and the benchmark counts processes, without either
patching this module.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sequential_job.paths import CHART, ROOT, TOOLS
from sequential_job.tools import require_tool

HELMS = ("helm", "helm3")


@dataclass(frozen=True)
class HelmRun:
    """One finished helm process, and who asked for it (`origin`: "render", "render_error" or a caller's name)."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    stdin: str | None = None
    origin: str = ""

    @property
    def helm(self) -> str:
        return self.args[0]

    def describe(self) -> str:
        return f"`{' '.join(self.args)}` exited {self.returncode}\n--- helm stderr ---\n{self.stderr.strip()}"


class HelmError(AssertionError):
    """A helm command failed; the message carries the command and helm's stderr."""

    def __init__(self, run: HelmRun):
        super().__init__(run.describe())
        self.run = run


# Called with (run, cached): cached is False for a helm process that just finished, True for a cached render reused.
Listener = Callable[[HelmRun, bool], None]
LISTENERS: list[Listener] = []


def notify(run: HelmRun, cached: bool) -> None:
    for listener in LISTENERS:
        listener(run, cached)


def helm_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment helm runs in: plugins, cache, config and data inside .tools/, never the user's home."""
    env = dict(os.environ)
    for variable, folder in (
        ("HELM_PLUGINS", "plugins"),
        ("HELM_CACHE_HOME", "cache"),
        ("HELM_CONFIG_HOME", "config"),
        ("HELM_DATA_HOME", "data"),
    ):
        env.setdefault(variable, str(TOOLS / "helm" / folder))
    return {**env, **(extra or {})}


def run_helm(
    helm: str,
    *args: str,
    stdin: str | None = None,
    check: bool = True,
    timeout: float = 120,
    env: Mapping[str, str] | None = None,
    cwd: Path = ROOT,
    origin: str | None = None,
) -> HelmRun:
    """Run one helm (`helm` or `helm3`); `env` adds or overrides environment variables."""
    proc = subprocess.run(
        [require_tool(helm), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=helm_env(env),
        cwd=cwd,
        timeout=timeout,
    )
    caller = origin or sys._getframe(1).f_code.co_name
    run = HelmRun((helm, *args), proc.returncode, proc.stdout, proc.stderr, stdin, caller)
    notify(run, cached=False)
    if check and proc.returncode != 0:
        raise HelmError(run)
    return run


# What helm takes as a chart: a directory or .tgz, `repo/name` or an oci:// reference.
ChartRef = str | os.PathLike[str]
ValuesFiles = Sequence[str | os.PathLike[str]]


def values_args(files: ValuesFiles, stdin: bool = False) -> list[str]:
    """`-f` for each values file in order, then `-f -` when values also come on stdin."""
    args = [a for path in files for a in ("-f", str(path))]
    return [*args, "-f", "-"] if stdin else args


def template_args(
    files: ValuesFiles = (),
    stdin: bool = False,
    *,
    release: str = "test",
    namespace: str = "default",
    kube_version: str | None = None,
    api_versions: Sequence[str] = (),
    chart: ChartRef = CHART,
    flags: Sequence[str] = (),
) -> list[str]:
    """`helm template`: the values files in order (then stdin's), then `flags` (e.g. `--version`, `--verify`)."""
    args = ["template", release, str(chart), "--namespace", namespace, *values_args(files, stdin)]
    if kube_version:
        args += ["--kube-version", kube_version]
    for api in api_versions:
        args += ["--api-versions", api]
    return [*args, *flags]


def install_args(
    release: str,
    files: ValuesFiles = (),
    stdin: bool = False,
    *,
    namespace: str | None = None,
    chart: ChartRef = CHART,
    command: str = "install",
    flags: Sequence[str] = (),
) -> list[str]:
    """`helm install` (or `upgrade`) of a release: like template_args; no namespace is helm's own default."""
    if command not in ("install", "upgrade"):
        raise ValueError(f"install_args: command {command!r} is neither install nor upgrade")
    where = ["--namespace", namespace] if namespace else []
    return [command, release, str(chart), *where, *values_args(files, stdin), *flags]


def lint_args(files: ValuesFiles = (), stdin: bool = False, chart: ChartRef = CHART) -> list[str]:
    """`helm lint --strict`: warnings fail too."""
    return ["lint", "--strict", str(chart), *values_args(files, stdin)]


def version(helm: str) -> str:
    return run_helm(helm, "version", "--short").stdout.strip()
