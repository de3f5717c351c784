"""The benchmark's tables, as Markdown: printed by `make bench` and kept in docs/benchmarks.md between markers."""

from __future__ import annotations

from typing import Any

HELM_LABEL = {"helm": "Helm 4", "helm3": "Helm 3"}
RUNNER_LABEL = {"pod": "one pod (this chart)", "jobs": "one Job per step"}


def _spread(s: dict[str, float], fmt: str = "{:.2f}") -> str:
    return f"{fmt.format(s['median'])} ({fmt.format(s['min'])}-{fmt.format(s['max'])})"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *("| " + " | ".join(r) + " |" for r in rows),
    ]


def render_section(r: dict[str, Any]) -> list[str]:
    helms = list(r["helms"])
    header = ["steps", "output", *(f"{HELM_LABEL[h]} s, median (min-max)" for h in helms)]
    rows = []
    for n in r["sizes"]:
        size = r["helms"][helms[0]]["output_bytes"][str(n)]
        rows.append([str(n), f"{size / 1024:.1f} KiB", *(_spread(r["helms"][h]["seconds"][str(n)]) for h in helms)])
    lines = [f"**Render scaling** (`helm template`, {r['repetitions']} interleaved repetitions per cell)", ""]
    lines += _table(header, rows)
    lines.append("")
    for h in helms:
        d = r["helms"][h]
        fit, ratio = d["time_fit"], d["ratio"]
        marginal = ", ".join(f"{k} steps: {v * 1000:.1f} ms" for k, v in d["marginal_seconds_per_step"].items())
        lines.append(
            f"- {HELM_LABEL[h]}: t ≈ {fit['intercept']:.3f} s + {fit['slope'] * 1000:.2f} ms x steps "
            f"(R² {fit['r2']:.4f}); t({ratio['of'][0]})/t({ratio['of'][1]}) = {ratio['time']:.2f} "
            f"for {ratio['of'][0] / ratio['of'][1]:.0f}x the steps; per added step {marginal}; "
            f"output {d['bytes_fit']['slope']:.0f} bytes/step (R² {d['bytes_fit']['r2']:.4f})"
        )
    return lines


def schema_section(r: dict[str, Any]) -> list[str]:
    helms = list(r["helms"])
    header = ["steps", "helm", "no schema s", "schema (draft-07) s", "ratio", "same schema as 2020-12 s", "ratio"]
    rows = []
    for n in r["sizes"]:
        for h in helms:
            d = r["helms"][h]
            s = d["seconds"]
            rows.append(
                [
                    str(n),
                    HELM_LABEL[h],
                    _spread(s["skip"][str(n)], "{:.3f}"),
                    _spread(s["schema"][str(n)], "{:.3f}"),
                    f"{d['ratio']['schema'][str(n)]:.2f}",
                    _spread(s["draft2020"][str(n)], "{:.3f}"),
                    f"{d['ratio']['draft2020'][str(n)]:.2f}",
                ]
            )
    lines = [
        f"**Schema cost** (`helm template` with values.schema.json against `--skip-schema-validation`, "
        f"{r['repetitions']} interleaved repetitions per cell)",
        "",
    ]
    lines += _table(header, rows)
    lines += [
        "",
        f"- values.schema.json is {r['schema_bytes'] / 1024:.0f} KiB; the packaged chart is "
        f"{r['package_bytes'] / 1024:.0f} KiB",
    ]
    return lines


