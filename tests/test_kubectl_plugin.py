"""The kubectl plugin (plugin/, `kubectl sequential-job`) on objects built here, no cluster: where a chain is (the
current step, k of n steps, sidecars apart), the status table on a terminal and in a log, `--watch`'s frames and exit
codes, the shards of a release whatever job.nameSuffix names their ConfigMap, the kubeconfig flags, and the wheel
`make package` builds. The end-to-end suite runs the installed wheel against real releases (tests/e2e/test_plugin.py).
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes.client import (
    V1ConfigMapVolumeSource,
    V1Container,
    V1ContainerState,
    V1ContainerStateRunning,
    V1ContainerStateTerminated,
    V1ContainerStateWaiting,
    V1ContainerStatus,
    V1Job,
    V1JobCondition,
    V1JobSpec,
    V1JobStatus,
    V1ObjectMeta,
    V1Pod,
    V1PodSpec,
    V1PodStatus,
    V1PodTemplateSpec,
    V1Volume,
)
from kubernetes.client.exceptions import ApiException

from kubectl_sequential_job import cli, logs, status
from kubectl_sequential_job.chain import (
    RUNTIME_CONTAINER,
    Workload,
    duration,
    job_workload,
    progress,
    step_runs,
    vcjob_workload,
)
from kubectl_sequential_job.cluster import Cluster, ConfigError, connect
from sequential_job import chart, publish
from sequential_job.paths import PLUGIN

T0 = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)  # noqa: UP017 (the plugin's own Python floor is 3.10)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def done(start: float, end: float, code: int = 0) -> V1ContainerState:
    reason = "Completed" if code == 0 else "Error"
    return V1ContainerState(
        terminated=V1ContainerStateTerminated(exit_code=code, started_at=at(start), finished_at=at(end), reason=reason)
    )


def running(start: float) -> V1ContainerState:
    return V1ContainerState(running=V1ContainerStateRunning(started_at=at(start)))


def waiting(reason: str = "PodInitializing") -> V1ContainerState:
    return V1ContainerState(waiting=V1ContainerStateWaiting(reason=reason))


def status_of(name: str, state: V1ContainerState | None) -> V1ContainerStatus:
    return V1ContainerStatus(name=name, state=state, image="busybox:1.36", image_id="", ready=False, restart_count=0)


def pod_spec(names: list[str], sidecars: tuple[str, ...] = (), shards: str | None = None) -> V1PodSpec:
    """The chart's pod: every name but the last an init container (a sidecar one with restartPolicy Always)."""
    init = [V1Container(name=n, restart_policy="Always" if n in sidecars else None) for n in names[:-1]]
    volumes = [V1Volume(name="shards", config_map=V1ConfigMapVolumeSource(name=shards))] if shards else None
    return V1PodSpec(init_containers=init, containers=[V1Container(name=names[-1])], volumes=volumes)


def pod(
    name: str,
    states: dict[str, V1ContainerState | None],
    phase: str = "Running",
    *,
    sidecars: tuple[str, ...] = (),
    index: int | None = None,
    job: str = "chain-1",
    shards: str | None = None,
    created: float = 0,
) -> V1Pod:
    names = list(states)
    annotations = {} if index is None else {"batch.kubernetes.io/job-completion-index": str(index)}
    return V1Pod(
        metadata=V1ObjectMeta(
            name=name,
            namespace="ns",
            annotations=annotations,
            labels={"job-name": job},
            creation_timestamp=at(created),
        ),
        spec=pod_spec(names, sidecars, shards),
        status=V1PodStatus(
            phase=phase,
            init_container_statuses=[status_of(n, states[n]) for n in names[:-1]],
            container_statuses=[status_of(names[-1], states[names[-1]])],
        ),
    )


def job(
    name: str = "chain-1",
    outcome: str | None = None,
    *,
    steps: int = 3,
    completions: int | None = None,
    shards: str | None = None,
    suspend: bool = False,
) -> V1Job:
    conditions = [V1JobCondition(type=outcome, status="True")] if outcome else None
    template = V1PodTemplateSpec(spec=pod_spec([f"step-{i}" for i in range(1, steps + 1)], shards=shards))
    return V1Job(
        metadata=V1ObjectMeta(name=name, creation_timestamp=T0),
        spec=V1JobSpec(
            template=template,
            completions=completions,
            completion_mode="Indexed" if completions else None,
            suspend=suspend,
        ),
        status=V1JobStatus(conditions=conditions, succeeded=1 if outcome == "Complete" else None),
    )


