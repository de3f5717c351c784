"""The overlays under test: every file in values/, or those a user names with `make check VALUES=...`.

An overlay that layers on another values file says so in a comment line `# base: <file>` (relative to itself);
it is rendered as `-f <base> -f <overlay>`. On the command line, `a.yaml,b.yaml` names such a stack explicitly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from harness.paths import VALUES_DIR

BASE_LINE = re.compile(r"^#\s*base:\s*(\S+)\s*$", re.MULTILINE)


def _base_of(path: Path) -> Path | None:
    match = BASE_LINE.search(path.read_text())
    if not match:
        return None
    base = (path.parent / match.group(1)).resolve()
    if not base.is_file():
        raise FileNotFoundError(f"{path}: `# base: {match.group(1)}` names a missing file {base}")
    return base


def _stack(path: Path) -> tuple[Path, ...]:
    """The values files helm takes for this overlay: its base chain first, the overlay last."""
    chain = [path.resolve()]
    base = _base_of(path)
    while base is not None:
        if base in chain:
            raise ValueError(f"{path}: `# base:` lines form a cycle through {base}")
        chain.insert(0, base)
        base = _base_of(base)
    return tuple(chain)


@dataclass(frozen=True)
class Overlay:
    name: str
    files: tuple[Path, ...]

    @classmethod
    def from_arg(cls, arg: str) -> Overlay:
        """`path.yaml` (its `# base:` chain included) or `base.yaml,overlay.yaml` (exactly those, in order)."""
        parts = [Path(p).resolve() for p in arg.split(",") if p]
        for p in parts:
            if not p.is_file():
                raise FileNotFoundError(f"values file {p} does not exist")
        files = _stack(parts[0]) if len(parts) == 1 else tuple(parts)
        return cls("+".join(p.name for p in parts), files)


def discover_overlays(explicit: list[str] | None = None) -> list[Overlay]:
    if explicit:
        return [Overlay.from_arg(a) for a in explicit]
    return [Overlay.from_arg(str(p)) for p in sorted(VALUES_DIR.glob("*.yaml"))]
