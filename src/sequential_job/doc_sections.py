"""The generated sections of the documentation, and the one writer of them all.

A section is the lines of one Markdown file between its begin marker (a line starting with `<!-- NAME:begin`, kept as
it is, which says what writes it) and its end marker `<!-- NAME:end -->`. `make docs`, `make bench` and
`make e2e-matrix` each write theirs through `Section.write`; `make test` checks the values table through `Section.read`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sequential_job.paths import DOCS


@dataclass(frozen=True)
class Section:
    path: Path
    name: str

    @property
    def begin(self) -> str:
        return f"<!-- {self.name}:begin"

    @property
    def end(self) -> str:
        return f"<!-- {self.name}:end -->"

    def _bounds(self, content: str) -> tuple[int, int]:
        """Where the section's text starts (after the begin marker's line) and stops (at the end marker)."""
        start, stop = content.find(self.begin), content.find(self.end)
        if start < 0 or stop < start:
            raise SystemExit(f"{self.path}: no {self.begin} ... {self.end} markers (in that order)")
        return content.index("\n", start) + 1, stop

    def read(self) -> str:
        content = self.path.read_text()
        start, stop = self._bounds(content)
        return content[start:stop]

    def write(self, text: str) -> None:
        """Put `text` (ending in a newline) between the markers; the rest of the file stays as it is."""
        content = self.path.read_text()
        start, stop = self._bounds(content)
        self.path.write_text(content[:start] + text + content[stop:])


VALUES_TABLE = Section(DOCS / "values.md", "values-table")  # `make docs`, from values.yaml's `# --` comments
E2E_MATRIX = Section(DOCS / "cluster.md", "e2e-matrix")  # `make e2e-matrix`
BENCH = Section(DOCS / "benchmarks.md", "bench")  # `make bench`