def harness_section(r: dict[str, Any]) -> list[str]:
    header = [
        "unit suite",
        "wall s, median (min-max)",
        "test cases",
        "helm processes",
        "renders started",
        "distinct renders",
        "repeated helm runs",
    ]
    rows = []
    for mode, label in (("serial", "serial (`-p no:xdist`)"), ("xdist-2", "`-n 2 --dist loadgroup` (make test)")):
        c = r["counts"][mode]
        rows.append(
            [
                label,
                _spread(r["wall_seconds"][mode], "{:.1f}"),
                str(c["test_cases"]),
                str(c["helm_processes"]),
                str(c["render_processes"]),
                str(c["distinct_renders"]),
                str(c["repeated_helm_processes"]),
            ]
        )
    c = r["counts"]["serial"]
    by_origin = ", ".join(f"{k} {v}" for k, v in sorted(c["helm_processes_by_origin"].items(), key=lambda kv: -kv[1]))
    lines = [f"**Harness cost** (`pytest tests --ignore=tests/e2e`, {r['repetitions']} runs per mode)", ""]
    lines += _table(header, rows)
    lines += [
        "",
        f"- serial: helm processes by origin: {by_origin}; render cache {c['render_cache_hits']} hits, "
        f"{c['render_cache_misses']} misses",
    ]
    return lines


def _cluster(r: dict[str, Any]) -> str:
    """The cluster a handoff run measured (runs from before the record was kept say only "embedded cluster")."""
    c = r.get("cluster")
    if not c:
        return "embedded cluster"
    pleg = {True: "EventedPLEG", False: "generic PLEG (1 s relist)"}.get(c["evented_pleg"], "PLEG unknown")
    return f"embedded cluster: kubelet {c['kubelet']}, {c['runtime']}, {pleg}"


def handoff_section(r: dict[str, Any]) -> list[str]:
    header = [
        "steps",
        "runner",
        "handoff gap s, median (min-max)",
        "kubelet gap s (1 s resolution)",
        "total s",
        "floor s",
        "overhead per step s",
    ]
    rows = []
    for n in r["sizes"]:
        for runner in r["runners"]:
            d = r["runners"][runner][str(n)]
            rows.append(
                [
                    str(n),
                    RUNNER_LABEL.get(runner, runner),
                    _spread(d["gap_seconds"]) if d["gap_seconds"] else "-",
                    f"{d['kubelet_gap_seconds']['median']:.0f}" if d["kubelet_gap_seconds"] else "-",
                    _spread(d["total_seconds"], "{:.1f}"),
                    f"{d['floor_seconds']['median']:.2f}",
                    f"{d['overhead_per_step_seconds']['median']:.2f}",
                ]
            )
    lines = [f"**Step handoff** ({_cluster(r)}, {r['repetitions']} runs per cell, trivial steps)", ""]
    lines += _table(header, rows)
    lines.append("")
    for n in r["sizes"]:
        pod, jobs = r["runners"]["pod"][str(n)], r["runners"]["jobs"][str(n)]
        extra = ""
        if "gap_to_complete_seen_seconds" in jobs:
            extra = (
                f"; a Job-chain gap is {jobs['gap_to_complete_seen_seconds']['median']:.2f} s from a step's end until "
                f"its Job is seen Complete plus {jobs['gap_complete_seen_to_next_start_seconds']['median']:.2f} s "
                "from there until the next pod's step starts"
            )
        t_pod, t_jobs = pod["total_seconds"]["median"], jobs["total_seconds"]["median"]
        lines.append(
            f"- {n} steps: one pod takes {t_pod:.1f} s, one Job per step {t_jobs:.1f} s ({t_jobs / t_pod:.1f}x)" + extra
        )
    return lines