class Listing:
    def __init__(self, items: list[Any]) -> None:
        self.items = items


class FakeCore:
    """The CoreV1Api calls the plugin makes, answered from what the test set."""

    def __init__(self, pods: list[V1Pod], config_maps: dict[str, dict[str, str]] | None = None) -> None:
        self.pod_list, self.config_maps, self.config_maps_read = pods, config_maps or {}, []

    def list_namespaced_pod(self, namespace: str, label_selector: str) -> Listing:
        assert label_selector.startswith("app.kubernetes.io/instance=")
        return Listing(self.pod_list)

    def read_namespaced_config_map(self, name: str, namespace: str) -> Any:
        self.config_maps_read.append(name)
        if name not in self.config_maps:
            raise ApiException(status=404, reason="Not Found")
        return type("ConfigMap", (), {"data": self.config_maps[name]})()

    def read_namespaced_pod_log(self, name: str, namespace: str, container: str) -> str:
        return f"log of {container}\n"


class FakeBatch:
    def __init__(self, jobs: list[V1Job]) -> None:
        self.jobs = jobs

    def list_namespaced_job(self, namespace: str, label_selector: str) -> Listing:
        return Listing(self.jobs)


class NoVolcano:
    def list_namespaced_custom_object(self, *args: Any, **kwargs: Any) -> dict:
        raise ApiException(status=404, reason="Not Found")  # Volcano's CRD is not installed


def cluster(pods: list[V1Pod], jobs: list[V1Job], config_maps: dict[str, dict[str, str]] | None = None) -> Cluster:
    return Cluster(FakeCore(pods, config_maps), FakeBatch(jobs), NoVolcano())


def frame(pods: list[V1Pod], workload: V1Job, ansi: bool = False, now: float = 10) -> list[str]:
    snap = status.Snapshot("ns", "chain", job_workload(workload), pods)
    return status.render(snap, at(now), status.Style(ansi))


MIDWAY = {"step-1": done(0, 3), "step-2": running(3), "step-3": waiting()}


# --- where a chain is


def test_the_current_step_is_the_first_that_has_not_succeeded() -> None:
    at_2 = progress(step_runs(pod("p", MIDWAY)))
    assert (at_2.done, at_2.total, at_2.current.name, at_2.failed) == (1, 3, "step-2", False)
    failed = progress(step_runs(pod("p", {"step-1": done(0, 3), "step-2": done(3, 4, code=3), "step-3": None})))
    assert (failed.done, failed.current.name, failed.failed) == (1, "step-2", True)
    finished = progress(step_runs(pod("p", {"step-1": done(0, 3), "step-2": done(3, 4), "step-3": done(4, 6)})))
    assert (finished.done, finished.current) == (3, None)


def test_a_sidecar_is_neither_a_step_nor_the_current_one() -> None:
    """A native sidecar runs beside the steps (restartPolicy Always): it must not count, nor be where the chain is."""
    states = {"step-1": done(0, 3), "web": running(3), "step-2": running(4), "step-3": waiting()}
    runs = step_runs(pod("p", states, sidecars=("web",)))
    assert [r.name for r in runs if r.sidecar] == ["web"]
    at_2 = progress(runs)
    assert (at_2.done, at_2.total, at_2.current.name) == (1, 3, "step-2")


def test_the_step_runtime_is_no_step() -> None:
    """The init container that installs the chart's wrapper runs first when a step is wrapped; it is not a step."""
    states = {RUNTIME_CONTAINER: done(0, 1), "step-1": done(1, 3), "step-2": running(3), "step-3": waiting()}
    runs = step_runs(pod("p", states))
    assert [r.name for r in runs] == ["step-1", "step-2", "step-3"]
    at_2 = progress(runs)
    assert (at_2.done, at_2.total, at_2.current.name) == (1, 3, "step-2")
    template = V1PodTemplateSpec(spec=pod_spec([RUNTIME_CONTAINER, "step-1", "step-2"]))
    wrapped = V1Job(metadata=V1ObjectMeta(name="j", creation_timestamp=T0), spec=V1JobSpec(template=template))
    wrapped.status = V1JobStatus()
    assert job_workload(wrapped).steps == 2


