"""The README stays a short front page whose examples work: at most 350 lines, every values example in its tour
renders, and every helm error it shows is the one helm prints."""

from __future__ import annotations

import re
import shlex

import pytest
import yaml

from sequential_job.helm import run_helm
from sequential_job.paths import README, VALUES_DIR
from sequential_job.render import render

MAX_LINES = 350  # the rest belongs in docs/, one file per topic
TEXT = README.read_text()
# (the heading above it, the block's text) of each fenced block of the given language
BLOCK = r"^```{}\n(.*?)^```"


def blocks(language: str) -> list[tuple[str, str]]:
    found = []
    for match in re.finditer(BLOCK.format(language), TEXT, re.M | re.S):
        headings = re.findall(r"^#+ (.*)$", TEXT[: match.start()], re.M)
        found.append((headings[-1], match.group(1)))
    return found


def test_readme_has_at_most_350_lines() -> None:
    lines = TEXT.count("\n")
    assert lines <= MAX_LINES, f"README.md has {lines} lines, more than {MAX_LINES}: move a topic to docs/"


VALUES_EXAMPLES = blocks("yaml")


def test_the_tour_has_examples() -> None:
    assert len(VALUES_EXAMPLES) >= 5, VALUES_EXAMPLES


@pytest.mark.parametrize(("heading", "example"), VALUES_EXAMPLES, ids=[h for h, _ in VALUES_EXAMPLES])
def test_readme_values_example_renders(heading: str, example: str) -> None:
    """As the tour says: an example with `steps` is a values file of its own, one without goes on values/seed.yaml."""
    values = yaml.safe_load(example)
    base = [] if "steps" in values else [VALUES_DIR / "seed.yaml"]
    manifest = render(base, values=values)
    names = [s["name"] for s in values.get("steps", [])] or ["job-1", "job-2", "job-3"]
    assert manifest.step_names() == names


SHOWN_ERRORS = [(h, b) for h, b in blocks("sh") if b.startswith("$ helm template ")]


def test_the_tour_shows_an_error() -> None:
    assert SHOWN_ERRORS, "the README shows no `$ helm template` error"


@pytest.mark.parametrize(("heading", "session"), SHOWN_ERRORS, ids=[h for h, _ in SHOWN_ERRORS])
def test_readme_shows_helms_own_error(heading: str, session: str) -> None:
    command, _, shown = session.partition("\n")
    run = run_helm("helm", *shlex.split(command.removeprefix("$ helm ")), check=False, origin="readme")
    assert run.returncode != 0, f"`{command}` succeeded"
    assert run.stderr.strip() == shown.strip(), f"`{command}` prints:\n{run.stderr}"