def limit_section(r: dict[str, Any]) -> list[str]:
    header = [
        "step shape",
        "pod bytes/step (waiting → finished)",
        "kubelet status fits up to (measured)",
        "helm install works up to (measured)",
        "runs to completion up to (model)",
        "chart refuses from",
    ]
    rows = []
    for family, found in r["families"].items():
        model = r["models"][family]
        guard = r.get("guard", {}).get(family, {})
        rows.append(
            [
                family,
                f"{model['pod_bytes']['slope']:.0f} → {model['pod_bytes_finished']['slope']:.0f}",
                f"{found['ok']['largest_passing']} (fails at {found['ok']['smallest_failing']})",
                f"{found['installs']['largest_passing']} (fails at {found['installs']['smallest_failing']})",
                str(model["pod_bytes_finished"]["limit_n"]),
                str(guard.get("smallest_refused", "-")),
            ]
        )
    for family, model in r["models"].items():
        if family not in r["families"]:
            guard = r.get("guard", {}).get(family, {})
            rows.append(
                [
                    family,
                    f"{model['pod_bytes']['slope']:.0f} → {model['pod_bytes_finished']['slope']:.0f}",
                    f"≈{model['pod_bytes']['limit_n']} (model)",
                    f"≈{model['job_bytes']['limit_n']} (model)",
                    str(model["pod_bytes_finished"]["limit_n"]),
                    str(guard.get("smallest_refused", "-")),
                ]
            )
    lines = [f"**Scale limit** (embedded cluster, etcd request limit {r['etcd_request_limit']} bytes)", ""]
    lines += _table(header, rows)
    lines.append("")
    for family, found in r["families"].items():
        for stage in ("ok", "installs"):
            f = found[stage]
            lines.append(f"- {family}, {f['smallest_failing']} steps ({f['failure_stage']}): {f['failure']}")
    if freeze := r.get("freeze"):
        if freeze.get("frozen"):
            f = freeze
            short = r["etcd_request_limit"] - f["pod_bytes"] if f.get("pod_bytes") else None
            lines.append(
                f"- {f['family']}, {f['n']} steps (fits while waiting): the API's pod stopped at "
                f"{f['finished_steps_in_api']} finished steps"
                + (f", {short} bytes short of the limit," if short is not None else "")
                + f" while the node went on to run step {f['steps_run_on_node']} (the size model, blind to the longer"
                f" step names of long chains, allowed {f['predicted_finished_steps']})"
            )
        else:
            lines.append(f"- {freeze['family']}, {freeze['n']} steps: the pod's status did not freeze")
    if verify := r.get("verify"):
        v = verify
        share = v["pod_bytes_finished"] / r["etcd_request_limit"]
        lines.append(
            f"- the chart's boundary, run to the end: {v['n']} {v['family']} steps (it refuses {v['refused_from']}) "
            f"{v['outcome']} in {v['seconds']:.0f} s with {v['finished_in_api']} of {v['n']} statuses in the API; "
            f"the finished pod is {v['pod_bytes_finished']} bytes in etcd ({share:.1%} of the limit)"
        )
    if guard := r.get("guard"):
        for family, g in guard.items():
            if g.get("message"):
                lines.append(f"- chart, {family}, {g['smallest_refused']} steps: `{g['message']}`")
                break
    return lines


def reservation_section(r: dict[str, Any]) -> list[str]:
    def fmt(resource: str, v: float) -> str:
        if resource == "cpu":
            return f"{v * 1000:.0f}m" if v < 1 else f"{v:g}"
        return f"{v / 2**20:.0f}Mi"

    header = [
        "overlay",
        "steps (+ sidecars)",
        "CPU chained",
        "CPU all at once",
        "ratio",
        "memory chained",
        "memory all at once",
        "ratio",
    ]
    rows = []
    for o in r["overlays"].values():
        sidecars = f" (+ {o['sidecars']})" if o.get("sidecars") else ""
        row = [f"{' + '.join(o['files'])}", f"{o['steps']}{sidecars}"]
        for resource in ("cpu", "memory"):
            d = o[resource]
            if d["chained"]:
                row += [fmt(resource, d["chained"]), fmt(resource, d["all_at_once"]), f"{d['ratio']:.2f}"]
            else:
                row += ["none", "none", "-"]
        rows.append(row)
    lines = [
        "**Reservation** (pod request, chained: the largest step plus the sidecars beside it, Kubernetes' formula; "
        "all at once: the sum of every step and sidecar)",
        "",
    ]
    return lines + _table(header, rows)


def shards_section(r: dict[str, Any]) -> list[str]:
    helms = list(r["helms"])
    header = ["shards", "output", *(f"{HELM_LABEL[h]} s, median (min-max)" for h in helms)]
    rows = [
        [f"{n:,}".replace(",", " "), f"{r['output_bytes'][str(n)] / 1024:.1f} KiB"]
        + [_spread(r["helms"][h][str(n)]) for h in helms]
        for n in r["sizes"]
    ]
    lines = [
        f"**Shards: rendering** (`helm template` of a 3-step chain over n shards like `{r['shard']}`, "
        f"{r['repetitions']} interleaved repetitions per cell)",
        "",
    ]
    return lines + _table(header, rows)


