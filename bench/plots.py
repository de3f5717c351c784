"""The benchmark's figures, as PNG files (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # the backend is chosen above, before pyplot loads

from bench.report import HELM_LABEL, RUNNER_LABEL

COLORS = {"helm": "tab:blue", "helm3": "tab:orange", "pod": "tab:green", "jobs": "tab:red"}


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)
    return path


def render_scaling(r: dict[str, Any], out: Path) -> Path:
    fig, (ax_t, ax_s) = plt.subplots(1, 2, figsize=(11, 4.2))
    sizes = r["sizes"]
    for helm, d in r["helms"].items():
        med = [d["seconds"][str(n)]["median"] for n in sizes]
        lo = [m - d["seconds"][str(n)]["min"] for m, n in zip(med, sizes, strict=True)]
        hi = [d["seconds"][str(n)]["max"] - m for m, n in zip(med, sizes, strict=True)]
        fit = d["time_fit"]
        ax_t.errorbar(sizes, med, yerr=[lo, hi], fmt="o", capsize=3, color=COLORS[helm], label=HELM_LABEL[helm])
        ax_t.plot(
            [0, sizes[-1]],
            [fit["intercept"], fit["intercept"] + fit["slope"] * sizes[-1]],
            "--",
            color=COLORS[helm],
            label=f"fit: {fit['slope'] * 1000:.2f} ms/step, R² {fit['r2']:.3f}",
        )
    ax_t.set(xlabel="steps", ylabel="helm template wall time, s (median, min-max)", title="Render time")
    ax_t.legend(fontsize=8)
    ax_t.grid(alpha=0.3)
    d = next(iter(r["helms"].values()))
    ax_s.plot(sizes, [d["output_bytes"][str(n)] / 1024 for n in sizes], "o-", color="tab:gray")
    ax_s.set(
        xlabel="steps", ylabel="rendered manifest, KiB", title=f"Output size ({d['bytes_fit']['slope']:.0f} B/step)"
    )
    ax_s.grid(alpha=0.3)
    return _save(fig, out / "render_scaling.png")


def schema_cost(r: dict[str, Any], out: Path) -> Path:
    fig, ax = plt.subplots(figsize=(7, 3.8))
    sizes = r["sizes"]
    width = 0.2
    bars = [(h, v) for h in r["helms"] for v in ("schema", "draft2020")]
    for i, (helm, variant) in enumerate(bars):
        ratios = [r["helms"][helm]["ratio"][variant][str(n)] for n in sizes]
        label = f"{HELM_LABEL[helm]}, {'draft-07 (shipped)' if variant == 'schema' else '2020-12'}"
        xs = [j + (i - (len(bars) - 1) / 2) * width for j in range(len(sizes))]
        ax.bar(xs, ratios, width, color=COLORS[helm], alpha=1.0 if variant == "schema" else 0.45, label=label)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(sizes)), [str(n) for n in sizes])
    ax.set(xlabel="steps", ylabel="helm template time / without schema", title="What the values schema costs")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, out / "schema_cost.png")


def harness_cost(r: dict[str, Any], out: Path) -> Path:
    fig, (ax_w, ax_c) = plt.subplots(1, 2, figsize=(10, 3.8))
    modes = list(r["wall_seconds"])
    labels = {"serial": "serial", "xdist-2": "-n 2 --dist loadgroup"}
    ax_w.bar(
        [labels[m] for m in modes],
        [r["wall_seconds"][m]["median"] for m in modes],
        yerr=[
            [r["wall_seconds"][m]["median"] - r["wall_seconds"][m]["min"] for m in modes],
            [r["wall_seconds"][m]["max"] - r["wall_seconds"][m]["median"] for m in modes],
        ],
        capsize=4,
        color="tab:purple",
    )
    ax_w.set(ylabel="wall time, s", title=f"Unit suite ({r['counts']['serial']['test_cases']} test cases)")
    kinds = [
        ("helm_processes", "helm processes"),
        ("render_processes", "renders started"),
        ("distinct_renders", "distinct renders"),
    ]
    width = 0.38
    for i, m in enumerate(modes):
        xs = [k + (i - 0.5) * width for k in range(len(kinds))]
        ax_c.bar(xs, [r["counts"][m][key] for key, _ in kinds], width, label=labels[m])
    ax_c.set_xticks(range(len(kinds)), [label for _, label in kinds])
    ax_c.set(title="helm processes per run")
    ax_c.legend()
    return _save(fig, out / "harness_cost.png")


def handoff(r: dict[str, Any], out: Path) -> Path:
    fig, (ax_g, ax_t) = plt.subplots(1, 2, figsize=(11, 4.2))
    sizes = r["sizes"]
    data, labels, colors = [], [], []
    for n in sizes:
        for runner, per_size in r["runners"].items():
            gaps = [g for s in per_size[str(n)]["samples"] for g in s["gaps"]]
            data.append(gaps)
            labels.append(f"{n}\n{'pod' if runner == 'pod' else 'Jobs'}")
            colors.append(COLORS[runner])
    boxes = ax_g.boxplot(data, tick_labels=labels, patch_artist=True, widths=0.6)
    for patch, color in zip(boxes["boxes"], colors, strict=True):
        patch.set_facecolor(color)
        patch.set_alpha(0.5)
    ax_g.set(ylabel="end of step i → start of step i+1, s", title="Handoff gap (in-step /proc/uptime stamps)")
    ax_g.grid(alpha=0.3, axis="y")
    for runner, per_size in r["runners"].items():
        totals = [per_size[str(n)]["total_seconds"]["median"] for n in sizes]
        ax_t.plot(sizes, totals, "o-", color=COLORS[runner], label=RUNNER_LABEL[runner])
    floors = [r["runners"]["pod"][str(n)]["floor_seconds"]["median"] for n in sizes]
    ax_t.plot(sizes, floors, "k:", label="floor: the steps' own run time")
    ax_t.set(xlabel="steps", ylabel="submit → Job Complete seen, s (median)", title="Total wall time")
    ax_t.legend(fontsize=8)
    ax_t.grid(alpha=0.3)
    return _save(fig, out / "handoff.png")


def handoff_pleg(generic: dict[str, Any], evented: dict[str, Any], out: Path) -> Path:
    """Median handoff gap per size and runner: the generic PLEG's 1 s relist against EventedPLEG."""
    fig, ax = plt.subplots(figsize=(8, 4.2))
    sizes = [n for n in evented["sizes"] if n in generic["sizes"]]
    runners = list(evented["runners"])
    width = 0.8 / (2 * len(runners))
    for i, runner in enumerate(runners):
        for j, (label, r, hatch) in enumerate((("generic PLEG", generic, ""), ("EventedPLEG", evented, "//"))):
            medians = [r["runners"][runner][str(n)]["gap_seconds"]["median"] for n in sizes]
            xs = [k + (2 * i + j - len(runners) + 0.5) * width for k in range(len(sizes))]
            ax.bar(
                xs,
                medians,
                width,
                color=COLORS[runner],
                alpha=0.4 + 0.4 * j,
                hatch=hatch,
                label=f"{RUNNER_LABEL[runner]}, {label}",
            )
    ax.set_xticks(range(len(sizes)), [f"{n} steps" for n in sizes])
    ax.set(ylabel="median handoff gap, s", title="Handoff gap: generic PLEG (1 s relist) against EventedPLEG")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    return _save(fig, out / "handoff_pleg.png")


