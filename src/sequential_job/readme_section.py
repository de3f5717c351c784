"""Rewrite a generated section of a Markdown file: the lines between a begin marker (a line starting with `begin`,
kept as it is) and the end marker. `make bench` and `make e2e-matrix` write their README tables with it."""

from __future__ import annotations

from pathlib import Path


def replace_section(path: Path, begin: str, end: str, text: str) -> None:
    """Put `text` between the line that starts with `begin` and `end`; fail, naming both, if either is missing."""
    content = path.read_text()
    start, stop = content.find(begin), content.find(end)
    if start < 0 or stop < 0:
        raise SystemExit(f"{path.name} has no {begin} ... {end} markers")
    start = content.index("\n", start) + 1
    path.write_text(content[:start] + text + content[stop:])