@pytest.mark.parametrize(
    "seconds, shown",
    [(None, "-"), (0, "0s"), (59.9, "59s"), (60, "1m00s"), (187, "3m07s"), (7380, "2h03m"), (273600, "3d04h")],
)
def test_durations_read_like_kubectls_ages(seconds: float | None, shown: str) -> None:
    assert duration(seconds) == shown


# --- the status table


def test_status_marks_the_current_step_when_the_output_is_not_a_terminal() -> None:
    lines = frame([pod("chain-1-abc", MIDWAY)], job())
    assert lines[0] == "Job chain-1 (namespace ns): running, at step 2 of 3 (step-2); the chain has run 10s"
    rows = {line[2:].split()[1]: line for line in lines if line[2:4] in ("1 ", "2 ", "3 ")}
    assert rows["step-2"].startswith("> 2  step-2") and rows["step-2"].split()[3:] == ["running", "12:00:03", "7s"]
    assert rows["step-1"].startswith("  1  step-1") and rows["step-1"].split()[2:] == [
        "done",
        "(exit",
        "0)",
        "12:00:00",
        "3s",
    ]
    assert rows["step-3"].split()[2:] == ["waiting", "(PodInitializing)", "-", "-"]
    assert sum(line.startswith(">") for line in lines) == 1, lines
    assert "\x1b[" not in "\n".join(lines)


def test_status_colours_the_current_step_on_a_terminal() -> None:
    lines = frame([pod("chain-1-abc", MIDWAY)], job(), ansi=True)
    highlighted = [line for line in lines if "\x1b[" in line]
    assert len(highlighted) == 1 and "step-2" in highlighted[0], lines
    assert highlighted[0].startswith(f"  {status.BOLD}{status.CYAN}") and highlighted[0].endswith(status.RESET)
    assert not any(line.startswith(">") for line in lines)


def test_status_shows_the_failed_step_in_red_and_exits_1() -> None:
    failed = pod("chain-1-abc", {"step-1": done(0, 3), "step-2": done(3, 5, code=3), "step-3": None}, "Failed")
    lines = frame([failed], job(outcome="Failed"), ansi=True)
    assert lines[0] == "Job chain-1 (namespace ns): failed, step 2 of 3 (step-2) exited 3"
    (red,) = [line for line in lines if status.RED in line]
    assert "step-2" in red and "failed (exit 3, Error)" in red
    out = io.StringIO()
    assert status.run(cluster([failed], [job(outcome="Failed")]), "ns", "chain", out=out) == 1


def test_status_of_a_finished_chain_highlights_nothing_and_exits_0() -> None:
    finished = pod("chain-1-abc", {"step-1": done(0, 3), "step-2": done(3, 4), "step-3": done(4, 9)}, "Succeeded")
    lines = frame([finished], job(outcome="Complete"), now=100)
    assert lines[0] == "Job chain-1 (namespace ns): completed, 3 of 3 steps done in 9s"
    assert not any(line.startswith(">") for line in lines)
    assert lines[-1].startswith("Job chain-1: Complete=True;")


def test_status_names_a_sidecar_beside_the_steps() -> None:
    states = {"step-1": done(0, 3), "web": running(3), "step-2": running(4), "step-3": waiting()}
    lines = frame([pod("chain-1-abc", states, sidecars=("web",))], job())
    (web,) = [line for line in lines if "web" in line]
    assert web.split()[:3] == ["-", "web", "(sidecar)"] and not web.startswith(">")
    assert next(line for line in lines if line[2:].startswith("2 ")).startswith("> 2  step-2  ")


def test_a_sidecar_stopped_after_the_last_step_is_no_failure_and_no_part_of_the_chains_time() -> None:
    """Kubernetes stops a sidecar once the last step has exited, with SIGTERM then SIGKILL (exit 137) after the grace
    period: the chain took 9 seconds, not the 40 until the sidecar was gone."""
    states = {"step-1": done(0, 3), "web": done(3, 40, code=137), "step-2": done(4, 6), "step-3": done(6, 9)}
    lines = frame([pod("chain-1-abc", states, "Succeeded", sidecars=("web",))], job(outcome="Complete"), now=60)
    assert lines[0].endswith(": completed, 3 of 3 steps done in 9s"), lines[0]
    (web,) = [line for line in lines if "web" in line]
    assert "stopped (exit 137, Error)" in web and "failed" not in web


