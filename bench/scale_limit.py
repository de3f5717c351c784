"""Part 4, scale limit: the largest number of steps that still installs and runs, found by bisection with
`helm install` of n steps on the embedded cluster, and what the user sees past it.

A chain of n steps is one Job and one pod with n containers, so three objects grow with n:

- the Helm release record, a Secret of at most 1 MiB (its manifest is gzipped, so repetitive steps cost little);
- the Job, which must fit etcd's request limit (1.5 MiB by default) including Helm's managedFields;
- the pod the Job controller creates, which must fit as well, and keeps growing after creation: the kubelet
  writes one status per container (waiting, then running, then terminated) into it.

Each probe installs n steps into a fresh namespace and reports the stage it reached:
`refused` (helm install failed), `no-pod` (the Job exists but its pod could not be created), `no-status` (the pod
exists and its steps run, but the kubelet's status updates are refused, so the API shows the pod Pending forever),
or `ok` (the kubelet's status for every step is in the pod). Two step shapes: `trivial` (harness.values.chain, about
250 bytes of rendered JSON a step) and `padded` (the same with a 1 KiB script), so that the limit can be checked
against the rendered size rather than the step count.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from bench import etcd
from bench.cluster import delete_namespace, new_namespace, wait_job
from bench.common import helm_install, helm_template, write_values
from bench.stats import Line
from sequential_job.helm import HelmRun
from sequential_job.values import chain

STAGES = ("refused", "no-pod", "no-status", "ok")
PAD = 1024
RELEASE = "limit"
JOB = f"{RELEASE}-sequential-job-1"
# etcd's default --max-request-bytes: every write of an object, the object included, must fit in it.
ETCD_REQUEST_LIMIT = 1536 * 1024
# The chart's own size check (pod.maxObjectBytes) is turned off to find where the cluster itself stops.
NO_GUARD: dict[str, Any] = {"pod": {"maxObjectBytes": 0}}


def family_values(family: str, n: int, **extra: Any) -> dict[str, Any]:
    """n steps of one shape: `trivial` (chain), `padded` (1 KiB scripts), `rich` (env, two mounts, resources)."""
    values = chain(n, **extra)
    if family == "padded":
        for step in values["steps"]:
            step["script"] += " # " + "x" * (PAD - len(step["script"]) - 3)
    elif family == "rich":
        for step in values["steps"]:
            step["env"] = [{"name": "STAGE", "value": step["name"]}, {"name": "MODE", "value": "bench"}]
            step["volumeMounts"] = [{"name": "in", "mountPath": "/srv/in"}, {"name": "out", "mountPath": "/srv/out"}]
            step["resources"] = {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"memory": "32Mi"}}
        values["volumes"] = [{"name": "in", "emptyDir": {}}, {"name": "out", "emptyDir": {}}]
    elif family != "trivial":
        raise ValueError(f"unknown family {family!r}")
    return values


def _wait(probe, timeout: float, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (value := probe()) is not None:
            return value
        time.sleep(interval)
    return None


def managed_fields_bytes(obj: Any) -> int:
    """About how many of an object's bytes in etcd are its managedFields (stored as raw JSON, plus each entry's
    manager, operation, version and time). The API server drops them all when keeping them would break etcd's limit
    (kubernetes/kubernetes#87508), unless the write is an apply: so they count against the Job, not the pod."""
    entries = obj.metadata.managed_fields or []
    sanitize = client.ApiClient().sanitize_for_serialization
    return sum(
        len(json.dumps(sanitize(m.fields_v1), separators=(",", ":")))
        + len(m.manager or "")
        + len(m.operation or "")
        + len(m.api_version or "")
        + len(m.subresource or "")
        + 40
        for m in entries
    )


def probe(n: int, family: str, tmp: Path, *, run_to_end: bool = False, extra: dict[str, Any] | None = None):
    """Install n steps of the family into a fresh namespace; report the stage reached, sizes and messages."""
    core = client.CoreV1Api()
    ns = new_namespace(f"limit-{family}-{n}")
    result: dict[str, Any] = {"n": n, "family": family}
    try:
        values = write_values(tmp, f"{family}-{n}", family_values(family, n, **{**NO_GUARD, **(extra or {})}))
        start = time.monotonic()
        proc = install(ns, values, check=False)
        result["helm_seconds"] = round(time.monotonic() - start, 2)
        secrets = core.list_namespaced_secret(ns, label_selector="owner=helm").items
        if secrets:
            result["release_secret_bytes"] = sum(len(v) for v in (secrets[0].data or {}).values()) * 3 // 4
        if proc.returncode != 0:
            result.update(stage="refused", message=proc.stderr.strip().splitlines()[-1][:600])
            return result
        result["job_bytes"] = etcd.stored_bytes("jobs", ns, JOB)

        def pod_or_failure():
            pods = core.list_namespaced_pod(ns, label_selector=f"job-name={JOB}").items
            if pods:
                return pods[0]
            failed = [e for e in core.list_namespaced_event(ns).items if e.reason == "FailedCreate"]
            return failed[0] if failed else None

        found = _wait(pod_or_failure, timeout=120)
        if found is None or not isinstance(found, client.V1Pod):
            message = found.message if found is not None else "no pod and no FailedCreate event within 120s"
            result.update(stage="no-pod", message=f"Job event FailedCreate: {message}"[:600])
            return result
        pod_name = found.metadata.name

        def statuses() -> tuple[Any, int]:
            pod = core.read_namespaced_pod(pod_name, ns)
            return pod, len((pod.status.init_container_statuses or []) + (pod.status.container_statuses or []))

        def first_step_started() -> bool:
            events = core.list_namespaced_event(ns, field_selector=f"involvedObject.name={pod_name}").items
            return any(e.reason == "Started" for e in events)

        # The kubelet reports every step's status as soon as the pod's sandbox is up, before the first step ends.
        # Once the first step has started, a status that is still missing 15 s later is not coming.
        deadline, started_at = time.monotonic() + 180, None
        while True:
            pod, reported = statuses()
            if reported == n:
                break
            now = time.monotonic()
            if started_at is None and first_step_started():
                started_at = now
            if now > deadline or (started_at is not None and now - started_at > 15):
                result.update(
                    stage="no-status",
                    message=(
                        f"pod {pod_name} stays {pod.status.phase} in the API with {reported} of {n} step statuses"
                        + (", although its first step started (the Started event exists)" if started_at else "")
                        + "; the kubelet's status update is refused (kubelet log: etcdserver: request is too large)"
                    ),
                    pod_bytes=etcd.stored_bytes("pods", ns, pod_name),
                )
                return result
            time.sleep(0.5)
        pod_bytes = etcd.stored_bytes("pods", ns, pod_name)
        result.update(stage="ok", pod_bytes=pod_bytes, pod_bytes_without_mf=pod_bytes - managed_fields_bytes(pod))
        if run_to_end:
            outcome = wait_job(ns, JOB, timeout=60 + 5 * n)
            pod = core.read_namespaced_pod(pod_name, ns)
            finished = etcd.stored_bytes("pods", ns, pod_name)
            result.update(
                outcome=outcome,
                pod_bytes_finished=finished,
                pod_bytes_finished_without_mf=finished - managed_fields_bytes(pod),
            )
        return result
    finally:
        delete_namespace(ns, force_pods=True)


def install(ns: str, values: Path, check: bool = True) -> HelmRun:
    """`helm install` (Helm 4) of the chart with one values file; raises on failure when check is true."""
    return helm_install(ns, RELEASE, values, check=check)


def ran_on_node(ns: str, pod_name: str, step: int) -> bool:
    """Whether step-<step> has run on the node: the kubelet serves a container's logs from its own state, which goes on
    while the API server refuses its status updates (the kubelet's events are rate-limited per pod, so they cannot
    tell)."""
    try:
        return bool(client.CoreV1Api().read_namespaced_pod_log(pod_name, ns, container=f"step-{step}"))
    except ApiException:
        return False


def finished_in_api(pod: Any) -> int:
    return sum(1 for s in pod.status.init_container_statuses or [] if s.state and s.state.terminated)


def freeze_check(n: int, family: str, tmp: Path, timeout: float = 300) -> dict[str, Any]:
    """Install n steps that fit at the start and watch the pod while they run: the kubelet's status grows with each
    finished step, and once the pod no longer fits, the API's view of it stops while the steps go on running."""
    core = client.CoreV1Api()
    ns = new_namespace(f"limit-freeze-{n}")
    try:
        install(ns, write_values(tmp, f"freeze-{family}-{n}", family_values(family, n, **NO_GUARD)))
        pod_name = _wait(
            lambda: next(iter(core.list_namespaced_pod(ns, label_selector=f"job-name={JOB}").items), None), 120
        ).metadata.name
        start = time.monotonic()
        last_change, done = start, -1
        while time.monotonic() - start < timeout:
            now_done = finished_in_api(core.read_namespaced_pod(pod_name, ns))
            if now_done != done:
                done, last_change = now_done, time.monotonic()
            # Frozen: the API has not moved for 20 s while the node has run steps well past it.
            if time.monotonic() - last_change > 20 and ran_on_node(ns, pod_name, done + 10):
                lo, hi = done + 10, n + 1  # the last step that has run on the node: lo ran, hi did not
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    lo, hi = (mid, hi) if ran_on_node(ns, pod_name, mid) else (lo, mid)
                return {
                    "n": n,
                    "family": family,
                    "frozen": True,
                    "finished_steps_in_api": done,
                    "steps_run_on_node": lo,
                    "pod_bytes": etcd.stored_bytes("pods", ns, pod_name),
                    "seconds": round(time.monotonic() - start, 1),
                }
            time.sleep(2)
        return {"n": n, "family": family, "frozen": False, "finished_steps_in_api": done}
    finally:
        delete_namespace(ns, force_pods=True)


def chart_refusal(family: str, n: int, tmp: Path) -> str | None:
    """The chart's own size check (pod.maxObjectBytes at its default): its message if it refuses n steps."""
    values = write_values(tmp, f"guard-{family}-{n}", family_values(family, n))
    proc = helm_template("helm", values, release=RELEASE)
    if proc.returncode == 0:
        return None
    if "pod.maxObjectBytes" not in proc.stderr:
        raise RuntimeError(f"helm template of {n} {family} steps failed otherwise:\n{proc.stderr}")
    return proc.stderr.strip().splitlines()[0]


FAMILIES = ("trivial", "padded", "rich")
CALIBRATION_SIZES = (10, 20)
BISECTED = ("trivial", "padded")


def size_models(calibration: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per family, bytes in etcd as a line in n: the Job, the pod with every step waiting, the pod when finished;
    and the n at which each reaches etcd's request limit."""
    models = {}
    for family in FAMILIES:
        runs = [r for r in calibration if r["family"] == family]
        ns = [r["n"] for r in runs]
        family_model = {}
        # The pod's lines leave out its managedFields, which the API server drops rather than exceed the limit.
        for what, source in (
            ("job_bytes", "job_bytes"),
            ("pod_bytes", "pod_bytes_without_mf"),
            ("pod_bytes_finished", "pod_bytes_finished_without_mf"),
            ("release_secret_bytes", "release_secret_bytes"),
        ):
            line = Line.fit(ns, [r[source] for r in runs])
            limit = ETCD_REQUEST_LIMIT if what != "release_secret_bytes" else 1024 * 1024  # a Secret holds 1 MiB
            family_model[what] = {**line.as_dict(), "limit_n": int((limit - line.intercept) // line.slope)}
        models[family] = family_model
    return models


def bisect(passes, lo: int, hi: int, tolerance: float) -> tuple[int, int]:
    """The boundary between lo (passes) and hi (fails), narrowed until hi - lo <= max(1, tolerance * lo)."""
    while hi - lo > max(1, int(tolerance * lo)):
        mid = (lo + hi) // 2
        if passes(mid):
            lo = mid
        else:
            hi = mid
    return lo, hi


def bracket(passes, guess: int) -> tuple[int, int]:
    """A passing lo and a failing hi around a predicted boundary, widened until they are."""
    lo, hi = max(1, int(guess * 0.97)), int(guess * 1.03) + 1
    while not passes(lo):
        lo, hi = max(1, lo // 2), lo
    while passes(hi):
        lo, hi = hi, hi * 2
    return lo, hi


def run(quick: bool = False, log=print) -> dict[str, Any]:
    if quick:
        raise ValueError("the scale limit has no quick mode: it needs the cluster")
    if not etcd.available():
        raise RuntimeError(f"etcd is not readable at {etcd.ENDPOINT}: the scale limit needs the embedded cluster")
    results: dict[str, Any] = {"etcd_request_limit": ETCD_REQUEST_LIMIT, "probes": [], "families": {}}
    with tempfile.TemporaryDirectory(prefix="bench-limit-") as tmpdir:
        tmp = Path(tmpdir)
        calibration = []
        for family in FAMILIES:
            for n in CALIBRATION_SIZES:
                calibration.append(probe(n, family, tmp, run_to_end=True))
                log(f"  limit: calibration {family} n={n}: {calibration[-1]}")
        results["calibration"] = calibration
        models = size_models(calibration)
        results["models"] = models

        cache: dict[tuple[str, int], dict[str, Any]] = {}

        def probed(family: str, n: int) -> dict[str, Any]:
            if (family, n) not in cache:
                cache[family, n] = probe(n, family, tmp)
                results["probes"].append(cache[family, n])
                r = cache[family, n]
                log(f"  limit: {family} n={n}: {r['stage']}" + (f" ({r['message'][:160]})" if "message" in r else ""))
            return cache[family, n]

        for family in BISECTED:
            model = models[family]
            found: dict[str, Any] = {}
            for stage, guess_from, passes in (
                ("ok", "pod_bytes", lambda n, f=family: probed(f, n)["stage"] == "ok"),
                ("installs", "job_bytes", lambda n, f=family: probed(f, n)["stage"] != "refused"),
            ):
                lo, hi = bisect(passes, *bracket(passes, model[guess_from]["limit_n"]), tolerance=0.005)
                found[stage] = {
                    "largest_passing": lo,
                    "smallest_failing": hi,
                    "predicted": model[guess_from]["limit_n"],
                    "failure": probed(family, hi).get("message"),
                    "failure_stage": probed(family, hi)["stage"],
                }
            results["families"][family] = found
        # The chart's check against the model of the finished pod: where it starts refusing, per shape.
        results["guard"] = {}
        for family in FAMILIES:
            refusals: dict[int, str | None] = {}

            def accepted(n: int, f: str = family, seen: dict[int, str | None] = refusals) -> bool:
                if n not in seen:
                    seen[n] = chart_refusal(f, n, tmp)
                return seen[n] is None

            lo, hi = bisect(accepted, *bracket(accepted, models[family]["pod_bytes_finished"]["limit_n"]), 0)
            results["guard"][family] = {
                "largest_accepted": lo,
                "smallest_refused": hi,
                "model_limit": models[family]["pod_bytes_finished"]["limit_n"],
                "message": refusals[hi],
            }
            log(
                f"  limit: the chart refuses {family} from {hi} steps (model: finished pod fits up to "
                f"{models[family]['pod_bytes_finished']['limit_n']})"
            )
        # Past the start: n steps that fit while waiting stop fitting as they finish. The model says after how many.
        family = "padded"
        n = results["families"][family]["ok"]["largest_passing"]
        model = models[family]
        per_finished = model["pod_bytes_finished"]["slope"] - model["pod_bytes"]["slope"]
        at_start = model["pod_bytes"]["intercept"] + model["pod_bytes"]["slope"] * n
        predicted_freeze = int((ETCD_REQUEST_LIMIT - at_start) // per_finished)
        freeze = freeze_check(n, family, tmp)
        freeze["predicted_finished_steps"] = predicted_freeze
        results["freeze"] = freeze
        log(f"  limit: freeze check {freeze}")
    return results


def verify(log=print, family: str = "padded") -> dict[str, Any]:
    """The chart's own boundary, run to the end: the most steps of a shape the size check accepts (found with helm
    template), installed with the check on, must complete with every step's status in the API."""
    core = client.CoreV1Api()
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as tmpdir:
        tmp = Path(tmpdir)
        refusals: dict[int, str | None] = {}

        def accepted(n: int) -> bool:
            if n not in refusals:
                refusals[n] = chart_refusal(family, n, tmp)
            return refusals[n] is None

        probe_message = chart_refusal(family, 5000, tmp) or ""
        guess = int(probe_message.split("About ")[1].split(" steps")[0])  # the chart's own "About N steps ... fit"
        n, refused = bisect(accepted, *bracket(accepted, guess), 0)
        log(f"  verify: the chart accepts {n} {family} steps and refuses {refused}; running {n} to the end")
        ns = new_namespace(f"limit-verify-{n}")
        try:
            start = time.monotonic()
            install(ns, write_values(tmp, f"verify-{n}", family_values(family, n)))
            outcome = wait_job(ns, JOB, timeout=600 + 4 * n)
            seconds = time.monotonic() - start
            (pod,) = core.list_namespaced_pod(ns, label_selector=f"job-name={JOB}").items
            statuses = (pod.status.init_container_statuses or []) + (pod.status.container_statuses or [])
            finished = sum(1 for st in statuses if st.state and st.state.terminated)
            result = {
                "family": family,
                "n": n,
                "refused_from": refused,
                "outcome": outcome,
                "seconds": round(seconds, 1),
                "finished_in_api": finished,
                "pod_bytes_finished": etcd.stored_bytes("pods", ns, pod.metadata.name),
            }
            log(f"  verify: {result}")
            return result
        finally:
            delete_namespace(ns, force_pods=True)
