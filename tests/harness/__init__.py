"""Test harness for the sequential-job chart: render with the real `helm template`, parse, and query the manifest."""

from harness.helm import HelmError, HelmRun, helm_binaries, helm_invocations, render, render_error, run_helm
from harness.manifest import Manifest, Step, freeze, thaw
from harness.overlays import Overlay, discover_overlays

__all__ = [
    "HelmError",
    "HelmRun",
    "Manifest",
    "Overlay",
    "Step",
    "discover_overlays",
    "freeze",
    "helm_binaries",
    "helm_invocations",
    "render",
    "render_error",
    "run_helm",
    "thaw",
]