def test_a_job_kueue_holds_back_is_shown_as_suspended() -> None:
    lines = frame([], job(suspend=True))
    assert lines[0] == "Job chain-1 (namespace ns): suspended, waiting to be admitted (Kueue); no pod yet"


def test_shards_get_a_line_per_index_with_k_of_n_steps() -> None:
    cm = "days-sequential-job-shards-0123456789"
    pods = [
        pod("d-0", {"step-1": done(0, 1), "step-2": done(1, 2), "step-3": done(2, 4)}, "Succeeded", index=0, shards=cm),
        pod("d-1", {"step-1": done(0, 2), "step-2": running(2), "step-3": waiting()}, index=1, shards=cm),
    ]
    workload = job(completions=3, shards=cm)
    snap = status.snapshot(cluster(pods, [workload], {cm: {"0": "alpha", "1": "beta gamma", "2": "delta"}}), "ns", "d")
    lines = status.render(snap, at(10), status.Style(False))
    assert lines[0] == "Job chain-1 (namespace ns): running, 3 indexes"
    rows = [line.split() for line in lines[2:5]]
    assert rows[0][1:5] == ["'alpha'", "Succeeded", "3", "of"] and rows[0][5:6] == ["3"]
    assert lines[3].startswith("> 1 ") and "'beta gamma'" in lines[3] and "1 of 3" in lines[3]
    assert "step-2 running" in lines[3] and lines[3].split()[-3:] == ["12:00:00", "10s", "d-1"]
    assert lines[4].split() == ["2", "'delta'", "NotStarted", "0", "of", "3", "-", "-", "-", "-"]
    assert lines[5] == "indexes: 1 succeeded (0), 1 running (1), 1 not started (2)"


# --- the shards ConfigMap, whatever job.nameSuffix names it (issue 17, item 10)


@pytest.mark.parametrize(
    "config_map",
    [
        "days-sequential-job-1-shards",  # job.nameSuffix revision: <workload>-shards
        "days-sequential-job-shards-0123456789",  # hash or none: <fullname>-shards-<sha>, unrelated to the Job's name
    ],
)
def test_logs_read_the_shards_configmap_the_pods_mount(config_map: str) -> None:
    pods = [
        pod(f"d-{i}", {"write": done(0, 1), "copy": done(1, 2), "print": done(2, 3)}, "Succeeded", index=i, shards=None)
        for i in range(2)
    ]
    for p in pods:  # the pods mount it; the Job's own template says the same
        p.spec.volumes = [V1Volume(name="shards", config_map=V1ConfigMapVolumeSource(name=config_map))]
    workload = job("days-sequential-job-0a1b2c3d4e", "Complete", completions=2, shards=config_map)
    for p in pods:
        p.metadata.labels = {"job-name": workload.metadata.name}
    fake = cluster(pods, [workload], {config_map: {"0": "monday", "1": "tuesday"}})
    out, err = io.StringIO(), io.StringIO()
    assert logs.run(fake, "ns", "days", out=out, err=err) == 0
    assert fake.core.config_maps_read == [config_map]
    assert "index 0 'monday': Succeeded, 3/3 steps done (pod d-0)" in out.getvalue()
    assert "index 1 'tuesday': Succeeded, 3/3 steps done (pod d-1)" in out.getvalue()
    assert err.getvalue() == ""


def test_a_missing_shards_configmap_is_a_warning_not_silence() -> None:
    cm = "days-sequential-job-shards-0123456789"
    pods = [pod("d-0", {"write": done(0, 1), "print": done(1, 2)}, "Succeeded", index=0, shards=cm)]
    fake = cluster(pods, [job("chain-1", "Complete", completions=1, shards=cm)])  # the ConfigMap is gone
    out, err = io.StringIO(), io.StringIO()
    assert logs.run(fake, "ns", "days", out=out, err=err) == 0
    assert err.getvalue() == (
        f"warning: the shards ConfigMap {cm} is not in namespace ns: the shard inputs are not shown\n"
    )
    assert "index 0: Succeeded, 2/2 steps done (pod d-0)" in out.getvalue()
    err = io.StringIO()
    assert status.run(fake, "ns", "days", out=io.StringIO(), err=err) == 0
    assert cm in err.getvalue() and err.getvalue().startswith("warning: ")


