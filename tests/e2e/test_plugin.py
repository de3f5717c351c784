"""The kubectl plugin as a chart user gets it: the wheel `make package` builds, installed with pip into a fresh venv
(its only dependency, the Kubernetes client, from PyPI), its bin/ on PATH, run through kubectl's own plugin lookup
(`kubectl sequential-job ...`) against real releases: a plain chain, a failing one, shards under job.nameSuffix hash
(whose ConfigMap is not named after the Job) on a batch/v1 Job and on a Volcano Job."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from e2e.cluster import install, jobs
from sequential_job import chart
from sequential_job.paths import ROOT
from sequential_job.tools import tool
from sequential_job.values import chain, fanout

SHARDS = ["alpha", "beta gamma", "delta/δ"]


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """PATH with a fresh venv's bin/, holding the wheel `make package` builds (python -m sequential_job.publish
    package, into a dist/ of its own), and the cluster's kubectl."""
    base = tmp_path_factory.mktemp("plugin")
    dist, venv = base / "dist", base / "venv"
    packaged = subprocess.run(
        [sys.executable, "-m", "sequential_job.publish", "package"],
        env={**os.environ, "DIST": str(dist), "SIGN_KEY": ""},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert packaged.returncode == 0, packaged.stdout + packaged.stderr
    (wheel,) = dist.glob("kubectl_sequential_job-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)]
    installed = subprocess.run(pip, capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return os.pathsep.join([str(venv / "bin"), str(Path(tool("kubectl")).parent), os.environ["PATH"]])


def kubectl(path: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """kubectl (the cluster's) with the plugin's venv first on PATH; NO_COLOR unset: the output is not a terminal."""
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"PATH": path} | (env or {})
    return subprocess.run(["kubectl", *args], env=environment, capture_output=True, text=True, timeout=400)


def frames(out: str) -> list[list[str]]:
    """status --watch's frames (in a log, each change of state is a frame of its own, after a blank line)."""
    return [frame.splitlines() for frame in out.strip().split("\n\n")]


def marked(frame: list[str]) -> list[str]:
    return [line for line in frame if line.startswith("> ")]


def test_kubectl_finds_the_plugin_installed_from_the_wheel(plugin_path: str) -> None:
    listed = kubectl(plugin_path, "plugin", "list")
    executable = Path(plugin_path.split(os.pathsep)[0]) / "kubectl-sequential_job"
    assert listed.returncode == 0 and str(executable) in listed.stdout.splitlines(), listed.stdout + listed.stderr
    shown = kubectl(plugin_path, "sequential-job", "--version")
    assert shown.stdout.strip() == f"kubectl sequential-job {chart.metadata()['version']}", shown.stdout + shown.stderr
    for command in ("logs", "status"):
        helped = kubectl(plugin_path, "sequential-job", command, "--help")
        assert helped.returncode == 0 and f"usage: kubectl sequential-job {command}" in helped.stdout, helped.stderr


def test_status_watch_follows_a_chain_to_its_end_and_logs_print_it_in_order(plugin_path: str, namespace: str) -> None:
    values = chain(3)
    # Long enough for the plugin to start (a few seconds on a loaded machine) and a poll to find step-2 running.
    values["steps"][1]["script"] = "sleep 10; echo step-2"
    install("helm", "plain", namespace, values=values)
    watched = kubectl(plugin_path, "sequential-job", "status", "plain", "-n", namespace, "--watch", "--timeout", "300")
    assert watched.returncode == 0, watched.stdout + watched.stderr
    shown = frames(watched.stdout)
    at_2 = [f for f in shown if "at step 2 of 3 (step-2)" in f[0]]
    assert at_2, f"no frame found step-2 running:\n{watched.stdout}"
    (row,) = marked(at_2[-1])
    assert row.split()[1:4] == ["2", "step-2", "running"], at_2[-1]
    last = shown[-1]
    assert re.fullmatch(r"Job plain-sequential-job-1 \(namespace \S+\): completed, 3 of 3 steps done in \d+s", last[0])
    assert marked(last) == [] and "Complete=True" in last[-1], last
    assert [line.split()[:3] for line in last if line.split()[1:2] == ["step-3"]] == [["3", "step-3", "done"]], last

    printed = kubectl(plugin_path, "sequential-job", "logs", "plain", "-n", namespace)
    assert printed.returncode == 0, printed.stdout + printed.stderr
    # Each step's header, then its log (each step echoes its name).
    shown = re.findall(r"^== step (\d)/3: (\S+) \((.+?)\) started .* \[exit 0\] ==\n(.*)$", printed.stdout, re.M)
    assert shown == [
        ("1", "step-1", "init container", "step-1"),
        ("2", "step-2", "init container", "step-2"),
        ("3", "step-3", "container", "step-3"),
    ], printed.stdout


def test_a_failed_step_ends_the_watch_with_exit_1(plugin_path: str, namespace: str) -> None:
    values = chain(3)
    values["steps"][1]["script"] = "echo about to fail; exit 3"
    install("helm", "bad", namespace, values=values)
    watched = kubectl(plugin_path, "sequential-job", "status", "bad", "-n", namespace, "--watch", "--timeout", "300")
    assert watched.returncode == 1, watched.stdout + watched.stderr
    last = frames(watched.stdout)[-1]
    assert last[0].endswith(": failed, step 2 of 3 (step-2) exited 3"), last
    (row,) = marked(last)
    assert row.split()[1:5] == ["2", "step-2", "failed", "(exit"], last
    printed = kubectl(plugin_path, "sequential-job", "logs", "bad", "-n", namespace)
    assert printed.returncode == 1 and "about to fail" in printed.stdout, printed.stdout + printed.stderr


def shards_values(volcano: bool = False) -> dict:
    """Three shards; two pods at a time on a batch/v1 Job (a Volcano Job creates every pod at once)."""
    if volcano:
        values = fanout(SHARDS, job={"nameSuffix": "hash"}, volcano={"enabled": True, "minAvailable": 1})
    else:
        values = fanout(SHARDS, job={"nameSuffix": "hash", "parallelism": 2})
    # Long enough for the plugin to start (a few seconds on a loaded machine) and a poll to see the pods running.
    values["steps"][2]["script"] = "sleep 10; " + values["steps"][2]["script"]
    return values


def check_shards(plugin_path: str, namespace: str, release: str, kind: str) -> None:
    watched = kubectl(plugin_path, "sequential-job", "status", release, "-n", namespace, "--watch", "--timeout", "300")
    assert watched.returncode == 0, watched.stdout + watched.stderr
    assert watched.stderr == "", watched.stderr
    shown = frames(watched.stdout)
    assert len(shown) >= 2, f"status --watch showed no progress before the end:\n{watched.stdout}"
    running = [line for frame in shown[:-1] for line in marked(frame) if " Running " in line]
    assert running, f"no frame marked a running index:\n{watched.stdout}"
    last = shown[-1]
    assert last[0].startswith(f"{kind} ") and last[0].endswith(": completed, 3 indexes"), last
    rows = {line.split()[0]: line for line in last[2:5]}
    for index, shard in enumerate(SHARDS):
        assert f"{shard!r}  " in rows[str(index)] and " Succeeded " in rows[str(index)], last
        assert re.search(r"\b3 of 3\b", rows[str(index)]), last
    assert "indexes: 3 succeeded (0-2)" in last

    printed = kubectl(plugin_path, "sequential-job", "logs", release, "-n", namespace)
    assert printed.returncode == 0 and printed.stderr == "", printed.stdout + printed.stderr
    for index, shard in enumerate(SHARDS):
        assert f"index {index} {shard!r}: Succeeded, 3/3 steps done" in printed.stdout, printed.stdout


def test_shards_under_hash_names_on_a_job(plugin_path: str, namespace: str) -> None:
    install("helm", "days", namespace, values=shards_values())
    (job,) = jobs(namespace, "days")
    (volume,) = [v for v in job.spec.template.spec.volumes if v.name == "shards"]
    # The case the reader used to miss (issue 17, item 10): the ConfigMap is not <job>-shards.
    assert volume.config_map.name != f"{job.metadata.name}-shards", volume.config_map.name
    check_shards(plugin_path, namespace, "days", "Job")


def test_shards_under_hash_names_on_a_volcano_job(plugin_path: str, namespace: str) -> None:
    install("helm", "vdays", namespace, values=shards_values(volcano=True))
    check_shards(plugin_path, namespace, "vdays", "Volcano Job")


def test_kubeconfig_context_and_its_namespace(plugin_path: str, namespace: str, tmp_path: Path) -> None:
    """--kubeconfig instead of $KUBECONFIG, --context by name, and without -n the namespace the context names."""
    install("helm", "ctx", namespace, values=chain(1))
    config = yaml.safe_load(Path(os.environ["KUBECONFIG"]).read_text())
    current = config["current-context"]
    (entry,) = [c for c in config["contexts"] if c["name"] == current]
    entry = {"name": "release-ns", "context": {**entry["context"], "namespace": namespace}}
    config["contexts"].append(entry)
    copy = tmp_path / "kubeconfig"
    copy.write_text(yaml.safe_dump(config))
    no_env = {"KUBECONFIG": str(tmp_path / "missing")}  # a file that is not there: the flag must be what is read
    args = ["sequential-job", "status", "ctx", "--watch", "--timeout", "300", "--kubeconfig", str(copy)]
    found = kubectl(plugin_path, *args, "--context", "release-ns", env=no_env)
    assert found.returncode == 0 and "ctx-sequential-job-1" in found.stdout, found.stdout + found.stderr
    elsewhere = kubectl(plugin_path, *args, "--context", current, env=no_env)  # its namespace is not the release's
    assert elsewhere.returncode == 3 and "no Job or Volcano Job found for release 'ctx'" in elsewhere.stderr, (
        elsewhere.stdout + elsewhere.stderr
    )
    missing = kubectl(plugin_path, *args, "--context", "nowhere", env=no_env)
    assert missing.returncode == 4 and "no context 'nowhere'" in missing.stderr, missing.stderr