def fanout_section(r: dict[str, Any]) -> list[str]:
    header = ["runner", "wall s, median (min-max)", "of which submitting s"]
    rows = [
        [name, _spread(d["seconds"], "{:.1f}"), _spread(d["submit_seconds"], "{:.1f}")]
        for name, d in r["runners"].items()
    ]
    lines = [
        f"**Fan-out** (embedded cluster: {r['chains']} chains of {r['steps']} trivial steps, from the first "
        f"`helm install` until the last Job is Complete; one release with {r['chains']} shards at a given "
        f"parallelism against {r['chains']} releases installed one after another)",
        "",
    ]
    return lines + _table(header, rows)


def shardlimit_section(r: dict[str, Any]) -> list[str]:
    header = [
        "shard shape",
        "helm install takes up to (measured)",
        "fails at",
        "release record at the largest",
        "ConfigMap in etcd at the largest",
        f"chart accepts (shardsMaxBytes {r['budget']})",
        "chart accepts (shardsMaxBytes 0)",
    ]
    rows, notes = [], []
    for shape, d in r["shapes"].items():
        big, fail = d["largest_installed"], d["smallest_refused"]
        rows.append(
            [
                shape,
                f"{big['n']}" if big else "-",
                f"{fail['n']}" if fail else "-",
                f"{big['release_secret_bytes'] / 1024:.0f} KiB" if big and big.get("release_secret_bytes") else "-",
                f"{big['configmap_bytes'] / 1024:.0f} KiB" if big and big.get("configmap_bytes") else "-",
                str(d["chart_default_accepts"]),
                str(d["chart_unbudgeted_accepts"]),
            ]
        )
        if fail:
            left = ", ".join(fail.get("objects_left") or []) or "nothing"
            notes.append(f"- {shape}, {fail['n']} shards: `{fail['message']}` (left in the namespace: {left})")
    lines = ["**Shards: how many fit** (embedded cluster, `helm install` with the Job suspended)", ""]
    return lines + _table(header, rows) + [""] + notes


def wait_section(r: dict[str, Any]) -> list[str]:
    header = ["helm", "chain", "helm returned after the chain ended, s: median (min-max)", "helm's exit code"]
    rows = []
    for helm, cells in r["helms"].items():
        for outcome, d in cells.items():
            codes = ", ".join(map(str, d["exit_codes"]))
            rows.append([helm, outcome, _spread(d["after_end_seconds"], "{:.1f}"), codes])
    lines = [
        f"**Waiting** (`helm install --wait --wait-for-jobs --timeout {r['timeout']}`, embedded cluster, "
        f"{r['repetitions']} runs per cell; the chain ends at the Job's completionTime or the failed step's exit)",
        "",
    ]
    return lines + _table(header, rows)


def runtime_section(r: dict[str, Any]) -> list[str]:
    header = ["steps", "hand-off s, median (min-max)", "install to first step's start, s", "install to Complete, s"]
    rows = []
    for kind, d in r["kinds"].items():
        rows.append(
            [
                f"{r['steps']} {kind}",
                _spread(d["gap_seconds"]),
                _spread(d["first_start_seconds"], "{:.1f}"),
                _spread(d["total_seconds"], "{:.1f}"),
            ]
        )
    lines = [
        f"**The step runtime** (embedded cluster, {r['repetitions']} runs per row; `wrapped`: every step has a "
        "timeout, so a first init container installs the static busybox and every step runs under the wrapper)",
        "",
    ]
    return lines + _table(header, rows)


