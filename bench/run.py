"""`make bench`: measure, print a table, write results.json, draw the figures.

    python -m bench.run [--quick] [--parts PART,...] [--out DIR] [--merge] [--write-docs]

Parts: render (helm template scaling, Helm 4 and 3), schema (what the values schema adds to a render), harness (the
unit suite's cost), reservation (per overlay), shards (rendering 10 to 10 000 shards),
and, on a cluster (KUBECONFIG), handoff (step to step, one pod against one Job per step), limit (how many steps
fit), verify (the chart's own boundary run to the end, about 20 minutes; added to limit's results), fanout (8 chains
as one Indexed Job against 8 installs), shardlimit (how many shards `helm install` takes) and wait (how soon
`helm install --wait --wait-for-jobs` returns once the chain completed or failed, Helm 4 and 3), runtime (what the
step runtime adds to a step's start) and failure (a chain failing once: backoffLimit, retries and resume side by
side); and, on the embedded cluster with KWOK=1, VOLCANO=1 and KUEUE=1, scale (100 to 10 000 shards over 1 000
simulated nodes as an Indexed Job, a Volcano Job, a Kueue-queued Job and one release per shard; bench/scale.py).
handoff-evented is handoff again, stored beside it, for a cluster whose kubelet runs the EventedPLEG feature gate
(`make bench` runs it on the embedded cluster with EVENTED_PLEG=1), so the report sets the two side by side.
`--merge` keeps the other parts already in DIR/results.json (`make bench` runs the cluster parts in a second
invocation, inside scripts/cluster/with-cluster.sh); `--write-docs` rewrites the table in docs/benchmarks.md
(doc_sections.BENCH).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import harness_cost, render_scaling, reservation, schema_cost, shards
from bench.common import load_average, machine
from sequential_job.doc_sections import BENCH
from sequential_job.paths import ROOT

NO_CLUSTER = ("render", "schema", "harness", "reservation", "shards")
CLUSTER = ("handoff", "handoff-evented", "limit", "verify", "fanout", "shardlimit", "wait", "runtime", "failure")
CLUSTER += ("scale",)  # on a cluster of its own, with kwok (bench/scale.py)


def run_part(part: str, quick: bool) -> dict[str, Any]:
    def log(line: str) -> None:
        print(line, flush=True)

    if part in CLUSTER:
        from bench import (  # the kubernetes client only when a cluster part runs
            cluster,
            fanout,
            handoff,
            retry,
            scale,
            scale_limit,
            wait,
        )

        cluster.connect()
        if part == "verify":  # stored with the scale limit, whose report shows it
            return scale_limit.verify(log=log)
        run = {
            "handoff": handoff.run,
            "handoff-evented": handoff.run,
            "limit": scale_limit.run,
            "fanout": fanout.fanout,
            "shardlimit": fanout.shardlimit,
            "wait": wait.run,
            "runtime": retry.runtime,
            "failure": retry.failure,
            "scale": scale.run_all,
        }
    else:
        run = {
            "render": render_scaling.run,
            "schema": schema_cost.run,
            "harness": harness_cost.run,
            "reservation": reservation.run,
            "shards": shards.run,
        }
    return run[part](quick=quick, log=log)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repetitions (CI)")
    parser.add_argument("--parts", default=",".join(NO_CLUSTER), help="comma-separated parts to measure")
    parser.add_argument("--out", type=Path, default=ROOT / "bench", help="where results.json and figures/ go")
    parser.add_argument("--merge", action="store_true", help="keep other parts of an existing results.json")
    parser.add_argument("--write-docs", action="store_true", help=f"rewrite the table in {BENCH.path.name}")
    args = parser.parse_args()
    parts = [p for p in args.parts.split(",") if p]
    unknown = set(parts) - set(NO_CLUSTER + CLUSTER)
    if unknown:
        parser.error(f"unknown parts {sorted(unknown)}; choose from {', '.join(NO_CLUSTER + CLUSTER)}")

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.json"
    results: dict[str, Any] = json.loads(path.read_text()) if args.merge and path.exists() else {}
    if results.get("meta", {}).get("quick", args.quick) != args.quick:
        raise SystemExit(f"{path} holds a {'quick' if args.quick else 'full'} run's results; not merging")
    results.setdefault(
        "meta",
        {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "quick": args.quick,
            "machine": machine(),
            "load_average": load_average(),
        },
    )
    results["meta"].setdefault("seconds", {})
    for part in parts:
        print(f"== {part}", flush=True)
        start = time.monotonic()
        key = part.replace("-", "_")  # handoff-evented is stored as handoff_evented
        if part == "verify":
            if "limit" not in results:
                raise SystemExit("verify adds to the scale limit's results: run --parts limit first")
            results["limit"]["verify"] = run_part(part, args.quick)
        else:
            results[key] = run_part(part, args.quick)
        results["meta"]["seconds"][key] = round(time.monotonic() - start, 1)
        results["meta"].setdefault("finished", {})[key] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        path.write_text(json.dumps(results, indent=1, sort_keys=False) + "\n")  # a later part's failure keeps this
        if args.quick and part == "scale":  # CI's run is there so the part cannot rot: any run that failed fails it
            failed = [f"{r} {n}: {d['outcome']}" for r, runs in results[key]["runs"].items()
                      for n, d in runs.items() if d["outcome"] != "completed"]  # fmt: skip
            if failed:
                raise SystemExit("scale runs that did not complete:\n" + "\n".join(failed))

    from bench import plots, report  # matplotlib loads only once there is something to draw

    figures = plots.draw(results, out / "figures")
    table = report.markdown(results)
    print()
    print(table)
    print(f"results: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    for f in figures:
        print(f"figure: {f.relative_to(ROOT) if f.is_relative_to(ROOT) else f}")
    if args.write_docs:
        if args.quick:
            raise SystemExit("--write-docs takes a full run's figures, not --quick's")
        BENCH.write(table)
        print(f"{BENCH.path.relative_to(ROOT)}: benchmark table updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
