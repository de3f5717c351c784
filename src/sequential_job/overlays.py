"""Overlay stacks: a values file and the files it layers on.

An overlay that layers on another values file says so in a comment line `# base: <file>` (relative to itself); it is
rendered as `-f <base> -f <overlay>`, its base's own base first. `a.yaml,b.yaml` names a stack explicitly.

    python -m sequential_job.overlays values/prod.yaml   # prints `-f values/seed.yaml -f values/prod.yaml`
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from sequential_job.paths import ROOT, VALUES_DIR

BASE_LINE = re.compile(r"^#\s*base:\s*(\S+)\s*$", re.MULTILINE)


def base_of(path: Path) -> Path | None:
    """The file `path`'s `# base:` line names, or None."""
    match = BASE_LINE.search(path.read_text())
    if not match:
        return None
    base = (path.parent / match.group(1)).resolve()
    if not base.is_file():
        raise FileNotFoundError(f"{path}: `# base: {match.group(1)}` names a missing file {base}")
    return base


def stack(path: Path) -> tuple[Path, ...]:
    """The values files helm takes for this overlay: its base chain first, the overlay last."""
    chain = [path.resolve()]
    base = base_of(path)
    while base is not None:
        if base in chain:
            raise ValueError(f"{path}: `# base:` lines form a cycle through {base}")
        chain.insert(0, base)
        base = base_of(base)
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
        files = stack(parts[0]) if len(parts) == 1 else tuple(parts)
        return cls("+".join(p.name for p in parts), files)


def discover_overlays(explicit: list[str] | None = None) -> list[Overlay]:
    """The overlays named, or else every file in values/."""
    if explicit:
        return [Overlay.from_arg(a) for a in explicit]
    return [Overlay.from_arg(str(p)) for p in sorted(VALUES_DIR.glob("*.yaml"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the helm `-f` arguments of an overlay's stack.")
    parser.add_argument("overlay", help="a values file (its `# base:` chain is followed) or base.yaml,overlay.yaml")
    args = parser.parse_args(argv)
    files = Overlay.from_arg(args.overlay).files
    shown = [str(f.relative_to(ROOT)) if f.is_relative_to(ROOT) else str(f) for f in files]
    print(" ".join(f"-f {shlex.quote(f)}" for f in shown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
