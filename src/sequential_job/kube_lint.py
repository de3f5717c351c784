"""Score every rendered overlay with kube-score, a Kubernetes security and reliability linter (`make lint`).

Renders each file in values/ with its `# base:` chain and each charts/*/ci/*-values.yaml (a symlink to a values/ file
is scored once, as that file), turns a Volcano Job's task templates into Pods (kube-score knows no Volcano kinds), and
runs kube-score with the exclusions in .kube-score.yaml. Fails on any finding, and on any exclusion that no longer
hides a finding, so the list cannot go stale.

python -m sequential_job.kube_lint   # HELM and KUBE_SCORE default to .tools/bin/helm and .tools/bin/kube-score
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sequential_job.chart import oldest_kubernetes
from sequential_job.helm import HelmError
from sequential_job.overlays import Overlay, discover_overlays
from sequential_job.paths import CHART, ROOT
from sequential_job.render import render as helm_template
from sequential_job.tools import tool

CONFIG = ROOT / ".kube-score.yaml"
# Not a kube-score test id: the name .kube-score.yaml gives kube-score's --ignore-container-cpu-limit.
CPU_LIMIT = "container-cpu-limit"
# kube-score's grades: 1 critical, 5 warning, 7 almost OK, 10 OK.
PASSING_GRADE = 7


@dataclass(frozen=True)
class Case:
    name: str
    files: tuple[Path, ...]
    ignore: dict[str, str]  # exclusion -> reason; chart-wide and this case's own


def cases(config: dict[str, Any]) -> list[Case]:
    chart_wide = dict(config.get("ignore") or {})
    per_file = config.get("overlays") or {}
    found = [(o.name, o.files) for o in discover_overlays()]
    known = {o.files[-1] for o in discover_overlays()}
    for path in sorted(CHART.glob("ci/*-values.yaml")):
        if path.resolve() not in known:
            found.append((f"ci/{path.name}", Overlay.from_arg(str(path)).files))
    unknown = set(per_file) - {name for name, _ in found}
    if unknown:
        sys.exit(f"{CONFIG.name}: overlays {sorted(unknown)} name no values file that is scored")
    result = []
    for name, files in found:
        own = per_file.get(name) or {}
        missing_reason = [k for k, v in {**chart_wide, **own}.items() if not str(v or "").strip()]
        if missing_reason:
            sys.exit(f"{CONFIG.name}: exclusions without a reason: {missing_reason}")
        result.append(Case(name, files, {**chart_wide, **own}))
    return result


def render(case: Case) -> list[dict[str, Any]]:
    try:
        manifest = helm_template(case.files, release="lint")
    except HelmError as e:
        sys.exit(f"{case.name}: {e}")
    objects = []
    for doc in manifest.objects:
        if doc.get("apiVersion") == "batch.volcano.sh/v1alpha1" and doc.get("kind") == "Job":
            for task in doc["spec"]["tasks"]:
                template = task["template"]
                metadata = {**template.get("metadata", {}), "name": f"{doc['metadata']['name']}-{task['name']}"}
                objects.append({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": template["spec"]})
        else:
            objects.append(doc)
    return objects


def score(objects: list[dict[str, Any]], config: dict[str, Any], ignore: dict[str, str]) -> dict[str, list[str]]:
    """kube-score's failing checks: check id -> '<object>: <summary>' lines."""
    args = [tool("kube-score"), "score", "-", "--output-format", "json", "--color", "never"]
    args += ["--kubernetes-version", "v" + oldest_kubernetes().rsplit(".", 1)[0]]  # the oldest the chart claims
    for test in config.get("enable-optional") or ():
        args += ["--enable-optional-test", test]
    for test in ignore:
        args += ["--ignore-container-cpu-limit"] if test == CPU_LIMIT else ["--ignore-test", test]
    proc = subprocess.run(args, input=yaml.safe_dump_all(objects), capture_output=True, text=True)
    if proc.returncode not in (0, 1) or not proc.stdout.strip():
        sys.exit(f"`{' '.join(args)}` failed (exit {proc.returncode}):\n{proc.stderr}")
    failing: dict[str, list[str]] = {}
    for obj in json.loads(proc.stdout):
        for check in obj["checks"]:
            if check["skipped"] or check["grade"] >= PASSING_GRADE:
                continue
            for comment in check.get("comments") or [{"summary": check["check"]["name"]}]:
                line = f"{obj['object_name']}: {comment.get('path', '')} {comment['summary']}".replace("  ", " ")
                failing.setdefault(check["check"]["id"], []).append(line)
    return failing


def main() -> int:
    config = yaml.safe_load(CONFIG.read_text())
    problems: list[str] = []
    needed: dict[str, bool] = dict.fromkeys(config.get("ignore") or {}, False)
    for case in cases(config):
        objects = render(case)
        findings = score(objects, config, case.ignore)
        for check, lines in sorted(findings.items()):
            problems += [f"{case.name}: {check}: {line}" for line in lines]
        # An exclusion is needed when lifting it alone (the others kept) brings a finding back.
        own = (config.get("overlays") or {}).get(case.name) or {}
        for test in case.ignore:
            others = {k: v for k, v in case.ignore.items() if k != test}
            if score(objects, config, others):
                needed[test] = True
            elif test in own:
                problems.append(f"{case.name}: the exclusion {test!r} hides nothing any more: remove it")
        status = "clean" if not findings else f"{sum(map(len, findings.values()))} finding(s)"
        print(f"kube-score {case.name} ({' + '.join(p.name for p in case.files)}): {status}")
    stale = [test for test, used in needed.items() if not used]
    problems += [f"chart-wide exclusion {test!r} hides nothing in any render: remove it" for test in stale]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