def scale_limit(r: dict[str, Any], out: Path) -> Path:
    fig, ax = plt.subplots(figsize=(8.5, 4.8))
    limit = r["etcd_request_limit"]
    markers = {"ok": ("o", "ok"), "no-status": ("x", "status refused"), "refused": ("s", "install refused")}
    colors = {"trivial": "tab:blue", "padded": "tab:orange", "rich": "tab:green"}
    top = 1
    for family, model in r["models"].items():
        top = max(top, model["job_bytes"]["limit_n"] * 1.1 if family in r["families"] else 0)
    for family, model in r["models"].items():
        c = colors.get(family, "tab:gray")
        for what, style, label in (
            ("pod_bytes_finished", "-", "pod, all steps finished"),
            ("pod_bytes", "--", "pod, steps waiting"),
            ("job_bytes", ":", "Job"),
        ):
            m = model[what]
            ax.plot(
                [0, top],
                [m["intercept"] / 2**20, (m["intercept"] + m["slope"] * top) / 2**20],
                style,
                color=c,
                label=f"{family}: {label}",
            )
    # Probes that fit are drawn at their measured size; those that did not, on the limit they broke.
    seen = set()
    for p in r["probes"]:
        marker, label = markers.get(p["stage"], ("^", p["stage"]))
        y = p.get("pod_bytes") if p["stage"] == "ok" else limit
        if y is None:
            continue
        ax.plot(
            p["n"],
            y / 2**20,
            marker,
            color=colors.get(p["family"], "k"),
            mfc="none",
            label=label if label not in seen else None,
        )
        seen.add(label)
    for i, (family, g) in enumerate(r.get("guard", {}).items()):
        ax.plot(
            g["smallest_refused"],
            limit / 2**20,
            "v",
            ms=9,
            color=colors.get(family, "k"),
            label="the chart refuses from here" if i == 0 else None,
        )
    if v := r.get("verify"):
        ax.plot(
            v["n"],
            v["pod_bytes_finished"] / 2**20,
            "*",
            ms=12,
            color=colors.get(v["family"], "k"),
            label=f"chart's boundary run to the end ({v['outcome']})",
        )
    ax.axhline(limit / 2**20, color="k", lw=1)
    ax.text(top * 0.01, limit / 2**20 * 1.02, "etcd request limit (1.5 MiB)", fontsize=8)
    ax.set(
        xlim=(0, top),
        ylim=(0, limit / 2**20 * 1.6),
        xlabel="steps",
        ylabel="object in etcd, MiB",
        title="Objects in etcd (lines: model from runs of 10 and 20 steps; marks: probes)",
    )
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3)
    return _save(fig, out / "scale_limit.png")


