"""No relative link in the project's Markdown is broken: every file it names exists and every #anchor is a heading
there, by GitHub's rules (sequential_job.doc_links)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sequential_job import doc_links
from sequential_job.paths import DOCS, README, ROOT


def test_the_documents_are_the_readmes_and_docs() -> None:
    documents = doc_links.documents()
    assert README in documents
    assert ROOT / "tests" / "README.md" in documents
    assert doc_links.CHART_README in documents
    assert len([d for d in documents if d.parent == DOCS]) >= 9


@pytest.mark.parametrize("path", doc_links.documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_broken_relative_link(path: Path) -> None:
    assert doc_links.broken_links(path) == []


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Argo CD and Kustomize", "argo-cd-and-kustomize"),
        ("Helm hooks, and use as a subchart", "helm-hooks-and-use-as-a-subchart"),
        ("`job.nameSuffix` and the Job's name", "jobnamesuffix-and-the-jobs-name"),
        ("What's new? (0.2.0)", "whats-new-020"),
        ("1.29 — the floor", "129--the-floor"),
        ("[Fan-out](docs/fan-out.md) over `shards`", "fan-out-over-shards"),
        ("step_logs <em>now</em>", "step_logs-now"),
    ],
)
def test_github_anchor(heading: str, anchor: str) -> None:
    assert doc_links.github_anchor(heading) == anchor


def test_broken_links_are_found(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "b.md").write_text('# B\n\n## Twice\n\n## Twice\n\n<a name="kept"></a>\n')
    (tmp_path / "code.py").write_text("")
    (tmp_path / "a.md").write_text(
        "# A\n\n## Local\n\n"
        "[ok](docs/b.md) [ok](docs/b.md#twice) [ok](docs/b.md#twice-1) [ok](docs/b.md#kept) [ok](#local)\n"
        "[ok](code.py#L3) [ok](docs/) ![ok](docs/b.md) [ok](https://example.com/x.md#nowhere)\n"
        "`[not a link](missing.md)`\n"
        "```md\n[in a fence](missing.md)\n# Fenced\n```\n"
        "[bad](missing.md) [bad](docs/b.md#twice-2) [bad](#fenced) [bad](code.py#top) [bad](../outside.md)\n"
        "[ref]: docs/missing.md\n"
    )
    problems = doc_links.broken_links(tmp_path / "a.md", root=tmp_path)
    assert problems == [
        "a.md:12: missing.md: no such file",
        "a.md:12: docs/b.md#twice-2: no heading or anchor #twice-2 in docs/b.md",
        "a.md:12: #fenced: no heading or anchor #fenced in a.md",
        "a.md:12: code.py#top: an anchor into a file that is not Markdown",
        "a.md:12: ../outside.md: outside the repository",
        "a.md:13: docs/missing.md: no such file",
    ]


def test_the_chart_readme_links_only_to_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Artifact Hub and `helm show readme` show it without the repository, so a link to another file is broken."""
    (tmp_path / "other.md").write_text("# Other\n")
    chart_readme = tmp_path / "README.md"
    chart_readme.write_text("# Chart\n\n[ok](#chart) [ok](https://example.com) [bad](other.md)\n")
    monkeypatch.setattr(doc_links, "CHART_README", chart_readme)
    assert doc_links.broken_links(chart_readme, root=tmp_path) == [
        "README.md:3: other.md: this file is read outside the repository; link to a URL instead"
    ]
