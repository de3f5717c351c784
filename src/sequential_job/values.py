"""Values for chains of trivial steps, as tests and benchmarks build them."""

from __future__ import annotations

from typing import Any

IMAGE = "busybox:1.36"


def chain(n: int, image: str = IMAGE, **extra: Any) -> dict[str, Any]:
    """Values for n steps named step-1..step-n, each echoing its name; extra keys are added at the top level."""
    steps = [{"name": f"step-{i}", "image": image, "script": f"echo step-{i}"} for i in range(1, n + 1)]
    return {"steps": steps, **extra}
