"""Retry the step, not the chain (issue 20), on a real cluster: the step runtime wraps a command in an image without a
shell, a failing step runs again in place without the earlier steps running again, and with resume a replacement pod
skips what an earlier pod of the same Job completed."""

from __future__ import annotations

from typing import Any

from kubernetes import client

from e2e.cluster import eventually, install, logs, pods, runs_by_name, the_pod, wait_finished
from kubectl_sequential_job.chain import pod_index

BUSYBOX = "busybox:1.36"
NO_SHELL = "sequential-job.local/no-shell:1"  # scripts/cluster/images.sh: only /act (scripts/cluster/no-shell)


def test_a_command_step_in_an_image_without_a_shell_times_out(namespace: str) -> None:
    """The runtime's busybox runs the wrapper, so the image needs none: /act is stopped after the timeout, exit 124,
    and onError continue lets the chain go on to a step that reads the exit code."""
    values = {
        "steps": [
            {
                "name": "wait",
                "image": NO_SHELL,
                "command": ["/act", "print", "waiting", "sleep", "600"],
                "timeoutSeconds": 3,
                "onError": "continue",
            },
            {"name": "report", "image": BUSYBOX, "command": ["cat", "/steps/wait/exitCode"]},
        ]
    }
    install("helm", "noshell", namespace, values=values)
    assert wait_finished(namespace, "noshell", timeout=180) == "completed"
    pod = the_pod(namespace, "noshell")
    assert logs(pod, "report").strip() == "124", "the wrapped /pause did not exit 124 after its timeout"
    runtime = pod.spec.init_containers[0]
    assert runtime.name == "sequential-job-runtime" and runtime.image.startswith("busybox:1.37.0-musl"), runtime
    assert "timed out after 3s" in logs(pod, "wait")


def test_a_command_step_without_a_shell_retries_in_place(namespace: str) -> None:
    """A command in an image without a shell fails twice (it counts its runs in a file), then succeeds on the third
    attempt in the same pod: the step runs again in place, and the steps before it once."""
    values = {
        "volumes": [{"name": "work", "emptyDir": {}}],
        "stepDefaults": {"volumeMounts": [{"name": "work", "mountPath": "/work"}]},
        "steps": [
            {"name": "first", "image": NO_SHELL, "command": ["/act", "append", "/work/first", "ran"]},
            {
                "name": "flaky",
                "image": NO_SHELL,
                "command": ["/act", "fail-first", "2", "/work/count", "3", "print", "done"],
                "retries": {"limit": 2, "onExitCodes": [3]},
            },
            {"name": "last", "image": BUSYBOX, "command": ["cat", "/work/first", "/steps/flaky/attempts"]},
        ],
    }
    install("helm", "noshellretry", namespace, values=values)
    assert wait_finished(namespace, "noshellretry", timeout=180) == "completed"
    pod = the_pod(namespace, "noshellretry")
    assert logs(pod, "last").split("\n")[:4] == ["ran", "1 3", "2 3", "3 0"], logs(pod, "last")


def counting_step(fails: int, code: int) -> dict[str, Any]:
    """A step that fails `fails` times with `code` (counting its attempts in /work/tries), then succeeds."""
    count = "n=$(($(cat /work/tries 2>/dev/null || echo 0) + 1)); echo $n > /work/tries"
    script = f'{count}; echo "try $n"; [ $n -gt {fails} ] || exit {code}'
    return {"name": "flaky", "image": BUSYBOX, "script": script}


def retry_chain(limit: int, fails: int, code: int = 3, **retries: Any) -> dict[str, Any]:
    return {
        "volumes": [{"name": "work", "emptyDir": {}}],
        "stepDefaults": {"volumeMounts": [{"name": "work", "mountPath": "/work"}], "image": BUSYBOX},
        "steps": [
            {"name": "first", "script": "echo first >> /work/first-ran"},
            {**counting_step(fails, code), "retries": {"limit": limit, **retries}},
            {"name": "last", "script": "cat /work/first-ran; cat /steps/flaky/attempts"},
        ],
    }


def test_a_step_that_fails_twice_succeeds_on_its_third_attempt_in_one_pod(namespace: str) -> None:
    install("helm", "retry", namespace, values=retry_chain(limit=2, fails=2, delaySeconds=1))
    assert wait_finished(namespace, "retry", timeout=180) == "completed"
    pod = the_pod(namespace, "retry")
    runs = runs_by_name(pod)
    assert runs["flaky"].exit_code == 0 and pod.status.init_container_statuses, runs
    flaky = next(s for s in pod.status.init_container_statuses if s.name == "flaky")
    assert flaky.restart_count == 0, "the step was restarted by the kubelet, not retried in place"
    flaky_log = logs(pod, "flaky").splitlines()
    assert [line for line in flaky_log if line.startswith("try")] == ["try 1", "try 2", "try 3"], flaky_log
    assert "sequential-job: step flaky ran 3 time(s), exit codes: 3 3 0 " in flaky_log, flaky_log
    last = logs(pod, "last").splitlines()
    assert last[0] == "first" and len(last) == 4, f"the first step ran {last.count('first')} times: {last}"
    assert last[1:] == ["1 3", "2 3", "3 0"], f"attempts recorded as {last[1:]}"


