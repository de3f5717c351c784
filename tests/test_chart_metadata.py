"""Chart.yaml carries what Artifact Hub reads, consistent with CHANGELOG.md, LICENSE and the chart's defaults."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from sequential_job import chart as chart_yaml
from sequential_job.paths import ARTIFACTHUB_REPO, CHANGELOG, ROOT, VALUES_YAML

# SemVer 2.0.0's own grammar (no leading zeros; optional pre-release and build metadata).
SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
)
# Artifact Hub's change kinds, and the Keep a Changelog section each one is written under.
KINDS = {"Added": "added", "Changed": "changed", "Deprecated": "deprecated", "Removed": "removed", "Fixed": "fixed"}
KINDS["Security"] = "security"


@pytest.fixture(scope="module")
def chart() -> dict[str, Any]:
    return chart_yaml.metadata()


def annotation(chart: dict[str, Any], key: str) -> Any:
    """An Artifact Hub annotation: a string that holds YAML (a list, mostly)."""
    return yaml.safe_load(chart["annotations"][key])


def changelog_entries(version: str) -> list[dict[str, str]]:
    """The `## [version]` section of CHANGELOG.md as Artifact Hub changes: [{kind, description}, ...]."""
    text = CHANGELOG.read_text()
    sections = re.split(r"^## ", text, flags=re.MULTILINE)
    matching = [s for s in sections if re.match(rf"\[{re.escape(version)}\]", s)]
    assert len(matching) == 1, f"CHANGELOG.md has {len(matching)} '## [{version}]' sections, expected one"
    entries, kind = [], None
    for line in matching[0].splitlines()[1:]:
        if line.startswith("### "):
            heading = line[4:].strip()
            assert heading in KINDS, f"CHANGELOG.md [{version}]: unknown section {heading!r}, use one of {list(KINDS)}"
            kind = KINDS[heading]
        elif line.startswith("- "):
            assert kind, f"CHANGELOG.md [{version}]: an entry before any ### section: {line}"
            entries.append({"kind": kind, "description": line[2:].strip()})
    return entries


def test_version_is_semver(chart: dict[str, Any]) -> None:
    assert SEMVER.fullmatch(chart["version"]), f"Chart.yaml version {chart['version']!r} is not SemVer 2"


def test_changelog_has_this_version_and_it_equals_the_changes_annotation(chart: dict[str, Any]) -> None:
    entries = changelog_entries(chart["version"])
    assert entries, f"CHANGELOG.md's [{chart['version']}] section lists no change"
    assert annotation(chart, "artifacthub.io/changes") == entries


def test_changelog_versions_are_semver_and_newest_first() -> None:
    text = CHANGELOG.read_text()
    headings = re.findall(r"^## \[([^\]]+)\]", text, flags=re.MULTILINE)
    assert headings[0] == "Unreleased", "CHANGELOG.md starts with an [Unreleased] section"
    versions = headings[1:]
    bad = [v for v in versions if not SEMVER.fullmatch(v)]
    assert bad == [], f"CHANGELOG.md versions that are not SemVer 2: {bad}"
    keys = [tuple(int(p) for p in v.split("-")[0].split("+")[0].split(".")) for v in versions]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == len(keys), f"not newest first: {versions}"


def test_license_annotation_matches_the_license_file(chart: dict[str, Any]) -> None:
    assert chart["annotations"]["artifacthub.io/license"] == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text


def test_links_are_named_https_urls(chart: dict[str, Any]) -> None:
    links = annotation(chart, "artifacthub.io/links")
    assert links, "artifacthub.io/links is empty"
    for link in links:
        assert set(link) == {"name", "url"} and link["name"], link
        assert link["url"].startswith("https://"), link


def test_no_images_annotation_while_the_defaults_name_no_image(chart: dict[str, Any]) -> None:
    """Artifact Hub scans listed images; the chart's defaults deploy none, so listing one would be untrue."""
    values = yaml.safe_load(VALUES_YAML.read_text())
    assert not values["stepDefaults"]["image"] and values["steps"] == []
    assert "artifacthub.io/images" not in chart["annotations"]


def test_sign_key_is_only_added_by_signed_packaging(chart: dict[str, Any]) -> None:
    """The fingerprint is the publisher's key's; `make package` with SIGN_KEY writes it into the packaged Chart.yaml."""
    assert "artifacthub.io/signKey" not in chart["annotations"]


def test_artifacthub_repo_metadata_is_yaml() -> None:
    metadata = yaml.safe_load(ARTIFACTHUB_REPO.read_text())
    assert metadata is None or set(metadata) <= {"repositoryID", "owners", "ignore"}, metadata
