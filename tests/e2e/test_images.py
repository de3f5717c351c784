"""The embedded cluster's local images that issue 20's proof needs (scripts/cluster/images.sh): one without a shell,
whose only program is /act, and the step runtime's default image, busybox:1.37.0-musl, there without a registry."""

from __future__ import annotations

from e2e.pods import CONTAINER_SECURITY, container, create_pod, log, pod_spec, run_pod, wait_pod

NO_SHELL = "sequential-job.local/no-shell:1"
STEP_RUNTIME = "busybox:1.37.0-musl"


def no_shell(name: str, command: list[str]) -> dict:
    return {
        "name": name,
        "image": NO_SHELL,
        "command": command,
        "volumeMounts": [{"name": "out", "mountPath": "/out"}],
        "securityContext": CONTAINER_SECURITY,
    }


def test_no_shell_image_runs_act_and_has_no_shell(restricted: str) -> None:
    """/act prints, writes and exits with the code it is given; the image has no /bin/sh to start."""
    act = ["/act", "print", "hello", "append", "/out/record", "one", "write", "/out/result", "42", "exit", "3"]
    create_pod(restricted, "act", pod_spec([no_shell("act", act)], [{"name": "out", "emptyDir": {}}]))
    pod = wait_pod(restricted, "act")
    terminated = pod.status.container_statuses[0].state.terminated
    assert (pod.status.phase, terminated.exit_code) == ("Failed", 3), pod.status
    assert log(pod, "act") == "hello\n"

    create_pod(
        restricted, "shell", pod_spec([no_shell("shell", ["/bin/sh", "-c", "true"])], [{"name": "out", "emptyDir": {}}])
    )
    pod = wait_pod(restricted, "shell")
    terminated = pod.status.container_statuses[0].state.terminated
    assert pod.status.phase == "Failed" and terminated.reason == "StartError", pod.status
    assert "/bin/sh" in terminated.message and "no such file" in terminated.message, terminated.message


def test_act_writes_files_and_fails_its_first_runs(restricted: str) -> None:
    """What a command step without a shell can leave behind: files, and a failure count that ends in success."""
    record = ["/act", "append", "/out/record", "one", "write", "/out/result", "42"]
    # Init containers, in order: fail-first 1 exits 5 on its first run; with restartPolicy OnFailure the kubelet runs
    # it again, and the second run goes on.
    flaky = ["/act", "fail-first", "1", "/out/runs", "5", "print", "succeeded"]
    check = container("check", "cat /out/record /out/result /out/runs", [{"name": "out", "mountPath": "/out"}])
    spec = pod_spec(
        [check], [{"name": "out", "emptyDir": {}}], init=[no_shell("record", record), no_shell("flaky", flaky)]
    )
    spec["restartPolicy"] = "OnFailure"
    pod = run_pod(restricted, "files", spec, timeout=180)
    assert log(pod, "check") == "one\n42run\nrun\n"
    assert log(pod, "flaky") == "succeeded\n"
    flaky_status = pod.status.init_container_statuses[1]
    assert flaky_status.restart_count == 1, flaky_status
    assert flaky_status.last_state.terminated.exit_code == 5, flaky_status


def test_step_runtime_image_is_there_without_a_registry(restricted: str) -> None:
    """The chart's default stepRuntime.image resolves to the local busybox-static image: a static busybox."""
    step = container("step", "busybox | head -n 1")
    step["image"] = STEP_RUNTIME
    pod = run_pod(restricted, "runtime", pod_spec([step]), timeout=60)
    assert log(pod, "step").startswith("BusyBox v1."), log(pod, "step")
