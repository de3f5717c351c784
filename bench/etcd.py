"""Read how many bytes an object takes in etcd, through etcd's JSON gateway (the embedded cluster's etcd only).

The object size limit that matters is etcd's request limit (--max-request-bytes, 1.5 MiB by default), which applies to
the object as stored: protobuf, managedFields included. `kubectl get -o json` shows neither its size nor its form.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.request

ENDPOINT = os.environ.get("BENCH_ETCD", "http://127.0.0.1:32379")  # scripts/cluster/lib.sh's ETCD_CLIENT_PORT


def stored_bytes(resource: str, namespace: str, name: str) -> int | None:
    """Bytes of /registry/<resource>/<namespace>/<name> in etcd, or None when etcd cannot be read."""
    key = base64.b64encode(f"/registry/{resource}/{namespace}/{name}".encode()).decode()
    request = urllib.request.Request(
        f"{ENDPOINT}/v3/kv/range", data=json.dumps({"key": key}).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            kvs = json.load(response).get("kvs") or []
    except OSError:
        return None
    return len(base64.b64decode(kvs[0]["value"])) if kvs else None


def available() -> bool:
    try:
        with urllib.request.urlopen(f"{ENDPOINT}/health", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False