def test_a_volcano_jobs_shards_configmap_comes_from_its_task_template() -> None:
    vcjob = {
        "metadata": {"name": "days-1", "creationTimestamp": "2026-03-01T12:00:00Z"},
        "spec": {
            "tasks": [
                {
                    "replicas": 4,
                    "template": {
                        "spec": {
                            "initContainers": [{"name": "write"}, {"name": "web", "restartPolicy": "Always"}],
                            "containers": [{"name": "print"}],
                            "volumes": [{"name": "shards", "configMap": {"name": "days-shards-abc"}}],
                        }
                    },
                }
            ]
        },
        "status": {"state": {"phase": "Running"}},
    }
    workload = vcjob_workload(vcjob)
    assert (workload.width, workload.steps, workload.shards_config_map, workload.outcome) == (
        4,
        2,
        "days-shards-abc",
        "running",
    )


# --- --watch


class Sequence_(Cluster):
    """A cluster whose release changes between calls: each snapshot takes the next (pods, job) pair."""

    def __init__(self, states: list[tuple[list[V1Pod], V1Job]]) -> None:
        self.states, self.calls, self.current = states, 0, states[0]
        super().__init__(None, None, None)

    def workloads(self, namespace: str, release: str) -> list[Workload]:  # a snapshot asks this first
        self.current = self.states[min(self.calls, len(self.states) - 1)]
        self.calls += 1
        return [job_workload(self.current[1])]

    def pods(self, namespace: str, release: str) -> list[V1Pod]:
        return self.current[0]


def test_watch_prints_a_frame_per_change_and_exits_with_the_jobs_outcome() -> None:
    first = pod("chain-1-abc", MIDWAY)
    later = pod("chain-1-abc", {"step-1": done(0, 3), "step-2": done(3, 6), "step-3": running(6)})
    finished = pod("chain-1-abc", {"step-1": done(0, 3), "step-2": done(3, 6), "step-3": done(6, 8)}, "Succeeded")
    watched = Sequence_([([first], job()), ([first], job()), ([later], job()), ([finished], job(outcome="Complete"))])
    out, slept = io.StringIO(), []
    code = status.run(watched, "ns", "chain", watch=True, out=out, now=lambda: at(7), sleep=slept.append)
    assert code == 0 and watched.calls == 4 and slept == [1.0, 1.0, 1.0]
    frames = out.getvalue().split("\n\n")
    assert len(frames) == 3, "the second poll saw no change: no frame for it"
    assert [f.splitlines()[0].split(": ", 1)[1] for f in frames] == [
        "running, at step 2 of 3 (step-2); the chain has run 7s",
        "running, at step 3 of 3 (step-3); the chain has run 7s",
        "completed, 3 of 3 steps done in 8s",
    ]


def test_watch_on_a_terminal_redraws_each_poll() -> None:
    watched = Sequence_([([pod("p", MIDWAY)], job()), ([pod("p", MIDWAY)], job(outcome="Failed"))])
    out = io.StringIO()
    assert status.run(watched, "ns", "chain", watch=True, out=out, ansi=True, sleep=lambda s: None) == 1
    assert out.getvalue().count(status.CLEAR) == 2


def test_watch_gives_up_after_its_timeout_with_exit_2() -> None:
    err = io.StringIO()
    code = status.run(
        Sequence_([([pod("p", MIDWAY)], job())]), "ns", "c", watch=True, timeout=0.01, out=io.StringIO(), err=err,
        sleep=lambda s: __import__("time").sleep(0.02),
    )  # fmt: skip
    assert code == 2 and "has not finished after 0.01s" in err.getvalue()


def test_nothing_found_exits_3() -> None:
    err = io.StringIO()
    assert status.run(cluster([], []), "ns", "gone", out=io.StringIO(), err=err) == 3
    assert "no Job or Volcano Job found for release 'gone' in namespace 'ns'" in err.getvalue()
    assert logs.run(cluster([], []), "ns", "gone", out=io.StringIO(), err=err) == 3