def failure_section(r: dict[str, Any]) -> list[str]:
    header = ["after a failure, the chain", "install to Complete, s", "pods", "step runs"]
    names = {
        "backoffLimit": "`backoffLimit: 1` alone: a new pod runs every step again",
        "retries": "`retries: {limit: 1}`: the step runs again in place",
        "resume": "`resume` and `backoffLimit: 1`: a new pod skips the completed steps",
    }
    rows = [
        [names[way], f"{d['total_seconds']:.1f}", str(d["pods"]), str(d["step_runs"])] for way, d in r["ways"].items()
    ]
    lines = [
        f"**Retry the step, not the chain** (embedded cluster; {r['steps']} steps of {r['step_seconds']} s, step "
        f"{r['fails_at']} fails once; the steps alone take {r['floor_seconds']} s)",
        "",
    ]
    return lines + _table(header, rows)


def handoff_evented_section(evented: dict[str, Any], generic: dict[str, Any] | None) -> list[str]:
    """The same handoff measurement on a kubelet with the EventedPLEG feature gate, beside the generic one."""
    lines = [
        f"**Step handoff with an event-driven kubelet** ({_cluster(evented)}, {evented['repetitions']} runs per cell)"
    ]
    lines.append("")
    if generic is None:
        return [*lines, "(no generic-PLEG handoff run to compare with)"]
    header = [
        "steps",
        "runner",
        "gap s, generic PLEG",
        "gap s, EventedPLEG",
        "total s, generic PLEG",
        "total s, EventedPLEG",
    ]
    rows = []
    sizes = [n for n in evented["sizes"] if n in generic["sizes"]]
    for n in sizes:
        for runner in evented["runners"]:
            g, e = generic["runners"][runner][str(n)], evented["runners"][runner][str(n)]
            rows.append(
                [
                    str(n),
                    RUNNER_LABEL.get(runner, runner),
                    _spread(g["gap_seconds"]) if g["gap_seconds"] else "-",
                    _spread(e["gap_seconds"]) if e["gap_seconds"] else "-",
                    _spread(g["total_seconds"], "{:.1f}"),
                    _spread(e["total_seconds"], "{:.1f}"),
                ]
            )
    lines += _table(header, rows)
    lines.append("")
    for n in sizes:
        g, e = generic["runners"]["pod"][str(n)], evented["runners"]["pod"][str(n)]
        lines.append(
            f"- {n} steps in one pod: {g['total_seconds']['median']:.1f} s with the generic PLEG, "
            f"{e['total_seconds']['median']:.1f} s with EventedPLEG; median handoff "
            f"{g['gap_seconds']['median']:.2f} s → {e['gap_seconds']['median']:.2f} s"
            if g["gap_seconds"] and e["gap_seconds"]
            else f"- {n} steps in one pod: {g['total_seconds']['median']:.1f} s → {e['total_seconds']['median']:.1f} s"
        )
    return lines


SCALE_RUNNER_LABEL = {
    "indexed": "Indexed Job",
    "indexed-qps": "Indexed Job, Job controller at {qps} QPS",
    "volcano": "Volcano Job (ganged)",
    "kueue": "Indexed Job in a Kueue queue",
    "separate": "one release (Job) per shard",
}


def scale_label(r: dict[str, Any], runner: str) -> str:
    return SCALE_RUNNER_LABEL[runner].format(qps=r.get("fast_controller_qps"))


