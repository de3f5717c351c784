"""Lists of Kubernetes objects as plain dicts, paged: building the Python client's objects for thousands of pods
takes minutes, reading their JSON takes seconds."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def items(list_method: Callable[..., Any], *args: Any, page: int = 1000, **kwargs: Any) -> list[dict[str, Any]]:
    """Every item of a list call of the kubernetes client (e.g. `client.CoreV1Api().list_namespaced_pod, "ns"`),
    page by page, as the API returns them."""
    found: list[dict[str, Any]] = []
    token = None
    while True:
        response = list_method(*args, limit=page, _continue=token, _preload_content=False, **kwargs)
        body = json.loads(response.data)
        found += body.get("items") or []
        token = body.get("metadata", {}).get("continue")
        if not token:
            return found
