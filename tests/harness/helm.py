"""Run the real helm binaries, Helm 4 and Helm 3, as subprocesses; cache renders by their arguments."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from harness.manifest import Manifest
from harness.paths import CHART, ROOT, TOOLS_BIN

# How many helm processes this test session started, per helm binary name (read by the benchmark).
_invocations: dict[str, int] = {}


# The helm runs the current test used, cached or not, so a failing test's report can show their stderr.
_runs_used: list[HelmRun] = []


def helm_invocations() -> dict[str, int]:
    return dict(_invocations)


def take_runs_used() -> list[HelmRun]:
    """The helm runs used since the last call (the conftest hook calls this once per test)."""
    runs = list(_runs_used)
    _runs_used.clear()
    return runs


def helm_binaries() -> dict[str, str]:
    """The helms under test: `helm` (Helm 4) and `helm3` (Helm 3), from .tools/bin unless HELM / HELM3 say otherwise."""
    found = {}
    for name, env in (("helm", "HELM"), ("helm3", "HELM3")):
        path = os.environ.get(env) or str(TOOLS_BIN / name)
        if not (shutil.which(path) or Path(path).is_file()):
            raise FileNotFoundError(f"{name} not found at {path}: run `make deps` or set {env}=/path/to/{name}")
        found[name] = path
    return found


def helm_env() -> dict[str, str]:
    """Keep helm's plugins, cache, config and data inside .tools/ so nothing leaks into the user's home."""
    env = dict(os.environ)
    base = ROOT / ".tools" / "helm"
    env.setdefault("HELM_PLUGINS", str(base / "plugins"))
    env.setdefault("HELM_CACHE_HOME", str(base / "cache"))
    env.setdefault("HELM_CONFIG_HOME", str(base / "config"))
    env.setdefault("HELM_DATA_HOME", str(base / "data"))
    return env


@dataclass(frozen=True)
class HelmRun:
    """One finished helm process."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        return f"`{' '.join(self.args)}` exited {self.returncode}\n--- helm stderr ---\n{self.stderr.strip()}"


class HelmError(AssertionError):
    """A helm command failed; the message carries the command and helm's stderr."""

    def __init__(self, run: HelmRun):
        super().__init__(run.describe())
        self.run = run


def run_helm(
    helm: str,
    *args: str,
    stdin: str | None = None,
    check: bool = True,
    timeout: float = 120,
    env: Mapping[str, str] | None = None,
) -> HelmRun:
    """Run one helm; `env` adds or overrides environment variables (e.g. a test's own HELM_REPOSITORY_CONFIG)."""
    binary = helm_binaries()[helm]
    _invocations[helm] = _invocations.get(helm, 0) + 1
    proc = subprocess.run(
        [binary, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**helm_env(), **(env or {})},
        cwd=ROOT,
        timeout=timeout,
    )
    run = HelmRun((helm, *args), proc.returncode, proc.stdout, proc.stderr)
    _runs_used.append(run)
    if check and proc.returncode != 0:
        raise HelmError(run)
    return run


def _template_args(
    values_files: Sequence[str | os.PathLike[str]],
    values_yaml: str | None,
    kube_version: str | None,
    api_versions: Sequence[str],
    release: str,
    namespace: str,
) -> list[str]:
    args = ["template", release, str(CHART), "--namespace", namespace]
    for path in values_files:
        args += ["-f", str(path)]
    if values_yaml is not None:
        args += ["-f", "-"]
    if kube_version:
        args += ["--kube-version", kube_version]
    for api in api_versions:
        args += ["--api-versions", api]
    return args


def _canonical(values: Mapping[str, Any] | None) -> str | None:
    return None if values is None else json.dumps(values, sort_keys=True)


@functools.cache
def _render_cached(
    helm: str,
    values_files: tuple[str, ...],
    values_json: str | None,
    kube_version: str | None,
    api_versions: tuple[str, ...],
    release: str,
    namespace: str,
) -> Manifest:
    values_yaml = None if values_json is None else yaml.safe_dump(json.loads(values_json), sort_keys=False)
    args = _template_args(values_files, values_yaml, kube_version, api_versions, release, namespace)
    run = run_helm(helm, *args, stdin=values_yaml)
    return Manifest.parse(run.stdout, source=run)


def render(
    values_files: Sequence[str | os.PathLike[str]] = (),
    values: Mapping[str, Any] | None = None,
    *,
    helm: str = "helm",
    kube_version: str | None = None,
    api_versions: Sequence[str] = (),
    release: str = "test",
    namespace: str = "default",
) -> Manifest:
    """Render the chart with `helm template`: values files in order, then `values` (sent on stdin) last.

    Renders are cached by their arguments; the returned Manifest is immutable, so tests can share it.
    """
    files = tuple(str(Path(p).resolve()) for p in values_files)
    manifest = _render_cached(helm, files, _canonical(values), kube_version, tuple(api_versions), release, namespace)
    if manifest.source is not None and manifest.source not in _runs_used:
        _runs_used.append(manifest.source)
    return manifest


def render_error(
    values_files: Sequence[str | os.PathLike[str]] = (),
    values: Mapping[str, Any] | None = None,
    *,
    helm: str = "helm",
    command: str = "template",
) -> HelmRun:
    """Run `helm template` (or `lint --strict`) expecting failure; returns the failed run for its stderr."""
    values_yaml = None if values is None else yaml.safe_dump(dict(values), sort_keys=False)
    if command == "template":
        args = _template_args(values_files, values_yaml, None, (), "test", "default")
    elif command == "lint":
        args = ["lint", "--strict", str(CHART)]
        for path in values_files:
            args += ["-f", str(path)]
        if values_yaml is not None:
            args += ["-f", "-"]
    else:
        raise ValueError(f"unknown command {command!r}")
    run = run_helm(helm, *args, stdin=values_yaml, check=False)
    if run.returncode == 0:
        raise AssertionError(f"expected `helm {command}` to fail, but it succeeded:\n{run.stdout[:2000]}")
    return run