# --- the command line and kubectl's flags


def kubeconfig(path: Path) -> Path:
    """Two contexts on one unreachable server: `dev` names namespace team-a and is current, `ops` names none."""
    cluster_entry = {"name": "c", "cluster": {"server": "https://127.0.0.1:9"}}
    contexts = [
        {"name": "dev", "context": {"cluster": "c", "user": "u", "namespace": "team-a"}},
        {"name": "ops", "context": {"cluster": "c", "user": "u"}},
    ]
    config = {"apiVersion": "v1", "kind": "Config", "clusters": [cluster_entry], "contexts": contexts}
    config |= {"current-context": "dev", "users": [{"name": "u", "user": {"token": "t"}}]}
    path.write_text(yaml.safe_dump(config))
    return path


def test_the_namespace_comes_from_the_chosen_context(tmp_path: Path) -> None:
    config = str(kubeconfig(tmp_path / "config"))
    assert connect(config, None)[1] == "team-a"
    assert connect(config, "ops")[1] == "default"
    api, _ = connect(config, "ops")
    assert api.configuration.host == "https://127.0.0.1:9"
    with pytest.raises(ConfigError, match="no context 'prod' in the kubeconfig \\(it has: dev, ops\\)"):
        connect(config, "prod")


def test_a_bad_context_is_a_usage_error_not_a_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(kubeconfig(tmp_path / "config"))
    assert cli.main(["status", "x", "--kubeconfig", config, "--context", "prod"]) == cli.USAGE_ERROR
    assert "no context 'prod'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        cli.main(["status"])  # no release
    assert exited.value.code == cli.USAGE_ERROR


def test_an_unreachable_api_server_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The kubeconfig's server is a closed port on this machine: a clear error and exit 4, not a traceback."""
    config = str(kubeconfig(tmp_path / "config"))
    assert cli.main(["logs", "x", "--kubeconfig", config]) == cli.USAGE_ERROR
    assert "cannot reach the API server at https://127.0.0.1:9" in capsys.readouterr().err


def test_kubectls_flags_go_before_or_after_the_command() -> None:
    before = cli.parser().parse_args(["-n", "team-b", "--context", "ops", "logs", "rel", "--index", "2"])
    after = cli.parser().parse_args(["status", "rel", "--watch", "-n", "team-b", "--kubeconfig", "/k"])
    assert (before.namespace, before.context, before.command, before.release, before.index) == (
        "team-b",
        "ops",
        "logs",
        "rel",
        2,
    )
    assert (after.namespace, after.kubeconfig, after.watch, after.command) == ("team-b", "/k", True, "status")


@pytest.mark.parametrize("command", ["logs", "status"])
def test_each_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main([command, "--help"])
    shown = capsys.readouterr().out
    assert exited.value.code == 0
    assert f"usage: kubectl sequential-job {command}" in shown and "--kubeconfig" in shown and "--context" in shown
    assert "exit status: 0" in shown


# --- the distribution


def test_the_plugins_version_is_the_charts() -> None:
    plugin = (PLUGIN / "pyproject.toml").read_text()
    assert f'\nversion = "{chart.metadata()["version"]}"\n' in plugin, (
        "plugin/pyproject.toml's version must be Chart.yaml's: bump both"
    )


def test_the_wheel_depends_on_the_kubernetes_client_only_and_installs_the_kubectl_plugin(tmp_path: Path) -> None:
    wheel = publish.package_plugin(tmp_path)
    assert wheel.name == f"kubectl_sequential_job-{chart.metadata()['version']}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(info).decode()
        entry_points = archive.read(info.replace("METADATA", "entry_points.txt")).decode()
    assert [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")] == [
        "Requires-Dist: kubernetes>=28.1.0"
    ]
    assert "kubectl-sequential_job = kubectl_sequential_job.cli:entry_point" in entry_points
    assert not [n for n in names if "egg-info" in n or "__pycache__" in n or n.startswith("sequential_job")], names
    assert publish.package_plugin(tmp_path).read_bytes() == wheel.read_bytes(), "the same sources, the same wheel"