def scale_section(r: dict[str, Any]) -> list[str]:
    header = [
        "shards",
        "runner",
        "all pods created s",
        "all complete s",
        "pods created /s",
        "etcd bytes/shard (stored; at the end, uncompacted)",
        "API server peak MiB",
        "controllers' peak MiB",
    ]
    rows = []
    for n in sorted({int(n) for runs in r["runs"].values() for n in runs}):
        for runner, runs in sorted(r["runs"].items(), key=lambda kv: list(SCALE_RUNNER_LABEL).index(kv[0])):
            d = runs.get(str(n))
            if d is None:
                continue
            if "created_seconds" not in d:  # a run that did not finish: its error
                rows.append([f"{n:,}".replace(",", " "), scale_label(r, runner), d["outcome"], "", "", "", "", ""])
                continue
            others = {k: v for k, v in d["peak_mib"].items() if k not in ("kube-apiserver", "etcd", "kwok")}
            rows.append(
                [
                    f"{n:,}".replace(",", " "),
                    scale_label(r, runner),
                    f"{d['created_seconds']:.0f}",
                    d["outcome"]
                    if d["complete_seconds"] is None
                    else f"{d['complete_seconds']:.0f}" + ("" if d["outcome"] == "completed" else f" ({d['outcome']})"),
                    f"{d['pods_per_second']:.1f}",
                    f"{d['etcd_bytes_per_shard']:,}; {d['etcd_in_use_bytes_per_shard_at_end']:,}".replace(",", " "),
                    f"{d['peak_mib'].get('kube-apiserver', 0):.0f}",
                    ", ".join(f"{k} {v:.0f}" for k, v in others.items()),
                ]
            )
    largest = [runner for runner, runs in r["runs"].items() if str(max(r["sizes"])) in runs]
    lines = [
        f"**Fan-out at scale** (embedded control plane, {r['nodes']} nodes simulated by kwok: a trivial chain of "
        f"{r['steps']} steps of {r['step_seconds']} s each per shard, each pod requesting {r['request']['cpu_m']}m CPU "
        f"and {r['request']['memory_mib']} MiB; times from the first `helm install`, pods' creation times in whole "
        f"seconds; one release per shard at {' and '.join(map(str, r['separate_sizes']))} shards only"
        + (
            f"; at {max(r['sizes'])} shards only {', '.join(scale_label(r, x) for x in largest)}"
            if set(r["runs"]) - {"separate"} - set(largest)
            else ""
        )
        + "".join(
            f"; {scale_label(r, runner)} at {n} shards measured on its own, {d['measured']}"
            for runner, runs in r["runs"].items()
            for n, d in runs.items()
            if "measured" in d
        )
        + ")",
        "",
    ]
    lines += _table(header, rows)
    m = r.get("mount")
    if m:
        lines += [
            "",
            f"**What every pod mounts** (real node: a pod mounting a ConfigMap of n shards of {m['shape']})",
            "",
        ]
        mount_rows = []
        for keys in m["keys"]:
            for layout, d in m["layouts"][str(keys)].items():
                mount_rows.append(
                    [
                        f"{keys:,}".replace(",", " "),
                        layout,
                        f"{d['seconds_median']:.2f} ({min(d['seconds']):.2f}-{max(d['seconds']):.2f})",
                        str(d["files"]),
                        f"{d['bytes'] / 1024:.1f} KiB",
                    ]
                )
        lines += _table(
            ["shards", "ConfigMap", "pod created → step running s, median (min-max)", "files written", "bytes"],
            mount_rows,
        )
    return lines


SECTIONS = (
    ("render", render_section),
    ("schema", schema_section),
    ("harness", harness_section),
    ("handoff", handoff_section),
    ("limit", limit_section),
    ("reservation", reservation_section),
    ("shards", shards_section),
    ("fanout", fanout_section),
    ("shardlimit", shardlimit_section),
    ("wait", wait_section),
    ("runtime", runtime_section),
    ("failure", failure_section),
    ("scale", scale_section),
)


def markdown(results: dict[str, Any]) -> str:
    m = results["meta"]
    lines = [
        f"Measured {m['date']} on {m['machine']['cpus']} CPUs, {m['machine']['memory_gib']} GiB "
        f"({m['machine']['helm']['helm']}, {m['machine']['helm']['helm3']}); "
        f"load average at the start: {', '.join(map(str, m['load_average']))}.",
        "",
    ]
    if later := {part: when for part, when in m.get("finished", {}).items() if part in results}:
        lines[0] = (
            lines[0].rstrip(".")
            + "; parts measured again later: "
            + ", ".join(f"{part} (finished {when})" for part, when in later.items())
            + "."
        )
        lines.insert(1, "")
    for part, section in SECTIONS:
        if part in results:
            lines += [*section(results[part]), ""]
        if part == "handoff" and "handoff_evented" in results:
            lines += [*handoff_evented_section(results["handoff_evented"], results.get("handoff")), ""]
    return "\n".join(lines).rstrip() + "\n"
