"""Relative links in the project's Markdown, checked as GitHub resolves them: the file a link names must exist in the
repository, and its `#anchor` must be a heading of that file (GitHub's anchor rules) or an explicit `<a name|id>`.

    python -m sequential_job.doc_links   # prints every broken link; exit 1 if there is one (`make test` runs it)
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

from sequential_job.paths import CHART, DOCS, README, ROOT

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
# [text](target "title") and ![alt](target); the text may hold one level of brackets ([`x`] or an image).
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
CODE_SPAN = re.compile(r"(`+).+?\1")
HTML_ANCHOR = re.compile(r"<a\s[^>]*\b(?:name|id)=\"([^\"]+)\"")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")


CHART_README = CHART / "README.md"


def documents() -> list[Path]:
    """The Markdown a reader of the repository follows links in."""
    return [README, *sorted(DOCS.glob("*.md")), ROOT / "CHANGELOG.md", ROOT / "tests" / "README.md", CHART_README]


def self_contained(path: Path) -> bool:
    """The chart's README is read outside the repository (Artifact Hub, `helm show readme`), where a relative link to
    another file leads nowhere: it may link to its own headings only."""
    return path.resolve() == CHART_README.resolve()


def prose(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) of every line outside fenced code blocks."""
    fence = ""
    for number, line in enumerate(text.splitlines(), 1):
        match = FENCE.match(line)
        if fence:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = ""
        elif match:
            fence = match.group(1)
        else:
            yield number, line


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading (before de-duplication): its rendered text (links and images become their
    text, inline HTML is dropped) lower-cased, without punctuation but `-` and `_`, each space a `-`."""
    text = re.sub(r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every anchor of a Markdown file: its headings' (a repeated one gets -1, -2, ... as on GitHub) and its
    explicit HTML anchors."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for _, line in prose(text):
        found.update(HTML_ANCHOR.findall(line))
        match = HEADING.match(line)
        if not match:
            continue
        base = github_anchor(match.group(1) or "")
        slug, count = base, seen.get(base, 0)
        while slug in seen:
            count += 1
            slug = f"{base}-{count}"
        seen[base] = count
        seen[slug] = 0
        found.add(slug)
    return found


def links(text: str) -> Iterator[tuple[int, str]]:
    """(line number, target) of every inline and reference link outside code."""
    for number, line in prose(text):
        line = CODE_SPAN.sub("", line)
        for match in INLINE_LINK.finditer(line):
            yield number, match.group(1)
        if match := REFERENCE.match(line):
            yield number, match.group(1)


def relative(target: str) -> bool:
    return not SCHEME.match(target)


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    """One line per relative link of the file whose file or anchor does not exist (`file:line: target: why`)."""
    path, root = path.resolve(), root.resolve()
    problems = []
    cache: dict[Path, set[str]] = {}
    text = path.read_text()
    for number, target in links(text):
        if not relative(target):
            continue
        where = f"{path.relative_to(root)}:{number}: {target}"
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / unquote(file_part)).resolve() if file_part else path
        if not target:
            problems.append(f"{where}: an empty link")
            continue
        if file_part and self_contained(path):
            problems.append(f"{where}: this file is read outside the repository; link to a URL instead")
            continue
        if not linked.is_relative_to(root):
            problems.append(f"{where}: outside the repository")
            continue
        if not linked.exists():
            problems.append(f"{where}: no such file")
            continue
        if not anchor:
            continue
        if linked.suffix != ".md":
            if not re.fullmatch(r"L\d+(-L\d+)?", anchor):  # GitHub's line anchors in a source file
                problems.append(f"{where}: an anchor into a file that is not Markdown")
            continue
        if linked not in cache:
            cache[linked] = anchors(text if linked == path else linked.read_text())
        if unquote(anchor) not in cache[linked]:
            problems.append(f"{where}: no heading or anchor #{anchor} in {linked.relative_to(root)}")
    return problems


def main() -> int:
    problems = [problem for path in documents() for problem in broken_links(path)]
    print("\n".join(problems) or f"no broken relative links in {len(documents())} files")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
