"""Part: schema cost. What checking the values against the generated values.schema.json adds to `helm template`:
the chart as it is, the same with `--skip-schema-validation`, and the same schema written as JSON Schema 2020-12
(`$defs`) instead of draft-07, for chains of 1, 50 and 500 trivial steps under both helms, interleaved. Also the
schema's and the packaged chart's size."""

from __future__ import annotations

import json
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import HELMS, helm_template, load_average, write_values
from bench.stats import Summary
from sequential_job.helm import run_helm
from sequential_job.paths import CHART, VALUES_SCHEMA
from sequential_job.values import chain

FULL = {"sizes": (1, 50, 500), "repetitions": 15}
QUICK = {"sizes": (1, 50), "repetitions": 3}
# schema: the chart as shipped; skip: no values validation at all; draft2020: the same schema under 2020-12.
VARIANTS = ("schema", "skip", "draft2020")


def as_draft_2020(chart: Path, into: Path) -> Path:
    """A copy of the chart whose schema says the same in JSON Schema 2020-12: `$defs` instead of `definitions`."""
    copy = into / chart.name
    shutil.copytree(chart, copy, ignore=shutil.ignore_patterns("ci", "tests"))
    schema_file = copy / "values.schema.json"
    text = schema_file.read_text().replace('"#/definitions/', '"#/$defs/')
    schema = json.loads(text)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$defs"] = schema.pop("definitions")
    schema_file.write_text(json.dumps(schema, indent=2, ensure_ascii=False))
    return copy


def package_bytes(into: Path) -> int:
    """The size of `helm package` of the chart (Helm 4), the tarball users download."""
    run_helm("helm", "package", str(CHART), "-d", str(into))
    return next(into.glob("*.tgz")).stat().st_size


def run(quick: bool, log=print) -> dict[str, Any]:
    plan = QUICK if quick else FULL
    sizes, reps = plan["sizes"], plan["repetitions"]
    times = {h: {v: {n: [] for n in sizes} for v in VARIANTS} for h in HELMS}
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-schema-") as tmp:
        base = Path(tmp)
        files = {n: write_values(base, f"chain-{n}", chain(n)) for n in sizes}
        charts = {"schema": CHART, "skip": CHART, "draft2020": as_draft_2020(CHART, base / "draft2020")}
        extra = {"schema": (), "skip": ("--skip-schema-validation",), "draft2020": ()}
        for helm in HELMS:
            for variant in VARIANTS:  # warm-up, not measured; also proves every variant renders
                proc = helm_template(helm, files[sizes[0]], chart=charts[variant], extra=extra[variant])
                if proc.returncode != 0:
                    raise RuntimeError(f"{helm} template ({variant}) failed:\n{proc.stderr}")
        rng = random.Random(13)  # issue 13; a fixed seed so the order is reproducible
        for rep in range(reps):
            order = [(n, h, v) for n in sizes for h in HELMS for v in VARIANTS]
            rng.shuffle(order)
            for n, helm, variant in order:
                start = time.perf_counter()
                proc = helm_template(helm, files[n], chart=charts[variant], extra=extra[variant])
                elapsed = time.perf_counter() - start
                if proc.returncode != 0:
                    raise RuntimeError(f"{helm} template ({variant}) of {n} steps failed:\n{proc.stderr}")
                times[helm][variant][n].append(elapsed)
            log(f"  schema: repetition {rep + 1}/{reps} done")
        packaged = package_bytes(base / "package")
    results: dict[str, Any] = {
        "sizes": list(sizes),
        "repetitions": reps,
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "schema_bytes": VALUES_SCHEMA.stat().st_size,
        "package_bytes": packaged,
        "helms": {},
    }
    for helm in HELMS:
        seconds = {v: {str(n): Summary.of(times[helm][v][n]).as_dict() for n in sizes} for v in VARIANTS}
        results["helms"][helm] = {
            "seconds": seconds,
            "samples": {v: {str(n): times[helm][v][n] for n in sizes} for v in VARIANTS},
            # Median with the schema over median without: what the check costs, relative.
            "ratio": {
                v: {str(n): seconds[v][str(n)]["median"] / seconds["skip"][str(n)]["median"] for n in sizes}
                for v in ("schema", "draft2020")
            },
        }
    return results