def reservation(r: dict[str, Any], out: Path) -> Path:
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    names = list(r["overlays"])
    for ax, resource, unit, scale in ((axes[0], "cpu", "CPU cores", 1), (axes[1], "memory", "memory, MiB", 2**20)):
        chained = [r["overlays"][n][resource]["chained"] / scale for n in names]
        summed = [r["overlays"][n][resource]["all_at_once"] / scale for n in names]
        xs = range(len(names))
        ax.bar([x - 0.2 for x in xs], chained, 0.4, label="chained (largest step)", color="tab:green")
        ax.bar([x + 0.2 for x in xs], summed, 0.4, label="all steps at once (sum)", color="tab:red")
        ax.set_xticks(list(xs), [n.removesuffix(".yaml") for n in names])
        ax.set(ylabel=unit, title=f"Pod {resource} request")
        ax.legend(fontsize=8)
    return _save(fig, out / "reservation.png")


def shards(r: dict[str, Any], out: Path) -> Path:
    fig, (ax_t, ax_s) = plt.subplots(1, 2, figsize=(10, 3.8))
    sizes = r["sizes"]
    for helm, d in r["helms"].items():
        med = [d[str(n)]["median"] for n in sizes]
        lo = [m - d[str(n)]["min"] for m, n in zip(med, sizes, strict=True)]
        hi = [d[str(n)]["max"] - m for m, n in zip(med, sizes, strict=True)]
        ax_t.errorbar(sizes, med, yerr=[lo, hi], fmt="o-", capsize=3, color=COLORS[helm], label=HELM_LABEL[helm])
    ax_t.set(xscale="log", xlabel="shards", ylabel="helm template wall time, s", title="Render time")
    ax_t.legend(fontsize=8)
    ax_t.grid(alpha=0.3)
    ax_s.plot(sizes, [r["output_bytes"][str(n)] / 1024 for n in sizes], "o-", color="tab:gray")
    ax_s.set(xscale="log", yscale="log", xlabel="shards", ylabel="rendered manifest, KiB", title="Output size")
    ax_s.grid(alpha=0.3)
    return _save(fig, out / "shards.png")


def fanout(r: dict[str, Any], out: Path) -> Path:
    fig, ax = plt.subplots(figsize=(7, 3.8))
    names = list(r["runners"])
    med = [r["runners"][n]["seconds"]["median"] for n in names]
    lo = [m - r["runners"][n]["seconds"]["min"] for m, n in zip(med, names, strict=True)]
    hi = [r["runners"][n]["seconds"]["max"] - m for m, n in zip(med, names, strict=True)]
    colors = ["tab:green"] * (len(names) - 1) + ["tab:red"]
    ax.bar(range(len(names)), med, yerr=[lo, hi], capsize=4, color=colors)
    ax.set_xticks(range(len(names)), [n.replace("parallelism", "one Job,\nparallelism") for n in names])
    ax.set(ylabel="wall time, s (median, min-max)", title=f"{r['chains']} chains of {r['steps']} trivial steps")
    ax.grid(alpha=0.3, axis="y")
    return _save(fig, out / "fanout.png")


def scale(r: dict[str, Any], out: Path) -> Path:
    from bench.report import scale_label

    fig, (ax_c, ax_d) = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    colors = {"indexed": "tab:green", "indexed-qps": "tab:olive", "volcano": "tab:purple", "kueue": "tab:blue",
              "separate": "tab:red"}  # fmt: skip
    for runner, runs in r["runs"].items():
        sizes = sorted(int(n) for n, d in runs.items() if "created_seconds" in d)  # (not a run that failed)
        if not sizes:
            continue
        label = scale_label(r, runner)
        ax_c.plot(sizes, [runs[str(n)]["created_seconds"] for n in sizes], "o-", color=colors[runner], label=label)
        done = [n for n in sizes if runs[str(n)]["complete_seconds"] is not None]  # (not one that ran out of time)
        ax_d.plot(done, [runs[str(n)]["complete_seconds"] for n in done], "o-", color=colors[runner], label=label)
    floor = r["steps"] * r["step_seconds"]
    for ax, title in ((ax_c, "until every pod is created"), (ax_d, "until the workload is complete")):
        ax.set(xscale="log", yscale="log", xlabel="shards", title=title)
        ax.grid(alpha=0.3, which="both")
    ax_d.axhline(floor, color="grey", ls=":", label=f"one chain's own time ({floor} s)")
    ax_c.set_ylabel(f"seconds from helm install ({r['nodes']} simulated nodes)")
    ax_d.legend(fontsize=8)
    return _save(fig, out / "scale.png")


FIGURES = {
    "render": render_scaling,
    "schema": schema_cost,
    "harness": harness_cost,
    "handoff": handoff,
    "limit": scale_limit,
    "reservation": reservation,
    "shards": shards,
    "fanout": fanout,
    "scale": scale,
}


def draw(results: dict[str, Any], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    figures = [FIGURES[part](results[part], out) for part in FIGURES if part in results]
    if "handoff" in results and "handoff_evented" in results:
        figures.append(handoff_pleg(results["handoff"], results["handoff_evented"], out))
    return figures