def test_retries_stop_at_the_limit_and_on_other_exit_codes(namespace: str) -> None:
    install("helm", "limit", namespace, values=retry_chain(limit=1, fails=5))
    install("helm", "other", namespace, values=retry_chain(limit=3, fails=5, code=4, onExitCodes=[3]))
    for release, attempts in (("limit", ["1 3", "2 3"]), ("other", ["1 4"])):
        assert wait_finished(namespace, release, timeout=180) == "failed"
        run = runs_by_name(the_pod(namespace, release))["flaky"]
        tries = [line for line in logs(the_pod(namespace, release), "flaky").splitlines() if line.startswith("try")]
        assert run.exit_code == int(attempts[-1].split()[1]) and len(tries) == len(attempts), (release, tries, run)


def resumable_chain(waiting_index: int | None = None, **extra: Any) -> dict[str, Any]:
    """Four steps that log to a kept volume; the third waits (for its pod to be deleted) the first time it runs (with
    shards, in the pod of `waiting_index` only)."""
    wait_once = "[ -f /work/again ] || { touch /work/again; sleep 600; }"
    if waiting_index is not None:
        wait_once = f'[ "$JOB_COMPLETION_INDEX" != {waiting_index} ] || {wait_once}'

    return {
        "volumes": [{"name": "work", "emptyDir": {}}],
        "stepDefaults": {"image": BUSYBOX, "volumeMounts": [{"name": "work", "mountPath": "/work"}]},
        "resume": {"enabled": True, "volumes": ["work"]},
        "job": {"backoffLimit": 1},
        "steps": [
            {"name": "one", "script": "echo one >> /work/log"},
            {"name": "two", "script": "echo two >> /work/log"},
            {"name": "three", "script": f"echo three >> /work/log; {wait_once}"},
            {"name": "four", "script": "cat /work/log"},
        ],
        **extra,
    }


def step_three_running(namespace: str, release: str, index: int | None = None) -> Any:
    """A probe: the pod (of the index) whose step three runs, once it does."""

    def probe() -> Any:
        for pod in pods(namespace, release):
            if index is not None and pod_index(pod) != index:
                continue
            run = runs_by_name(pod).get("three")
            if run and run.state == "running":
                return pod
        return None

    return probe


def assert_resumed(second: Any, log: list[str]) -> None:
    for step in ("one", "two"):
        assert "completed in an earlier pod of this Job" in logs(second, step), f"{step} ran again in the new pod"
    assert logs(second, "four").split() == log, "the kept volume did not carry the files over"


def test_resume_skips_the_steps_an_earlier_pod_completed(namespace: str) -> None:
    """Four steps, backoffLimit 1: the pod is deleted while step 3 runs; the replacement skips steps 1 and 2, reads
    their file from the claim, and completes."""
    install("helm", "resume", namespace, values=resumable_chain())
    first = eventually(step_three_running(namespace, "resume"), 180, "step three to run in the first pod")
    client.CoreV1Api().delete_namespaced_pod(first.metadata.name, namespace, grace_period_seconds=1)
    assert wait_finished(namespace, "resume", timeout=240) == "completed"
    second = pods(namespace, "resume")[-1]
    assert second.metadata.name != first.metadata.name
    assert_resumed(second, ["one", "two", "three", "three"])


def test_resume_keeps_each_index_apart(namespace: str) -> None:
    """Two shards, both running: index 1's pod is deleted during its step 3; its replacement skips index 1's steps 1
    and 2 with index 1's files, and index 0 runs once, untouched."""
    values = resumable_chain(1, shards=["a", "b"], job={"parallelism": 2, "backoffLimit": 1})
    install("helm", "resumeshards", namespace, values=values)
    first = eventually(step_three_running(namespace, "resumeshards", 1), 180, "index 1's step three to run")
    client.CoreV1Api().delete_namespaced_pod(first.metadata.name, namespace, grace_period_seconds=1)
    assert wait_finished(namespace, "resumeshards", timeout=300) == "completed"
    by_index: dict[int | None, list[Any]] = {}
    for pod in pods(namespace, "resumeshards"):
        by_index.setdefault(pod_index(pod), []).append(pod)
    names = {i: [p.metadata.name for p in found] for i, found in by_index.items()}
    # the deleted pod is gone; index 1's pod now is its replacement, index 0's the one that ran from the start
    assert len(by_index[0]) == 1 and by_index[1][-1].metadata.name != first.metadata.name, names
    assert_resumed(by_index[1][-1], ["one", "two", "three", "three"])
    assert logs(by_index[0][0], "four").split() == ["one", "two", "three"], "index 0 shared index 1's progress"
