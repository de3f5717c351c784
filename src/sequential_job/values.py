"""Values for chains of trivial steps, and fanned-out ones, as tests and benchmarks build them."""

from __future__ import annotations

from typing import Any

IMAGE = "busybox:1.36"


def chain(n: int, image: str = IMAGE, **extra: Any) -> dict[str, Any]:
    """Values for n steps named step-1..step-n, each echoing its name; extra keys are added at the top level."""
    steps = [{"name": f"step-{i}", "image": image, "script": f"echo step-{i}"} for i in range(1, n + 1)]
    return {"steps": steps, **extra}


def fanout(shards: list[str], image: str = IMAGE, **extra: Any) -> dict[str, Any]:
    """Values that fan three steps out over `shards`: each pod's `write` step writes its $SHARD to an emptyDir,
    `copy` checks it against $SHARD and the shard's file and copies it, `print` checks it again and prints it."""
    index = "${JOB_COMPLETION_INDEX:-$VC_TASK_INDEX}"
    steps = [
        {"name": "write", "image": image, "script": 'printf %s "$SHARD" > /work/1'},
        {
            "name": "copy",
            "image": image,
            "script": f'test "$(cat /work/1)" = "$SHARD" && cmp /work/1 "/shards/{index}" && cp /work/1 /work/2',
        },
        {"name": "print", "image": image, "script": 'test "$(cat /work/2)" = "$SHARD" && cat /work/2'},
    ]
    return {
        "steps": steps,
        "shards": list(shards),
        "volumes": [{"name": "work", "emptyDir": {}}],
        "stepDefaults": {"volumeMounts": [{"name": "work", "mountPath": "/work"}]},
        **extra,
    }
