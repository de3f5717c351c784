"""Render the chart with the real `helm template`, cached by the arguments; every call returns its own plain copy,
so a caller that changes what it got cannot change what anyone else gets."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from sequential_job import yamlio
from sequential_job.helm import HelmRun, lint_args, notify, run_helm, template_args
from sequential_job.manifest import Manifest


class _QuotingDumper(yamlio.SafeDumper):
    """Writes every string double-quoted, with escapes: helm then reads back exactly the string it was given, whatever
    it holds (`on`, `1e3`, `null`, control characters, U+FFFE), where a plain scalar could turn into a bool or a
    number on the way."""


_QuotingDumper.add_representer(str, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style='"'))


def values_yaml(values: Mapping[str, Any]) -> str:
    """Values as YAML for `helm -f -`, every string exactly as given."""
    return yaml.dump(dict(values), Dumper=_QuotingDumper, sort_keys=False)


@functools.cache
def _render(
    helm: str,
    files: tuple[str, ...],
    values_json: str | None,
    kube_version: str | None,
    api_versions: tuple[str, ...],
    release: str,
    namespace: str,
) -> tuple[str, HelmRun]:
    """(the rendered objects as JSON, the helm run): JSON so each caller gets a fresh copy cheaply."""
    stdin = None if values_json is None else values_yaml(json.loads(values_json))
    args = template_args(
        files,
        stdin is not None,
        release=release,
        namespace=namespace,
        kube_version=kube_version,
        api_versions=api_versions,
    )
    run = run_helm(helm, *args, stdin=stdin, origin="render")
    return json.dumps(Manifest.parse(run.stdout).objects), run


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
    """`helm template` of the chart: values files in order, then `values` (sent on stdin) last. Cached."""
    files = tuple(str(Path(p).resolve()) for p in values_files)
    values_json = None if values is None else json.dumps(values, sort_keys=True)
    key = (helm, files, values_json, kube_version, tuple(api_versions), release, namespace)
    hits = _render.cache_info().hits
    objects, run = _render(*key)
    if _render.cache_info().hits > hits:
        notify(run, cached=True)
    return Manifest(json.loads(objects), run)


def cache_info() -> functools._CacheInfo:
    """Hits and misses of the render cache (the benchmark sets them against helm processes)."""
    return _render.cache_info()


def render_error(
    values_files: Sequence[str | os.PathLike[str]] = (),
    values: Mapping[str, Any] | None = None,
    *,
    helm: str = "helm",
    command: str = "template",
) -> HelmRun:
    """Run `helm template` (or `lint --strict`) expecting failure; returns the failed run for its stderr."""
    stdin = None if values is None else values_yaml(values)
    if command == "template":
        args = template_args(values_files, stdin is not None)
    elif command == "lint":
        args = lint_args(values_files, stdin is not None)
    else:
        raise ValueError(f"unknown command {command!r}")
    run = run_helm(helm, *args, stdin=stdin, check=False, origin="render_error")
    if run.returncode == 0:
        raise AssertionError(f"expected `helm {command}` to fail, but it succeeded:\n{run.stdout[:2000]}")
    return run
